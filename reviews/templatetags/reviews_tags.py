"""Display helpers for review templates."""

from django import template

register = template.Library()

_STATE_CLASSES = {
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "pending": "text-bg-warning",
    "current": "text-bg-warning",
    "in_progress": "text-bg-warning",
    "waiting": "text-bg-light border",
    "skipped": "text-bg-light border text-muted",
    "superseded": "text-bg-light border text-muted",
    "unfinished": "text-bg-light border text-muted",
    "cancelled": "text-bg-secondary",
}


@register.filter
def state_badge(state: str) -> str:
    """Bootstrap badge classes for a review status, step state or task state."""
    return _STATE_CLASSES.get(str(state), "text-bg-secondary")


@register.filter
def score_for(task, code: str):
    """The task's score for criterion ``code`` (or None)."""
    return (task.scores or {}).get(code)


@register.simple_tag
def latest_rejection(subject):
    """``{% latest_rejection subject as rejected %}``: the subject's latest rejected review
    with its decisions, or None (R-REV-5)."""
    from reviews.selectors import latest_rejection as select

    return select(subject) if subject is not None and subject.pk else None

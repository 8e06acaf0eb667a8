"""The review forms as documents (issue 12, R-REV-6): every review, of any kind, prints as
the company's form — the solution review form 方案審核表, the project initiation request
項目立項申請表, the bid and contract approval sheets — with what was submitted (the review's
snapshot, in the document's language), each step's approvers with their check items, scores,
comments, decision and time (signatures as names and times). Registered with the core's
document framework (presales/documents/) from ``ReviewsConfig``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from presales.documents.registry import DocumentType, register_document_type
from reviews.choices import ReviewStatus
from reviews.models import Review
from reviews.selectors import with_content

# The form each kind prints as (the seeds' names); other kinds print as "Review form".
FORM_TITLES = {
    "solution_version": _("Solution review form"),
    "initiation": _("Project initiation request"),
    "bid": _("Bid approval sheet"),
    "contract": _("Contract approval sheet"),
    "trial": _("Trial review form"),
}


def form_title(review: Review) -> str:
    return str(FORM_TITLES.get(review.kind, _("Review form")))


def _visible(user: Any):
    return Review.objects.visible_to(user).select_related("author", "team", "chain")


def _fingerprint(review: Review) -> str:
    tasks = review.tasks.aggregate(n=Count("id"), decided=Max("decided_at"), opened=Max("opened_at"))
    return f"{review.pk}:{review.status}:{review.version}:{tasks['n']}:{tasks['decided']}:{tasks['opened']}"


def _context(review: Review, variant: str, user: Any) -> dict[str, Any]:
    review = with_content([_visible(user).prefetch_related("tasks__approver").get(pk=review.pk)])[0]
    criteria = review.criteria
    tasks = sorted(review.tasks.all(), key=lambda t: (t.step_order, t.pk))
    steps = [
        {
            "order": task.step_order,
            "name": task.step_name,
            "approver": task.approver,
            "state": task.get_state_display(),
            "decided_at": task.decided_at,
            "comment": task.comment,
            "checks": task.check_rows,
            "scores": task.score_items(criteria),
        }
        for task in tasks
    ]
    return {
        "review": review,
        "form_title": form_title(review),
        "content": review.content,
        "content_changed": review.content_changed,
        "steps": steps,
        "criteria": criteria,
    }


def register() -> None:
    register_document_type(
        DocumentType(
            key="review_form",
            label=_("Review form"),
            model="reviews.Review",
            template="reviews/document.html",
            visible=_visible,
            context=_context,
            fingerprint=_fingerprint,
            number=lambda review: f"REV-{review.pk:06d}",
            final=lambda review: review.status == ReviewStatus.APPROVED,
            title=form_title,
        )
    )

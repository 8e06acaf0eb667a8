"""Template tags of timers and notifications: ``{% load sla %}``.

- ``{% timers_panel record %}`` shows the timers of a record with their state (record pages);
  ``related=records`` adds the timers of records shown with it.
- ``{% unread_notifications as n %}`` the bell's count for the signed-in user.
- ``{{ t.due_at|due_in:now }}`` how far a deadline is ("overdue 11 days").
"""

from django import template
from django.utils import timezone

from presales.core.i18n import due_phrase
from presales.sla import selectors
from presales.sla.policies import kind_label
from presales.sla.sweep import subject_url

register = template.Library()


@register.inclusion_tag("presales/partials/timers_for.html", takes_context=True)
def timers_panel(context, subject, related=None):
    """``{% timers_panel record %}``, or ``{% timers_panel record related=records %}`` to add
    the timers of records the page shows with it (one query either way)."""
    return {
        "timers": selectors.timers_for(subject, related),
        "now": timezone.now(),
        "request": context.get("request"),
    }


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return selectors.unread_count(user) if user is not None else 0


@register.filter
def due_in(due_at, now) -> str:
    """``{{ t.due_at|due_in:now }}``: "due in 5 h", "overdue 11 days" (hours up to 48 h)."""
    return due_phrase(due_at, now)


@register.filter
def timer_kind(code: str) -> str:
    return str(kind_label(code))


@register.filter
def timer_url(timer) -> str:
    """The page of the timer's record (the deadlines page when it has none)."""
    return subject_url(timer)


@register.inclusion_tag("presales/partials/notification_bell.html", takes_context=True)
def notification_bell(context):
    """The navbar bell: unread count and the latest notifications (two small queries)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread": 0, "recent": [], "request": request}
    return {
        "unread": selectors.unread_count(user),
        "recent": selectors.recent_notifications(user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }

"""Template filters of the accounts pages: ``{% load accounts %}``."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (the lockout page's cool-off)."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)

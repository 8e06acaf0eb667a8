"""Translation helpers, and strings of third-party packages whose own catalogues lack a
language we ship.

django-tables2 translates its pager into zh_Hans but not zh_Hant. Marking the same msgids
here puts them in our catalogues (``make messages``), which take precedence over the
package's, so the pager reads 上一頁 / 下一頁 in Traditional Chinese too. Its pager's
aria-label is not translatable at all: templates/django_tables2/bootstrap5.html wraps it.
"""

from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

THIRD_PARTY_STRINGS = (
    gettext_noop("previous"),  # django_tables2/bootstrap5.html pager
    gettext_noop("next"),
)


def list_separator() -> str:
    """What separates the items of a list in a sentence: ", " in English, "、" in Chinese."""
    return pgettext("list separator", ", ")


def join_list(items: Iterable) -> str:
    """The items as one phrase in the active language (``background、needs、budget``)."""
    return list_separator().join(str(item) for item in items)


# Up to this many hours a time left or overdue reads in hours; above, in whole days.
HOURS_BEFORE_DAYS = 48


def due_phrase(due_at: datetime, now: datetime) -> str:
    """How far a deadline is, in the active language: "due in 5 h", "overdue 11 days".

    Hours up to 48 h, whole days beyond ("overdue 265 h" reads as "overdue 11 days"); the
    exact time is shown next to it by the pages that use this."""
    seconds = (due_at - now).total_seconds()
    hours = int(abs(seconds) // 3600)
    days = hours // 24
    if seconds > 0:
        if hours == 0:
            return gettext("due in less than 1 h")
        if hours > HOURS_BEFORE_DAYS:
            return ngettext("due in %(days)s day", "due in %(days)s days", days) % {"days": days}
        return ngettext("due in %(hours)s h", "due in %(hours)s h", hours) % {"hours": hours}
    if hours == 0:
        return gettext("overdue less than 1 h")
    if hours > HOURS_BEFORE_DAYS:
        return ngettext("overdue %(days)s day", "overdue %(days)s days", days) % {"days": days}
    return ngettext("overdue %(hours)s h", "overdue %(hours)s h", hours) % {"hours": hours}

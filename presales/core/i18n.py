"""Translation helpers, and strings of third-party packages whose own catalogues lack a
language we ship.

django-tables2 translates its pager into zh_Hans but not zh_Hant. Marking the same msgids
here puts them in our catalogues (``make messages``), which take precedence over the
package's, so the pager reads 上一頁 / 下一頁 in Traditional Chinese too. Its pager's
aria-label is not translatable at all: templates/django_tables2/bootstrap5.html wraps it.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_noop, pgettext

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

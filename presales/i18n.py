"""Strings of third-party packages whose own catalogues lack a language we ship.

django-tables2 translates its pager into zh_Hans but not zh_Hant. Marking the same msgids
here puts them in our catalogues (``make messages``), which take precedence over the
package's, so the pager reads 上一頁 / 下一頁 in Traditional Chinese too.
"""

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = (
    gettext_noop("previous"),  # django_tables2/bootstrap5.html pager
    gettext_noop("next"),
)

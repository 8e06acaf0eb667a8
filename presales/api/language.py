"""The language of API answers (error messages, choice labels, display fields).

Django's middleware runs before DRF authenticates a token, so the user-language middleware
cannot see a token client's user. Every API view therefore activates the language again
once the caller is known, in ``initial()`` (``LanguageMixin``, on ``BaseViewSet`` and
``BaseAPIView``). Precedence:

1. an ``Accept-Language`` header naming a language the site offers: the client asked for it
   on this request;
2. the authenticated user's language (their profile);
3. the site default (``LANGUAGE_CODE``).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def language_from_header(header: str) -> str | None:
    """The first supported language of an ``Accept-Language`` header, or None."""
    for code, _quality in parse_accept_lang_header(header or ""):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def api_language(request) -> str | None:
    """The language an API request is answered in (see the module docstring)."""
    asked = language_from_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    if asked:
        return asked
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language:
        return user.language
    return None


class LanguageMixin:
    """For every API view: answer in the caller's language, decided right after DRF
    authenticates (inside ``initial()``), so that permission refusals, validation errors and
    the answer itself all use it; a refused token is answered in the header's language."""

    def perform_authentication(self, request):
        try:
            super().perform_authentication(request)
        finally:
            language = api_language(request)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()

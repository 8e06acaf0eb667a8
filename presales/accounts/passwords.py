"""Password policy on top of Django's validators (settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

import re
from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words anyone guessing a password here tries first: the product, the trade, the season.
SITE_WORDS = frozenset(
    {
        "presales",
        "presale",
        "sales",
        "crm",
        "demo",
        "password",
        "passwd",
        "admin",
        "welcome",
        "letmein",
        "qwerty",
        "company",
        "spring",
        "summer",
        "autumn",
        "winter",
    }
)
_WORDS = re.compile(r"[^\W\d_]+")  # runs of letters (any script)


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


class NotGuessableValidator:
    """Refuse a password made only of the user's own names, common passwords or the site's
    words, with digits and punctuation around them (``demo12345``, ``Presales2025!``,
    ``zhang.wei.1990``): what is left after removing those must be at least
    ``min_letters`` letters."""

    def __init__(self, min_letters: int = 4):
        self.min_letters = min_letters

    def _personal_words(self, user) -> set[str]:
        if user is None:
            return set()
        values = [
            getattr(user, "username", ""),
            getattr(user, "first_name", ""),
            getattr(user, "last_name", ""),
            getattr(user, "display_name", ""),
            (getattr(user, "email", "") or "").split("@")[0],
        ]
        return {w for value in values for w in _WORDS.findall((value or "").lower()) if len(w) >= 3}

    def leftover(self, password: str, user=None) -> str:
        """The letters of ``password`` that are not a guessable word."""
        known = sorted(SITE_WORDS | self._personal_words(user), key=len, reverse=True)
        common = _common_passwords()
        left = []
        for word in _WORDS.findall(password.lower()):
            for guessable in known:
                word = word.replace(guessable, "")
            if word and word not in common:
                left.append(word)
        return "".join(left)

    def validate(self, password: str, user=None) -> None:
        if len(self.leftover(password, user)) < self.min_letters:
            raise ValidationError(
                _(
                    "This password is made of your name, common words or common passwords with "
                    "digits around them. Choose words that have nothing to do with you or this site."
                ),
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be made of your name, the site's name or common words.")

"""Field validators every app can reuse: phone numbers, text bounds, plausible dates.

They are model-field validators or called from a model's ``clean()``, so the web forms,
the API, the admin and direct service calls refuse the same input with the same message.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Long free text (notes, descriptions, key points): enough for a page of prose, small
# enough that a row and its history stay cheap to load.
LONG_TEXT_MAX = 10_000
# Clock skew tolerated between a client and the server when a time must not be in the future.
CLOCK_SKEW = timedelta(minutes=5)
# No record of this CRM predates this moment; earlier dates are typing errors (0001-01-01).
EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)

_PHONE = re.compile(
    r"""^\s*\+?[\d\s\-()./]+?                       # number: digits, +, spaces, -, (), . and /
        (?:\s*(?:ext\.?|x|\#|转|轉|分机|分機)\s*\d{1,6})?\s*$  # optional extension
    """,
    re.VERBOSE | re.IGNORECASE,
)
_EXTENSION = re.compile(r"(?:ext\.?|x|#|转|轉|分机|分機)\s*\d{1,6}\s*$", re.IGNORECASE)
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 5, 20


def long_text_validator() -> MaxLengthValidator:
    return MaxLengthValidator(LONG_TEXT_MAX)


def strip_extension(phone: str) -> str:
    """The phone number without its extension ('021-6123 4567 ext 89' → '021-6123 4567')."""
    return _EXTENSION.sub("", phone or "").strip()


def validate_phone(value: str) -> None:
    """A phone number: digits with an optional leading +, spaces, hyphens, parentheses,
    dots or slashes, then an optional extension; 5 to 20 digits before the extension."""
    if not value:
        return
    digits = re.sub(r"\D", "", strip_extension(value))
    if not _PHONE.match(value) or not PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS:
        raise ValidationError(
            _(
                "Enter a phone number: %(min)d to %(max)d digits, optionally with +, spaces, "
                "hyphens, parentheses and an extension (e.g. +86 21 6123 4567 ext 89)."
            ),
            code="invalid_phone",
            params={"min": PHONE_MIN_DIGITS, "max": PHONE_MAX_DIGITS},
        )


def date_floor_error(value: date | datetime | None) -> str | None:
    """The message when ``value`` (a date or datetime) is before 2000-01-01, else None."""
    if value is None:
        return None
    moment = (
        value if isinstance(value, datetime) else datetime(value.year, value.month, value.day, tzinfo=UTC)
    )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    if moment < EARLIEST_DATE:
        return str(_("Enter a date after 2000-01-01."))
    return None

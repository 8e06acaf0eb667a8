"""Normalisation used for duplicate detection (R-LEAD-2): company names, phones, emails."""

from __future__ import annotations

import re
import unicodedata

from presales.core.validators import strip_extension

# Chinese legal forms and filler: removed wherever they occur (Chinese has no word breaks).
_CJK_NOISE = [
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "股份公司",
    "集团",
    "集團",
    "公司",
]
# Latin legal forms: removed only as whole words, so "inc" in "Princeton" stays.
_LATIN_NOISE = frozenset(
    {
        "co",
        "ltd",
        "limited",
        "company",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "group",
        "llc",
        "plc",
        "gmbh",
    }
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_company(name: str) -> str:
    """Fold width and case, drop legal forms, punctuation and spaces.

    '上海华东精密制造有限公司' and '上海華東精密製造' do not collide (different characters), but
    'ACME Co., Ltd.' and 'acme' do, and so do full-width and half-width variants.
    """
    text = unicodedata.normalize("NFKC", name or "").lower()
    for word in _CJK_NOISE:
        text = text.replace(word, " ")
    return "".join(token for token in _NON_WORD.split(text) if token and token not in _LATIN_NOISE)


def normalize_phone(phone: str) -> str:
    """Digits only, in the domestic form: the China country code is dropped and a landline
    gets its trunk 0 back ('+86 21 6123 4567' = '021-6123 4567'); short inputs are not matched on."""
    # An extension is not part of the number: '021-6123 4567 ext 8' matches '021 6123 4567'.
    digits = re.sub(r"\D", "", strip_extension(unicodedata.normalize("NFKC", phone or "")))
    for prefix in ("0086", "86"):
        rest = digits[len(prefix) :]
        # Domestic numbers start with 0 (landline) or 1 (mobile), or are 7-8 digit local
        # numbers: ten or more digits after a leading 86 can only be a country code.
        if digits.startswith(prefix) and len(rest) >= 10:
            is_mobile = len(rest) == 11 and rest.startswith("1")
            digits = rest if is_mobile or rest.startswith("0") else "0" + rest
            break
    return digits if len(digits) >= 7 else ""


def normalize_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email or "").strip().lower()

"""Normalisation used for duplicate detection (R-LEAD-2): company names, phones, emails."""

from __future__ import annotations

import re
import unicodedata

# Legal-form and filler words that do not distinguish one company from another.
_COMPANY_NOISE = [
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "股份公司",
    "集团",
    "集團",
    "公司",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd",
    "co ltd",
    "company limited",
    "limited",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "corporation",
    "corp.",
    "corp",
    "group",
    "llc",
    "gmbh",
]
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_company(name: str) -> str:
    """Fold width and case, drop legal forms, punctuation and spaces.

    '上海华东精密制造有限公司' and '上海華東精密製造' do not collide (different characters), but
    'ACME Co., Ltd.' and 'acme' do, and so do full-width and half-width variants.
    """
    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    for word in _COMPANY_NOISE:
        text = text.replace(word, " ")
    return _NON_WORD.sub("", text)


def normalize_phone(phone: str) -> str:
    """Digits only, without the China country code; short inputs are not matched on."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
            break
    return digits if len(digits) >= 7 else ""


def normalize_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email or "").strip().lower()

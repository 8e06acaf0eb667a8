"""Amounts in other currencies, compared in CNY at a recorded rate (R-REV-4).

The company reports and sets its approval thresholds in CNY. An amount in another currency
carries the rate to CNY its owner recorded (with the rate's date); conversions round half up
to the fen, so the same amount and rate always give the same CNY figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

BASE_CURRENCY = "CNY"
CENT = Decimal("0.01")
# CNY per unit of the other currency. The bounds catch typing errors (a rate of 0, or of
# 7100 instead of 7.1) without judging the market: any currency the company might quote in
# lies well inside them.
FX_RATE_MIN = Decimal("0.0001")
FX_RATE_MAX = Decimal("1000")


def to_cny(amount: Decimal, currency: str, rate: Decimal | None) -> Decimal | None:
    """``amount`` of ``currency`` in CNY at ``rate`` (CNY per unit), to the fen; None when a
    foreign amount has no rate (the caller decides what a missing rate means)."""
    if currency == BASE_CURRENCY:
        return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if rate is None:
        return None
    return (Decimal(amount) * Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def plain_rate(rate: Decimal) -> str:
    """A rate without trailing zeros (7.1, not 7.100000), for people to read."""
    return format(Decimal(rate).normalize(), "f")


@dataclass(frozen=True)
class Money:
    """An amount as its owner recorded it, with the rate to CNY when it is foreign."""

    amount: Decimal
    currency: str = BASE_CURRENCY
    rate_to_cny: Decimal | None = None
    rate_date: date | None = None

    @property
    def is_foreign(self) -> bool:
        return self.currency != BASE_CURRENCY

    @property
    def cny(self) -> Decimal | None:
        return to_cny(self.amount, self.currency, self.rate_to_cny)


def format_money(amount: Decimal | int | float | None, currency: str | None = BASE_CURRENCY) -> str:
    """The one way an amount is shown (issue 8): two decimals, grouped by thousands as the
    active language writes numbers, then the currency code ("1,500,000.00 CNY"); "—" for none."""
    if amount is None or amount == "":
        return "—"
    number = number_format(Decimal(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} {currency}" if currency else number

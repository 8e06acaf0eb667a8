"""The quote's arithmetic (R-SOL-2, R-QUOTE-1): one rounding rule, defined here once.

THE rule:

- Every figure is a ``Decimal``; nothing passes through ``float``.
- A **line** is rounded once per figure, **half up to the fen (0.01)**:
  ``cost = q(quantity × unit_cost)`` (unit costs are without tax);
  a price **without tax** in the line: ``price_excl = q(quantity × unit_price)``,
  ``tax = q(price_excl × rate / 100)``, ``price_incl = price_excl + tax``;
  a price **with tax** in the line: ``price_incl = q(quantity × unit_price)``,
  ``price_excl = q(price_incl / (1 + rate / 100))``, ``tax = price_incl − price_excl``
  (so excl + tax = incl to the fen on every line, either way).
- ``margin = price_excl − cost`` (tax is not the company's money).
- **Version totals are the sums of the rounded line figures**, never re-rounded, so the
  totals always equal the sum of the lines the customer reads.
- ``margin % = q(margin / price_excl × 100)``, half up to 0.01 percentage point; none when
  the price without tax is zero.
- Amounts are in the version's currency (the opportunity's); the CNY figure is
  ``presales.core.money.to_cny`` of the total at the recorded rate (half up to the fen).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from presales.core.money import Money

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


def q(value: Decimal) -> Decimal:
    """The one rounding: half up to the fen."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Amounts:
    """A line's figures, or a version's totals (sums of the line figures)."""

    cost: Decimal = ZERO
    price_excl: Decimal = ZERO
    tax: Decimal = ZERO
    price_incl: Decimal = ZERO

    @property
    def margin(self) -> Decimal:
        return self.price_excl - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.price_excl:
            return None
        return q(self.margin / self.price_excl * HUNDRED)

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            cost=self.cost + other.cost,
            price_excl=self.price_excl + other.price_excl,
            tax=self.tax + other.tax,
            price_incl=self.price_incl + other.price_incl,
        )


def amounts(
    *, quantity: Decimal, unit_cost: Decimal, unit_price: Decimal, tax_rate: Decimal, tax_inclusive: bool
) -> Amounts:
    """One line's figures under THE rule (module docstring)."""
    quantity, unit_cost, unit_price, tax_rate = (
        Decimal(quantity),
        Decimal(unit_cost),
        Decimal(unit_price),
        Decimal(tax_rate),
    )
    cost = q(quantity * unit_cost)
    gross = q(quantity * unit_price)
    if tax_inclusive:
        price_incl = gross
        price_excl = q(gross / (1 + tax_rate / HUNDRED))
        tax = price_incl - price_excl
    else:
        price_excl = gross
        tax = q(price_excl * tax_rate / HUNDRED)
        price_incl = price_excl + tax
    return Amounts(cost=cost, price_excl=price_excl, tax=tax, price_incl=price_incl)


def line_amounts(line: Any) -> Amounts:
    return amounts(
        quantity=line.quantity,
        unit_cost=line.unit_cost,
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        tax_inclusive=line.tax_inclusive,
    )


def totals(lines: Iterable[Any]) -> Amounts:
    """The version's totals: the sums of its lines' rounded figures."""
    total = Amounts()
    for line in lines:
        total = total + line_amounts(line)
    return total


def quote_money(version: Any, total: Decimal) -> Money:
    """``total`` in the version's currency with its recorded rate to CNY."""
    return Money(
        amount=total,
        currency=version.currency,
        rate_to_cny=version.fx_rate_to_cny,
        rate_date=version.fx_rate_date,
    )

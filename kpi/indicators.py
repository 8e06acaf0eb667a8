"""The KPI indicators' registry (R-KPI-1, R-KPI-2, R-KPI-4).

An indicator is computed from the records for a set of people and one period by aggregate
SQL (one or a few queries whatever the number of people or rows: never a loop over rows in
Python), and links to the records it was computed from. The areas that own the records register
their indicators from their ``registry.register()``: the presales indicators (success rate,
customer satisfaction, solution quality, collaboration rating, training) and the sales ones
(amount signed, payments collected, new customers against targets). Scorecards, the
analytics pages and the API read them only through ``indicators()`` / ``get_indicator()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kpi.periods import Period

PRESALES = "presales"
SALES = "sales"


@dataclass(frozen=True)
class Value:
    """One person's figure for one period. ``value`` is None when there is nothing to measure
    (no closed opportunity, no answer: shown as "no data", never as 0); ``numerator`` /
    ``denominator`` / ``count`` say what it was computed from (shown beside it)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    count: int = 0
    target: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        def text(number: Decimal | None) -> str | None:
            return None if number is None else str(number)

        return {
            "value": text(self.value),
            "numerator": text(self.numerator),
            "denominator": text(self.denominator),
            "count": self.count,
            "target": text(self.target),
        }


NO_DATA = Value(None)

Compute = Callable[[list[int], Period], dict[int, Value]]
RecordsUrl = Callable[[int, Period], str]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any  # a lazy translation
    definition: Any  # how it is computed, written on the page (e.g. what "followed" means)
    rule: str  # "R-KPI-1"
    unit: str  # "percent", "score5", "hours", "amount", "count"
    audiences: frozenset[str]  # PRESALES and/or SALES
    compute: Compute  # user ids, period -> {user id: Value}; people without data may be missing
    records_url: RecordsUrl  # the records behind one person's figure
    higher_is_better: bool = True
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


_INDICATORS: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator) -> Indicator:
    """Register (or replace, by key) an indicator. Called from an area's ``register()``."""
    _INDICATORS[indicator.key] = indicator
    return indicator


def indicators(audience: str | None = None) -> list[Indicator]:
    found = [i for i in _INDICATORS.values() if audience is None or audience in i.audiences]
    return sorted(found, key=lambda i: (i.order, i.key))


def get_indicator(key: str) -> Indicator | None:
    return _INDICATORS.get(key)


def compute_all(keys: Iterable[str], user_ids: list[int], period: Period) -> dict[str, dict[int, Value]]:
    """Each named indicator for the people: one or a few queries per indicator, whatever the
    number of people."""
    result: dict[str, dict[int, Value]] = {}
    for key in keys:
        indicator = _INDICATORS.get(key)
        if indicator is not None:
            result[key] = indicator.compute(list(user_ids), period) if user_ids else {}
    return result

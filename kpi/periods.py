"""Appraisal periods (R-KPI-1): a month, a quarter or a year, as a half-open range of dates and
of aware datetimes in the site's time zone. Every indicator, scorecard, target and chart of the
kpi app reads its period from here, so "2026-11", "2026-Q4" and "2026" mean one thing.

``Period.parse("2026-11")`` / ``("2026-Q4")`` / ``("2026")``; ``period.key`` gives that text back;
``period.start`` / ``period.end`` (dates, end exclusive), ``period.start_at`` / ``period.end_at``
(datetimes); ``period.previous()``, ``period.months()``; ``Period.containing(day, kind)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.core.errors import DomainError


class PeriodKind(models.TextChoices):
    MONTH = "month", gettext_lazy("Month")
    QUARTER = "quarter", gettext_lazy("Quarter")
    YEAR = "year", gettext_lazy("Year")


_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    kind: str

    @classmethod
    def of(cls, kind: str, year: int, number: int = 1) -> Period:
        """The ``number``-th month or quarter of ``year`` (ignored for a year)."""
        if kind == PeriodKind.MONTH:
            if not 1 <= number <= 12:
                raise DomainError(fields={"period": [_("A month is 1 to 12.")]})
            return cls(date(year, number, 1), PeriodKind.MONTH)
        if kind == PeriodKind.QUARTER:
            if not 1 <= number <= 4:
                raise DomainError(fields={"period": [_("A quarter is 1 to 4.")]})
            return cls(date(year, (number - 1) * 3 + 1, 1), PeriodKind.QUARTER)
        if kind == PeriodKind.YEAR:
            return cls(date(year, 1, 1), PeriodKind.YEAR)
        raise DomainError(fields={"period": [_("Unknown kind of period.")]})

    @classmethod
    def parse(cls, text: str, *, field: str = "period") -> Period:
        """``2026-11`` (a month), ``2026-Q4`` (a quarter), ``2026`` (a year); anything else is a
        DomainError on ``field`` (a 400 in the API, a form error in the UI)."""
        value = (text or "").strip()
        for pattern, kind in _PATTERNS:
            match = pattern.match(value)
            if match:
                year = int(match.group(1))
                if not 2000 <= year <= 2100:
                    break
                number = int(match.group(2)) if match.lastindex and match.lastindex > 1 else 1
                try:
                    return cls.of(kind, year, number)
                except DomainError:
                    break
        raise DomainError(
            fields={field: [_("Enter a period as 2026-11 (month), 2026-Q4 (quarter) or 2026 (year).")]}
        )

    @classmethod
    def containing(cls, day: date, kind: str = PeriodKind.MONTH) -> Period:
        if kind == PeriodKind.MONTH:
            return cls.of(kind, day.year, day.month)
        if kind == PeriodKind.QUARTER:
            return cls.of(kind, day.year, (day.month - 1) // 3 + 1)
        return cls.of(PeriodKind.YEAR, day.year)

    @classmethod
    def current(cls, kind: str = PeriodKind.MONTH) -> Period:
        return cls.containing(timezone.localdate(), kind)

    @property
    def end(self) -> date:
        """The first day after the period."""
        return _add_months(self.start, _MONTHS[PeriodKind(self.kind)])

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end, time.min))

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def __str__(self) -> str:
        return self.key

    def previous(self, count: int = 1) -> Period:
        return Period(_add_months(self.start, -_MONTHS[PeriodKind(self.kind)] * count), self.kind)

    def following(self, count: int = 1) -> Period:
        return Period(_add_months(self.start, _MONTHS[PeriodKind(self.kind)] * count), self.kind)

    def months(self) -> list[Period]:
        return [
            Period(_add_months(self.start, i), PeriodKind.MONTH)
            for i in range(_MONTHS[PeriodKind(self.kind)])
        ]

    def contains(self, moment: date | datetime) -> bool:
        if isinstance(moment, datetime):
            return self.start_at <= moment < self.end_at
        return self.start <= moment < self.end

    def is_partial(self, today: date | None = None) -> bool:
        """True while the period is still running (its figures are to date)."""
        today = today or timezone.localdate()
        return self.start <= today < self.end

    def trend(self, count: int) -> list[Period]:
        """``count`` periods ending with this one, oldest first."""
        return [self.previous(i) for i in range(count - 1, -1, -1)]

"""The working-day calendar (R-SLA-2).

A day is a working day when, in this order:
1. the company calendar says so (``CalendarDay``: an extra day off, or an extra working day);
2. else the official Chinese calendar says so (chinese-calendar: weekends, public holidays
   and make-up working days 调休);
3. else, for a year that library does not know, the year was entered by hand by an admin
   (``CalendarYear``): weekends are off and the official days are CalendarDay rows;
4. else the year is not known yet (the library ships a year only once the State Council has
   announced it): the day is *estimated*, Monday to Friday, holidays unknown. Nothing is
   refused for it; the calendar records the year in ``estimated_years``, the timer is
   flagged, the admins are told, and the timer is recomputed when the year is entered
   (presales/sla/services.py).

Working-day limits run in the company time zone (``settings.TIME_ZONE``): a limit of *n*
working days started on day D is due at the end (23:59:59) of the n-th working day after D,
so "archive within 3 working days of signing" leaves three full working days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from presales.core.errors import DomainError
from presales.sla.choices import LimitUnit
from presales.sla.models import CalendarDay, CalendarDayKind, CalendarYear
from presales.sla.policies import PolicyValues

END_OF_DAY = time(23, 59, 59)


def company_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def library_years() -> range:
    """The years chinese-calendar knows (its data ships with the package version)."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


class WorkCalendar:
    """One loaded view of the calendar: company overrides and hand-entered years are read
    once (two queries), then each day is answered from memory. A day of a year nobody knows
    yet is a working day from Monday to Friday, and its year is added to
    ``estimated_years`` (the caller flags what it computed as an estimate)."""

    def __init__(self, overrides: dict[date, bool] | None = None, manual_years: set[int] | None = None):
        self.estimated_years: set[int] = set()
        if overrides is None or manual_years is None:
            if overrides is None:
                overrides = {
                    d: kind == CalendarDayKind.WORKDAY
                    for d, kind in CalendarDay.objects.values_list("date", "kind")
                }
            if manual_years is None:
                manual_years = set(CalendarYear.objects.values_list("year", flat=True))
        self.overrides = overrides
        self.manual_years = manual_years
        self.known = library_years()

    def knows(self, year: int) -> bool:
        """The year's official calendar is known: from the library or entered by an admin."""
        return year in self.known or year in self.manual_years

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            if not self.knows(day.year):
                # A company day of a year not declared complete: the rest of it is a guess.
                self.estimated_years.add(day.year)
            return self.overrides[day]
        if day.year in self.known:
            return chinese_calendar.is_workday(day)
        if day.year not in self.manual_years:
            self.estimated_years.add(day.year)
        return day.weekday() < 5

    def due(self, start: datetime, days: int) -> tuple[datetime, list[int]]:
        """The end of the ``days``-th working day after ``start``, and the years that were
        estimated to find it (empty: exact)."""
        self.estimated_years = set()
        due = self.add_working_days(start, days)
        return due, sorted(self.estimated_years)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the ``days``-th working day after the local day of ``start``."""
        if days <= 0:
            raise ValueError("days must be positive")
        tz = company_tz()
        day = start.astimezone(tz).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return datetime.combine(day, END_OF_DAY, tzinfo=tz)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many a limit has consumed by ``end``."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


def is_workday(day: date) -> bool:
    return WorkCalendar().is_workday(day)


def add_working_days(start: datetime, days: int) -> datetime:
    return WorkCalendar().add_working_days(start, days)


def add_hours(start: datetime, hours: int) -> datetime:
    """Hour limits count calendar time: nights, weekends and holidays included."""
    return start + timedelta(hours=hours)


def compute_due(values: PolicyValues, start: datetime, calendar: WorkCalendar | None = None) -> datetime:
    """The due time of a relative limit started at ``start`` (hours: calendar time; working
    days: the company calendar, R-SLA-2, estimated for a year not known yet)."""
    return compute_due_estimate(values, start, calendar)[0]


def compute_due_estimate(
    values: PolicyValues, start: datetime, calendar: WorkCalendar | None = None
) -> tuple[datetime, list[int]]:
    """``compute_due`` and the years whose working days were estimated to find it (empty:
    the due time is exact)."""
    if values.limit_unit == LimitUnit.HOURS:
        return add_hours(start, values.limit_value), []
    if values.limit_unit == LimitUnit.WORKING_DAYS:
        return (calendar or WorkCalendar()).due(start, values.limit_value)
    raise DomainError(fields={"due_at": [_("This kind of timer needs its due time.")]})

"""The working-day calendar (R-SLA-2).

A day is a working day when, in this order:
1. the company calendar says so (``CalendarDay``: an extra day off, or an extra working day);
2. else the official Chinese calendar says so (chinese-calendar: weekends, public holidays
   and make-up working days 调休);
3. else, for a year that library does not know, the year was entered by hand by an admin
   (``CalendarYear``): weekends are off and the official days are CalendarDay rows;
4. else :class:`CalendarUnknown` is raised: a deadline is never silently computed from a
   guess. Only a caller that must not be refused for it (a review decision is worth more
   than its reminder) asks for an *estimate* (``WorkCalendar(estimate_unknown=True)``):
   weekends off, holidays unknown; it learns which years were estimated, flags its timer and
   tells the administrators (presales/sla/services.py).

Working-day limits run in the company time zone (``settings.TIME_ZONE``): a limit of *n*
working days started on day D is due at the end (23:59:59) of the n-th working day after D,
so "archive within 3 working days of signing" leaves three full working days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils.translation import gettext as _

from presales.core.errors import Conflict

END_OF_DAY = time(23, 59, 59)


class CalendarUnknown(Conflict):
    """The working-day calendar of a year is not known: neither the holiday library nor an
    admin covers it (409, so the caller can tell the user to ask an admin)."""

    default_code = "calendar_unknown"


def company_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def library_years() -> range:
    """The years chinese-calendar knows (its data ships with the package version)."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


class WorkCalendar:
    """One loaded view of the calendar: company overrides and hand-entered years are read
    once (two queries), then each day is answered from memory. With ``estimate_unknown``,
    a day of an unknown year is a working day from Monday to Friday, and the year is added
    to ``estimated_years`` instead of raising :class:`CalendarUnknown`."""

    def __init__(
        self,
        overrides: dict[date, bool] | None = None,
        manual_years: set[int] | None = None,
        *,
        estimate_unknown: bool = False,
    ):
        self.estimate_unknown = estimate_unknown
        self.estimated_years: set[int] = set()
        if overrides is None or manual_years is None:
            from presales.sla.models import CalendarDay, CalendarDayKind, CalendarYear

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

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.known:
            return chinese_calendar.is_workday(day)
        if day.year in self.manual_years:
            return day.weekday() < 5
        if self.estimate_unknown:
            self.estimated_years.add(day.year)
            return day.weekday() < 5
        raise CalendarUnknown(
            _(
                "The working-day calendar for %(year)s is not known yet. An administrator must "
                "enter that year's public holidays and make-up working days first."
            )
            % {"year": day.year},
            extra={"year": day.year},
        )

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

"""The working-day calendar (R-SLA-2): Chinese public holidays, make-up workdays, company days.

Expected dates come from the official schedules as chinese-calendar records them; each test
names the days that make the answer what it is.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from presales.core.roles import Role
from presales.sla.calendar import WorkCalendar, add_hours, add_working_days, library_years
from presales.sla.models import CalendarDay, CalendarDayKind, CalendarYear
from presales.sla.services import calendar_day_set, calendar_year_declare

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")


def test_library_knows_2025_and_2026_but_not_2027():
    """R-SLA-2: the pinned chinese-calendar 1.11.0 covers up to 2026; 2027 must be entered."""
    # given the pinned library; then its data ends with 2026
    assert 2025 in library_years() and 2026 in library_years()
    assert 2027 not in library_years()
    # and it has the 2026 Spring Festival make-up Saturday (2026-02-14) as a working day
    assert chinese_calendar.is_workday(date(2026, 2, 14))


def test_contract_signed_before_national_day_archives_after_the_holiday_r_con_4():
    """R-SLA-2 / R-CON-4: signed Tue 2025-09-30, +3 working days. Oct 1-8 are the National
    Day and Mid-Autumn holidays; Oct 9 (Thu) and Oct 10 (Fri) count, and Sat Oct 11 is a
    make-up working day, so the contract is due at the end of 2025-10-11."""
    # when
    due = add_working_days(at(2025, 9, 30, 17), 3)
    # then
    assert due == end_of(2025, 10, 11)
    assert chinese_calendar.get_workdays(date(2025, 10, 1), date(2025, 10, 11)) == [
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),
    ]


def test_make_up_sunday_counts_as_a_working_day():
    """R-SLA-2: Sunday 2025-09-28 is a make-up working day: Friday + 1 working day is Sunday."""
    assert add_working_days(at(2025, 9, 26), 1) == end_of(2025, 9, 28)


def test_spring_festival_2026_make_up_saturdays_and_the_holiday_week():
    """R-SLA-2: 2026-02-14 (Sat) is worked, Feb 15-23 are off, so from Fri Feb 13:
    +1 → Sat Feb 14, +2 → Tue Feb 24."""
    assert add_working_days(at(2026, 2, 13), 1) == end_of(2026, 2, 14)
    assert add_working_days(at(2026, 2, 13), 2) == end_of(2026, 2, 24)


def test_ordinary_weekend_is_skipped():
    """R-SLA-2: Fri 2025-11-14 + 1 working day → Mon 2025-11-17."""
    assert add_working_days(at(2025, 11, 14), 1) == end_of(2025, 11, 17)


def test_working_days_count_in_the_company_time_zone():
    """R-SLA-2: 2025-09-30 20:00 UTC is already Oct 1 in Shanghai (a holiday): +1 → Oct 9."""
    start = datetime(2025, 9, 30, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert add_working_days(start, 1) == end_of(2025, 10, 9)


def test_company_day_off_is_skipped(admin):
    """R-SLA-2: an admin closes the office on Fri 2025-10-10: the archive deadline of a
    contract signed 2025-09-30 moves from Oct 11 to Mon Oct 13."""
    # given
    calendar_day_set(actor=admin, day=date(2025, 10, 10), kind=CalendarDayKind.DAY_OFF, name="Offsite")
    # when
    due = add_working_days(at(2025, 9, 30), 3)
    # then
    assert due == end_of(2025, 10, 13)


def test_company_extra_workday_counts(admin):
    """R-SLA-2: Sat 2025-11-01 declared a company working day: Fri Oct 31 + 1 → Nov 1."""
    calendar_day_set(actor=admin, day=date(2025, 11, 1), kind=CalendarDayKind.WORKDAY, name="Stocktaking")
    assert add_working_days(at(2025, 10, 31), 1) == end_of(2025, 11, 1)


def test_hours_limits_ignore_holidays():
    """R-SLA-2: limits in hours count calendar time, National Day or not."""
    assert add_hours(at(2025, 9, 30, 18), 24) == at(2025, 10, 1, 18)


def test_unknown_year_is_estimated_weekends_only_not_refused():
    """R-SLA-2: 2027 is not in the library: its days count Monday to Friday, and the calendar
    says which year it estimated (Thu 2026-12-31 + 1 → Fri 2027-01-01; + 2 → Mon 01-04)."""
    calendar = WorkCalendar()
    assert calendar.due(at(2026, 12, 31), 1) == (end_of(2027, 1, 1), [2027])
    assert calendar.due(at(2026, 12, 31), 2) == (end_of(2027, 1, 4), [2027])
    # a limit that stays in a known year is exact
    assert calendar.due(at(2026, 12, 28), 2) == (end_of(2026, 12, 30), [])
    assert not calendar.knows(2027) and calendar.knows(2026)


def test_year_entered_by_an_admin_is_used(admin):
    """R-SLA-2: an admin enters the 2027 New Year holiday and declares the year; then
    weekends and the entered days count (Thu 2026-12-31 + 1 → Mon 2027-01-04)."""
    # given
    calendar_day_set(actor=admin, day=date(2027, 1, 1), kind=CalendarDayKind.DAY_OFF, name="New Year")
    calendar_year_declare(actor=admin, year=2027, note="State Council notice")
    # when / then
    assert add_working_days(at(2026, 12, 31), 1) == end_of(2027, 1, 4)
    assert CalendarYear.objects.filter(year=2027).exists()


def test_declaring_a_year_needs_its_days_and_an_admin(admin, engineer):
    from presales.core.errors import DomainError, NotAllowed

    # a year without entered days is refused
    with pytest.raises(DomainError):
        calendar_year_declare(actor=admin, year=2027)
    # a year the library knows is refused
    with pytest.raises(DomainError):
        calendar_year_declare(actor=admin, year=2026)
    # a non-admin cannot change the calendar, and nothing is saved
    with pytest.raises(NotAllowed):
        calendar_day_set(actor=engineer, day=date(2027, 1, 1), kind=CalendarDayKind.DAY_OFF)
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


def test_work_calendar_loads_overrides_once(django_assert_num_queries, admin):
    """Counting many days costs two queries, not one per day."""
    calendar_day_set(actor=admin, day=date(2025, 12, 24), kind=CalendarDayKind.DAY_OFF)
    official = chinese_calendar.get_workdays(date(2025, 1, 2), date(2025, 12, 31))
    with django_assert_num_queries(2):
        cal = WorkCalendar()
        # 2025 has 248 official working days after Jan 1; the company closes one of them
        assert cal.working_days_between(date(2025, 1, 1), date(2025, 12, 31)) == len(official) - 1 == 247

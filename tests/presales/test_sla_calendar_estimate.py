"""Working-day timers that reach a year the calendar does not know yet (2027 with
chinese-calendar 1.11.0): estimated, flagged, recomputed when an admin enters the year;
reminders sent once; the admins alerted from 1 November and at each estimated timer; no
service refused (R-SLA-2, R-SLA-3).

Every time is fixed: timers get an explicit start, services run under a frozen
``timezone.now``; nothing depends on today's date.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.choices import Channel, LeadSource
from leads.services import communication_create, lead_create
from opportunities.services import initiation_save, initiation_submit
from presales.core.roles import Role
from presales.sla.calendar import library_years
from presales.sla.defaults import CONTRACT_ARCHIVE, INITIATION_REVIEW, LEAD_FIRST_CONTACT, REVIEW_STEP
from presales.sla.models import CalendarDayKind, Notification, Timer, TimerState
from presales.sla.notifications import CALENDAR_UNKNOWN, REMINDER
from presales.sla.services import (
    calendar_check,
    calendar_day_set,
    calendar_year_declare,
    sla_policy_update,
    timer_satisfy,
    timer_start,
    timers_recompute_estimated,
)
from presales.sla.sweep import sweep
from presales.sla.tasks import check_work_calendar_task
from reviews.choices import StepMode
from reviews.models import ReviewTask
from reviews.selectors import reviews_for_subject
from reviews.services import review_decide
from tests.factories import (
    CustomerFactory,
    LeadFactory,
    OpportunityFactory,
    ReviewChainFactory,
    ReviewChainStepFactory,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
YEAR = 2027


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def local(value):
    return timezone.localtime(value, SH)


@pytest.fixture(autouse=True)
def _2027_is_unknown():
    # The pinned library stops at 2026 (tests/presales/test_calendar.py proves it).
    assert YEAR not in library_years()


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")


@pytest.fixture
def frozen_now(monkeypatch):
    """``frozen_now(datetime)``: ``timezone.now()`` answers that time from then on."""

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


def enter_2027(admin, *, days_off=(), workdays=()):
    """The admin enters the official 2027 days on the calendar page and declares the year."""
    for day in days_off:
        calendar_day_set(actor=admin, day=day, kind=CalendarDayKind.DAY_OFF, name="Holiday")
    for day in workdays:
        calendar_day_set(actor=admin, day=day, kind=CalendarDayKind.WORKDAY, name="Make-up working day")
    return calendar_year_declare(actor=admin, year=YEAR, note="State Council notice")


def sweep_at(moment):
    return sweep(now=moment, enqueue=lambda pk: None, recover=False)


# --- estimated, flagged, recomputed ----------------------------------------------------------------


def test_a_working_day_timer_into_2027_is_estimated_and_flagged_R_SLA_2(engineer, team, admin):
    # given a contract signed on Thu 2026-12-31 (3 working days to archive it)
    lead = LeadFactory(team=team, owner=engineer)
    # when its timer starts
    timer = timer_start(kind=CONTRACT_ARCHIVE, subject=lead, owner=engineer, start=at(2026, 12, 31))
    # then 2027 counts weekends only: Fri Jan 1, Mon Jan 4, Tue Jan 5; the timer says so
    assert local(timer.due_at) == end_of(2027, 1, 5)
    assert (timer.due_estimated, timer.estimated_years) == (True, [YEAR])
    # and the reminder (24 h before) is planned on the estimate
    assert local(timer.next_action_at) == end_of(2027, 1, 4)


def test_entering_2027_recomputes_the_estimated_timer_R_SLA_2(engineer, team, admin):
    """Jan 1 (Fri) and Jan 4 (Mon) off, Sat Jan 2 a make-up working day: Dec 31 + 3 working
    days is Sat Jan 2, Tue Jan 5, Wed Jan 6 (without the make-up day: Jan 7; without the
    holidays: the estimate, Jan 5)."""
    # given an estimated timer and a timer whose due time was exact (it stays as it is)
    lead = LeadFactory(team=team, owner=engineer)
    timer = timer_start(kind=CONTRACT_ARCHIVE, subject=lead, owner=engineer, start=at(2026, 12, 31))
    exact = timer_start(
        kind=CONTRACT_ARCHIVE, subject=LeadFactory(team=team), owner=engineer, start=at(2026, 12, 1)
    )
    exact_before = (exact.due_at, exact.next_action_at, exact.context)
    # when the admin enters the 2027 schedule and declares the year
    entry = enter_2027(admin, days_off=[date(2027, 1, 1), date(2027, 1, 4)], workdays=[date(2027, 1, 2)])
    # then the timer is due at the end of Wed Jan 6, no longer estimated
    timer.refresh_from_db()
    assert local(timer.due_at) == end_of(2027, 1, 6)
    assert not timer.due_estimated and "due_estimated" not in timer.context
    assert timer.context["due_recomputed"]["from"] == end_of(2027, 1, 5).isoformat()
    # and its reminder moved with it (24 h before the new due time)
    assert local(timer.next_action_at) == end_of(2027, 1, 5)
    assert entry.recomputed == 1
    exact.refresh_from_db()
    assert (exact.due_at, exact.next_action_at, exact.context) == exact_before


def test_reminders_already_sent_are_not_sent_again_after_recomputation_R_SLA_3(engineer, team, admin):
    # given a review step timer (2 working days, reminder 4 h before) started Thu 2026-12-31:
    # estimated due Mon Jan 4 23:59:59, reminded at 19:59:59 by the sweep
    lead = LeadFactory(team=team, owner=engineer)
    timer = timer_start(kind=REVIEW_STEP, subject=lead, owner=engineer, start=at(2026, 12, 31))
    assert local(timer.due_at) == end_of(2027, 1, 4)
    assert sweep_at(at(2027, 1, 4, 20)).reminders == 1
    # when 2027 is entered with Jan 1 and Jan 4 off: due Wed Jan 6
    enter_2027(admin, days_off=[date(2027, 1, 1), date(2027, 1, 4)])
    timer.refresh_from_db()
    assert local(timer.due_at) == end_of(2027, 1, 6)
    # then the reminder counts as sent: the next action is the escalation at the new due time
    assert timer.reminders_sent == 1 and local(timer.next_action_at) == end_of(2027, 1, 6)
    # and a sweep at the recomputed reminder time sends nothing; after due it escalates
    assert sweep_at(at(2027, 1, 6, 20)).notifications == 0
    assert sweep_at(at(2027, 1, 7, 0, 1)).escalations == 1
    reminders = Notification.objects.filter(kind=REMINDER, timer=timer)
    assert list(reminders.values_list("key", flat=True)) == [f"timer:{timer.pk}:remind:1"]


def test_a_sent_reminder_whose_new_time_is_past_stays_sent_R_SLA_3(engineer, team, admin):
    # given the same timer, reminded on Mon Jan 4 at 20:00 (estimated due Jan 4)
    lead = LeadFactory(team=team, owner=engineer)
    timer = timer_start(kind=REVIEW_STEP, subject=lead, owner=engineer, start=at(2026, 12, 31))
    sweep_at(at(2027, 1, 4, 20))
    # when 2027 turns out to have a make-up Saturday on Jan 2: due Sat Jan 2, already past
    enter_2027(admin, workdays=[date(2027, 1, 2)])
    timer.refresh_from_db()
    assert local(timer.due_at) == end_of(2027, 1, 2)
    # then the next sweep escalates (overdue now) and sends no second reminder
    result = sweep_at(at(2027, 1, 4, 21))
    assert (result.reminders, result.escalations) == (0, 1)
    assert Notification.objects.filter(kind=REMINDER, timer=timer).count() == 1


def test_an_unsent_reminder_follows_the_recomputed_time(engineer, team, admin):
    """A reminder not sent yet is sent at its recomputed time (once), not at the estimate."""
    lead = LeadFactory(team=team, owner=engineer)
    timer = timer_start(kind=REVIEW_STEP, subject=lead, owner=engineer, start=at(2026, 12, 31))
    enter_2027(admin, days_off=[date(2027, 1, 1), date(2027, 1, 4)])  # due Wed Jan 6
    assert sweep_at(at(2027, 1, 4, 20)).notifications == 0  # the estimate's reminder time
    assert sweep_at(at(2027, 1, 6, 20)).reminders == 1
    assert Notification.objects.filter(kind=REMINDER, timer=timer).count() == 1


def test_closed_timers_and_timers_of_still_unknown_years_are_left_alone(engineer, team, admin):
    lead = LeadFactory(team=team, owner=engineer)
    done = timer_start(kind=REVIEW_STEP, subject=lead, owner=engineer, start=at(2026, 12, 31))
    timer_satisfy(kind=REVIEW_STEP, subject=lead, at=at(2027, 1, 2))
    later = timer_start(
        kind=REVIEW_STEP, subject=LeadFactory(team=team), owner=engineer, start=at(2028, 3, 3)
    )
    enter_2027(admin, days_off=[date(2027, 1, 1)])
    done.refresh_from_db()
    later.refresh_from_db()
    assert local(done.due_at) == end_of(2027, 1, 4) and done.estimated_years == [YEAR]
    assert later.estimated_years == [2028]
    assert timers_recompute_estimated() == 0


def test_a_recomputed_first_contact_moves_the_leads_due_time_too(engineer, team, admin, frozen_now):
    """The lead shows its first-contact timer's due time (R-LEAD-3): it follows the timer."""
    sla_policy_update(
        actor=admin, kind=LEAD_FIRST_CONTACT, data={"limit_value": 1, "limit_unit": "working_days"}
    )
    frozen_now(at(2026, 12, 31, 12))
    lead = lead_create(
        actor=engineer,
        data={
            "source": LeadSource.TRADE_SHOW,
            "company_name": "Ningbo Pumps",
            "contact_name": "Li",
            "phone": "13800000009",
            "received_at": at(2026, 12, 31),
        },
    )
    assert local(lead.first_contact_due_at) == end_of(2027, 1, 1)
    enter_2027(admin, days_off=[date(2027, 1, 1)])
    lead.refresh_from_db()
    assert (
        local(lead.first_contact_due_at)
        == end_of(2027, 1, 4)
        == local(Timer.objects.get(kind=LEAD_FIRST_CONTACT).due_at)
    )


# --- the admins are told ------------------------------------------------------------------------


def test_admins_are_told_about_each_estimated_timer_once_R_SLA_2(engineer, team, admin, make_user):
    # given two admins (a superuser counts) and an inactive one
    boss = make_user(team=team, username="root", is_superuser=True)
    make_user(Role.ADMIN, team=team, username="gone", is_active=False)
    lead = LeadFactory(team=team, owner=engineer)
    # when one estimated timer starts, is started again (a retry), and a second one starts
    first = timer_start(kind=REVIEW_STEP, subject=lead, owner=engineer, start=at(2026, 12, 31))
    timer_start(kind=REVIEW_STEP, subject=lead, owner=engineer, start=at(2026, 12, 31))
    second = timer_start(kind=CONTRACT_ARCHIVE, subject=lead, owner=engineer, start=at(2026, 12, 31))
    # then each active admin got one alert per timer, linking the calendar page
    alerts = Notification.objects.filter(kind=CALENDAR_UNKNOWN)
    assert sorted(alerts.values_list("key", flat=True)) == sorted(
        f"calendar:{YEAR}:timer:{t.pk}:{a.pk}" for t in (first, second) for a in (admin, boss)
    )
    assert {n.url for n in alerts} == {reverse("sla:calendar")}
    # and once the year is entered, a new timer into it is exact and alerts nobody
    enter_2027(admin, days_off=[date(2027, 1, 1)])
    third = timer_start(
        kind=REVIEW_STEP, subject=LeadFactory(team=team), owner=engineer, start=at(2026, 12, 31)
    )
    assert not third.due_estimated and alerts.count() == 4


def test_the_daily_check_tells_the_admins_from_november_1_once_R_SLA_2(admin, make_user, team):
    # before 1 November (company time): nothing
    assert calendar_check(now=at(2026, 10, 31, 23, 59))["told"] == 0
    assert not Notification.objects.exists()
    # on 1 November 01:00 in Shanghai (still 31 October in UTC): each admin is told about 2027
    result = calendar_check(now=datetime(2026, 10, 31, 17, 0, tzinfo=ZoneInfo("UTC")))
    assert (result["unknown"], result["told"]) == ([YEAR], 1)
    alert = Notification.objects.get()
    assert (alert.recipient, alert.kind, alert.key) == (
        admin,
        CALENDAR_UNKNOWN,
        f"calendar:{YEAR}:unknown:{admin.pk}",
    )
    assert "2027" in alert.title and alert.url == reverse("sla:calendar")
    # the next days: not again
    assert calendar_check(now=at(2026, 11, 2, 8))["told"] == 0
    assert calendar_check(now=at(2026, 12, 20, 8))["told"] == 0
    assert Notification.objects.count() == 1
    # an admin who joins later is told once too
    late = make_user(Role.ADMIN, team=team, username="late_admin")
    assert calendar_check(now=at(2026, 12, 21, 8))["told"] == 1
    assert Notification.objects.filter(recipient=late).count() == 1


def test_the_daily_check_is_quiet_once_the_year_is_entered(admin):
    enter_2027(admin, days_off=[date(2027, 1, 1)])
    assert calendar_check(now=at(2026, 11, 1, 8)) == {"unknown": [], "told": 0, "recomputed": 0}
    assert not Notification.objects.exists()


def test_the_daily_check_recomputes_timers_whose_year_became_known(engineer, team, admin):
    """A safety net: a timer estimated while the year was being declared (or before a library
    upgrade) is recomputed by the next daily check."""
    timer = timer_start(
        kind=REVIEW_STEP, subject=LeadFactory(team=team), owner=engineer, start=at(2026, 12, 31)
    )
    calendar_day_set(actor=admin, day=date(2027, 1, 1), kind=CalendarDayKind.DAY_OFF)
    from presales.sla.models import CalendarYear

    CalendarYear.objects.create(year=YEAR, declared_by=admin)  # declared without the service
    assert calendar_check(now=at(2027, 1, 1, 8))["recomputed"] == 1
    timer.refresh_from_db()
    assert local(timer.due_at) == end_of(2027, 1, 5) and not timer.due_estimated


def test_the_daily_check_runs_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["check-work-calendar"]
    assert entry["task"] == check_work_calendar_task.name


# --- nothing a user does is refused ------------------------------------------------------------------


def test_no_service_refuses_with_2027_unknown_R_SLA_2(
    engineer, team, admin, make_user, frozen_now, django_capture_on_commit_callbacks
):
    """Lead intake, a promised follow-up, an initiation request and the review decision all
    go through on Thu 2026-12-31, their working-day deadlines estimated."""
    sales_manager = make_user(Role.SALES_MANAGER, team=team, username="sm")
    sla_policy_update(
        actor=admin, kind=LEAD_FIRST_CONTACT, data={"limit_value": 1, "limit_unit": "working_days"}
    )
    chain = ReviewChainFactory(kind="initiation")
    ReviewChainStepFactory(chain=chain, order=1, approver_role=Role.SALES_MANAGER, mode=StepMode.ANY)
    ReviewChainStepFactory(chain=chain, order=2, approver_role=Role.SALES_MANAGER, mode=StepMode.ANY)
    now = frozen_now(at(2026, 12, 31, 15))
    # lead intake
    lead = lead_create(
        actor=engineer,
        data={
            "source": LeadSource.TRADE_SHOW,
            "company_name": "Suzhou Gears",
            "contact_name": "Wang",
            "phone": "13800000007",
            "received_at": now,
        },
    )
    # a promised follow-up into 2027
    communication_create(
        actor=engineer,
        customer=CustomerFactory(team=team),
        data={
            "channel": Channel.PHONE,
            "key_points": "Call",
            "next_step": "Quote",
            "next_step_due_at": at(2027, 1, 8),
        },
    )
    # the initiation request and its first decision (which opens the second step)
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    initiation = initiation_save(
        actor=engineer,
        opportunity=opportunity,
        data={"background": "b", "sales_strategy": "s", "expected_goals": "g"},
    )
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review = reviews_for_subject(initiation).first()
    review_decide(actor=sales_manager, review=review, decision="approve")
    # then every working-day timer is open and estimated, none refused
    estimated = {
        t.kind: local(t.due_at) for t in Timer.objects.filter(state=TimerState.OPEN) if t.due_estimated
    }
    assert estimated == {
        LEAD_FIRST_CONTACT: end_of(2027, 1, 1),
        INITIATION_REVIEW: end_of(2027, 1, 4),
        REVIEW_STEP: end_of(2027, 1, 4),
    }
    assert lead.pk and ReviewTask.objects.filter(review=review, step_order=2, state="pending").exists()
    assert now == timezone.now()


# --- shown as estimated ----------------------------------------------------------------------------


def test_estimated_timers_are_shown_and_declaring_on_the_page_recomputes_them(
    client, client_for, engineer, team, admin
):
    # given an estimated timer of the engineer
    timer = timer_start(
        kind=REVIEW_STEP, subject=LeadFactory(team=team), owner=engineer, start=at(2026, 12, 31)
    )
    # then the API flags it, the deadlines page shows "estimated", the calendar page counts it
    body = client_for(engineer).get(reverse("timer-list")).json()["results"]
    assert [(t["id"], t["due_estimated"], t["estimated_years"]) for t in body] == [(timer.pk, True, [YEAR])]
    client.force_login(engineer)
    assert 'data-testid="due-estimated"' in client.get(reverse("sla:deadlines")).content.decode()
    client.force_login(admin)
    page = client.get(reverse("sla:calendar")).content.decode()
    assert 'data-testid="calendar-estimated"' in page and "2027" in page
    # when the admin enters New Year's Day and declares 2027 on the calendar page
    client.post(reverse("sla:calendar"), {"date": "2027-01-01", "kind": "day_off", "name": "New Year"})
    response = client.post(reverse("sla:calendar"), {"year": "2027", "note": "State Council"}, follow=True)
    # then the timer is recomputed (Mon Jan 4 + Tue Jan 5) and no longer flagged anywhere
    assert "Estimated deadlines recomputed with it: 1." in response.content.decode()
    assert 'data-testid="calendar-estimated"' not in response.content.decode()
    timer.refresh_from_db()
    assert local(timer.due_at) == end_of(2027, 1, 5)
    body = client_for(engineer).get(reverse("timer-list")).json()["results"]
    assert (body[0]["due_estimated"], body[0]["estimated_years"]) == (False, [])

"""Declaring a year while the sweep is reminding the same timer (R-SLA-2, R-SLA-3), against
the real PostgreSQL row locks.

The sweep holds the timer's lock while it sends the reminder; the declaration's
recomputation waits for it, then reads the sent reminder and keeps it sent: the next action
is the escalation at the recomputed due time. Without the lock it would plan the reminder
again from the counters it read before the sweep committed.
"""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections, transaction
from django.utils import timezone

from presales.core.roles import Role
from presales.sla.defaults import REVIEW_STEP
from presales.sla.models import CalendarDayKind, Notification, Timer
from presales.sla.notifications import REMINDER
from presales.sla.services import calendar_day_set, calendar_year_declare, timer_start
from presales.sla.sweep import sweep_batch
from tests.concurrency import wait_until_blocked
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db(transaction=True)
SH = ZoneInfo("Asia/Shanghai")


def test_declaring_the_year_waits_for_the_sweep_and_keeps_its_reminder_sent_R_SLA_3(make_user, team):
    # given an estimated review-step timer (Thu 2026-12-31 + 2 working days: Mon 2027-01-04)
    admin = make_user(Role.ADMIN, team=team, username="admin", email="")  # in-app alerts only
    engineer = make_user(Role.PRESALES_ENGINEER, team=team, username="engineer")
    lead = LeadFactory(team=team, owner=engineer)
    timer = timer_start(
        kind=REVIEW_STEP, subject=lead, owner=engineer, start=datetime(2026, 12, 31, 10, tzinfo=SH)
    )
    for day in (date(2027, 1, 1), date(2027, 1, 4)):
        calendar_day_set(actor=admin, day=day, kind=CalendarDayKind.DAY_OFF, name="New Year")
    outcome: dict = {}

    def declare():
        try:
            outcome["entry"] = calendar_year_declare(actor=admin, year=2027)
        except Exception as exc:
            outcome["error"] = exc
        finally:
            connections.close_all()

    # when the sweep sends the estimate's reminder and, before it commits, the year is declared
    with transaction.atomic():
        assert (
            sweep_batch(now=datetime(2027, 1, 4, 20, tzinfo=SH), batch_size=10, enqueue=lambda pk: None) == 1
        )
        thread = threading.Thread(target=declare)
        thread.start()
        assert wait_until_blocked(), "the declaration did not wait for the timer"
    thread.join(timeout=30)
    # then the timer was recomputed after the sweep: due Wed Jan 6, reminder kept as sent
    assert "error" not in outcome, outcome
    assert outcome["entry"].recomputed == 1
    timer = Timer.objects.get(pk=timer.pk)
    due = datetime(2027, 1, 6, 23, 59, 59, tzinfo=SH)
    assert (timezone.localtime(timer.due_at, SH), timer.reminders_sent) == (due, 1)
    assert timezone.localtime(timer.next_action_at, SH) == due  # the escalation, not the reminder
    assert Notification.objects.filter(kind=REMINDER, timer=timer).count() == 1

"""Issue 9: the sweep acts on many communication follow-up timers (reminders and
escalations naming the record and linking to its page) for the same number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import Channel
from leads.services import communication_create
from presales.sla.defaults import COMMUNICATION_FOLLOW_UP
from presales.sla.models import Notification, Timer, TimerState
from presales.sla.sweep import sweep
from tests.factories import CustomerFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_issue_9_sweeping_communication_timers_costs_the_same_for_one_or_many(engineer, manager, team):
    def overdue_follow_ups(n: int) -> int:
        for i in range(n):
            # customers' and leads' communications: their links come from the ids
            target = {"customer": CustomerFactory(team=team)} if i % 2 else {"lead": LeadFactory(team=team)}
            communication_create(
                actor=engineer,
                **target,
                data={
                    "channel": Channel.PHONE,
                    "key_points": "Call",
                    "next_step": "Send the quote",
                    "next_step_due_at": timezone.now() + timedelta(days=1),
                },
            )
        open_timers = Timer.objects.filter(kind=COMMUNICATION_FOLLOW_UP, state=TimerState.OPEN)
        due = max(open_timers.values_list("due_at", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            sweep(now=due + timedelta(days=2), enqueue=lambda pk: None, recover=False)
        return len(ctx.captured_queries)

    overdue_follow_ups(1)  # warms the per-process caches (content types)
    one = overdue_follow_ups(1)
    assert overdue_follow_ups(4) == one
    # the escalations reached the manager, with the records' pages as links
    urls = set(Notification.objects.filter(recipient=manager).values_list("url", flat=True))
    assert any("/leads/customers/" in u for u in urls) and any("/leads/leads/" in u for u in urls)

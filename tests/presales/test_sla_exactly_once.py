"""Each reminder and escalation is created once and delivered once, whatever runs twice,
dies half-way or loses its broker (R-SLA-3).

The concurrency tests use real transactions and one database connection per thread.
"""

import threading
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction

from presales.core.roles import Role
from presales.sla import delivery as delivery_module
from presales.sla.defaults import LEAD_FIRST_CONTACT
from presales.sla.delivery import LEASE, MAX_ATTEMPTS, deliver
from presales.sla.models import Delivery, DeliveryState, Notification, Timer
from presales.sla.notifications import RECOVERY_AFTER, REMINDER, notify
from presales.sla.services import sla_policy_update, timer_start
from presales.sla.sweep import recover_deliveries, sweep
from tests.concurrency import run_in_threads
from tests.factories import LeadFactory, TeamFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)


def _in_threads(count: int, target) -> list:
    """Run ``target(i)`` in ``count`` threads released together (tests/concurrency.py); none
    may fail."""
    results = run_in_threads(*[lambda i=i: target(i) for i in range(count)], together=True, timeout=120)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def _setup_due_timers(n: int):
    team = TeamFactory(name="Concurrency team")
    manager = UserFactory(roles=[Role.PRESALES_MANAGER], team=team, username="conc_manager")
    team.manager = manager
    team.save()
    owner = UserFactory(roles=[Role.PRESALES_ENGINEER], team=team, username="conc_owner")
    admin = UserFactory(roles=[Role.ADMIN], team=team, username="conc_admin")
    sla_policy_update(
        actor=admin,
        kind=LEAD_FIRST_CONTACT,
        data={
            "limit_value": 24,
            "limit_unit": "hours",
            "reminder_hours": [4],
            "escalate_to": "owner_manager",
        },
    )
    for _ in range(n):
        timer_start(
            kind=LEAD_FIRST_CONTACT, subject=LeadFactory(team=team, owner=owner), owner=owner, start=T0
        )
    return owner, manager


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_create_each_notification_once_r_sla_3():
    """R-SLA-3: two sweeps start together on the same 30 due timers (small batches, so they
    interleave): every reminder exists once and every delivery is enqueued once."""
    # given 30 timers whose reminder is due
    _setup_due_timers(30)
    enqueued: list[int] = []
    lock = threading.Lock()

    def enqueue(pk):
        with lock:
            enqueued.append(pk)

    # when
    results = _in_threads(2, lambda i: sweep(now=T0 + timedelta(hours=20), batch_size=7, enqueue=enqueue))
    # then
    assert Notification.objects.count() == 30
    assert Notification.objects.filter(key__contains=":remind:1").count() == 30
    assert sum(r.timers for r in results) == 30  # each timer claimed by exactly one sweep
    assert sorted(enqueued) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(enqueued) == len(set(enqueued)) == 30
    assert set(Timer.objects.values_list("reminders_sent", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_and_two_workers_deliver_each_escalation_once():
    """R-SLA-3: the escalation step, swept twice at once, then each delivery run by two
    workers at once: one notification per person and one email per notification."""
    # given 10 overdue timers (owner + manager are told of each)
    _setup_due_timers(10)
    enqueued: list[int] = []
    lock = threading.Lock()

    def enqueue(pk):
        with lock:
            enqueued.append(pk)

    now = T0 + timedelta(hours=25)
    _in_threads(2, lambda i: sweep(now=now, batch_size=3, enqueue=enqueue))
    assert Notification.objects.filter(key__contains=":escalate:1:").count() == 20
    assert len(enqueued) == len(set(enqueued)) == 20
    # when two workers receive every delivery (a redelivered message)
    mail.outbox.clear()
    outcomes = _in_threads(2, lambda i: [deliver(delivery_id=pk, now=now) for pk in enqueued])
    # then each email went out once
    assert len(mail.outbox) == 20
    assert sorted(m.subject for m in mail.outbox) == sorted(
        Notification.objects.values_list("title", flat=True)
    )
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 20
    assert sum(o.count("sent") for o in outcomes) == 20


def _one_delivery(now):
    user = UserFactory(roles=[Role.PRESALES_ENGINEER], email="owner@example.com")
    with transaction.atomic():
        notify(
            recipient=user, kind=REMINDER, key="test:1", title="Due soon", now=now, enqueue=lambda pk: None
        )
    return Delivery.objects.get()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_delivery_is_delivered_once_later():
    """R-SLA-3: a worker dies after claiming (row left 'sending'): a second worker keeps off
    while the lease runs; after it expires the sweep's recovery re-enqueues it and it is
    sent exactly once."""
    # given a claimed delivery whose worker dies before reporting
    delivery = _one_delivery(T0)
    mail.outbox.clear()
    with (
        mock.patch.dict(
            delivery_module.SENDERS, {"email": mock.Mock(side_effect=SystemExit("worker killed"))}
        ),
        pytest.raises(SystemExit),
    ):
        deliver(delivery_id=delivery.pk, now=T0)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENDING, 1)
    # when another worker gets it while the lease runs: it stays off
    assert deliver(delivery_id=delivery.pk, now=T0 + timedelta(minutes=1)) == "busy"
    assert recover_deliveries(now=T0 + timedelta(minutes=1), enqueue=lambda pk: None) == 0
    # when the lease has expired, the sweep re-enqueues it
    enqueued: list[int] = []
    later = T0 + LEASE + timedelta(seconds=1)
    sweep(now=later, enqueue=enqueued.append)
    assert enqueued == [delivery.pk]
    # then the retry sends it once, and any further copy does nothing
    assert deliver(delivery_id=delivery.pk, now=later) == "sent"
    assert deliver(delivery_id=delivery.pk, now=later) == "done"
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)
    sweep(now=later + timedelta(hours=1), enqueue=enqueued.append)
    assert enqueued == [delivery.pk]


@pytest.mark.django_db(transaction=True)
def test_lost_broker_messages_are_recovered_from_postgresql():
    """R-SLA-3: the on-commit enqueue never reached a worker (Redis flushed): nothing is
    lost; once the grace period has passed, the sweep enqueues it again, once."""
    # given a reminder whose enqueue was lost
    _setup_due_timers(1)
    lost: list[int] = []
    sweep(now=T0 + timedelta(hours=20), enqueue=lost.append)
    assert len(lost) == 1 and Delivery.objects.get().state == DeliveryState.PENDING
    # when sweeps run before the grace period ends: nothing is enqueued twice
    enqueued: list[int] = []
    sweep(now=T0 + timedelta(hours=20, minutes=1), enqueue=enqueued.append)
    assert enqueued == []
    # when the grace period has passed
    recovery_time = T0 + timedelta(hours=20) + RECOVERY_AFTER
    sweep(now=recovery_time, enqueue=enqueued.append)
    sweep(now=recovery_time, enqueue=enqueued.append)  # a second sweep in the same minute
    # then it is enqueued once and delivered once
    assert enqueued == lost
    mail.outbox.clear()
    assert deliver(delivery_id=enqueued[0], now=recovery_time) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_transient_errors_retry_with_backoff_and_stop():
    """Transient failures go back to pending with a growing delay; after MAX_ATTEMPTS the
    delivery is failed; nothing is sent twice."""
    from presales.sla.delivery import TransientError, backoff

    delivery = _one_delivery(T0)
    now = T0
    failing = mock.Mock(side_effect=TransientError("connection refused"))
    with mock.patch.dict(delivery_module.SENDERS, {"email": failing}):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            outcome = deliver(delivery_id=delivery.pk, now=now)
            delivery.refresh_from_db()
            if attempt < MAX_ATTEMPTS:
                assert outcome == "retry" and delivery.state == DeliveryState.PENDING
                assert delivery.next_attempt_at == now + backoff(attempt)
                # not before its time: recovery does not pick it up early
                assert (
                    recover_deliveries(
                        now=now + backoff(attempt) - timedelta(seconds=1), enqueue=lambda pk: None
                    )
                    == 0
                )
                now = delivery.next_attempt_at
            else:
                assert outcome == "failed" and delivery.state == DeliveryState.FAILED
    assert failing.call_count == MAX_ATTEMPTS
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(20) == timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_permanent_errors_are_not_retried():
    from presales.sla.delivery import PermanentError

    delivery = _one_delivery(T0)
    failing = mock.Mock(side_effect=PermanentError("550 no such user"))
    with mock.patch.dict(delivery_module.SENDERS, {"email": failing}):
        assert deliver(delivery_id=delivery.pk, now=T0) == "failed"
        assert deliver(delivery_id=delivery.pk, now=T0 + timedelta(hours=1)) == "done"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "550" in delivery.last_error
    assert failing.call_count == 1
    assert recover_deliveries(now=T0 + timedelta(days=1), enqueue=lambda pk: None) == 0


# --- enqueue only after commit --------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_is_enqueued_for_a_rolled_back_transaction(engineer, django_capture_on_commit_callbacks):
    """A notification created in a transaction that rolls back enqueues no delivery."""
    with (
        mock.patch("presales.sla.tasks.deliver_notification_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipient=engineer, kind=REMINDER, key="rollback:1", title="Due")
        raise RuntimeError("the owning service failed")
    assert callbacks == []
    delay.assert_not_called()
    assert not Notification.objects.exists() and not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_committed_notification_enqueues_each_delivery_once(engineer, django_capture_on_commit_callbacks):
    with (
        mock.patch("presales.sla.tasks.deliver_notification_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        notify(recipient=engineer, kind=REMINDER, key="commit:1", title="Due")
        delay.assert_not_called()  # not before commit
        notify(recipient=engineer, kind=REMINDER, key="commit:1", title="Due")  # same key again
    delay.assert_called_once_with(Delivery.objects.get().pk)


@pytest.mark.django_db
def test_sweep_in_a_rolled_back_transaction_enqueues_nothing(engineer, django_capture_on_commit_callbacks):
    timer_start(
        kind=LEAD_FIRST_CONTACT,
        subject=LeadFactory(team=engineer.team, owner=engineer),
        owner=engineer,
        start=T0,
    )
    with (
        mock.patch("presales.sla.tasks.deliver_notification_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sweep(now=T0 + timedelta(hours=21))
        raise RuntimeError("crash after the sweep, before commit")
    delay.assert_not_called()
    assert not Notification.objects.exists()
    assert Timer.objects.get().reminders_sent == 0


@pytest.mark.django_db
def test_tasks_are_thin_wrappers(engineer):
    """The tasks take ids and call one service."""
    from presales.sla import tasks

    with mock.patch("presales.sla.tasks.deliver", return_value="sent") as deliver_mock:
        assert tasks.deliver_notification_task(41) == "sent"
    deliver_mock.assert_called_once_with(delivery_id=41)
    with mock.patch("presales.sla.tasks.sweep") as sweep_mock:
        tasks.sweep_due_timers_task()
    assert sweep_mock.call_count == 1

"""Timers: start, satisfy, cancel; reminders, escalations, policy changes (R-SLA-1, R-SLA-3, R-SLA-4).

Every call passes an explicit ``now``/``start``: nothing depends on the wall clock.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Role
from presales.sla.defaults import CONTRACT_ARCHIVE, HANDOFF_ACK, LEAD_FIRST_CONTACT, TENDER_DEADLINE
from presales.sla.models import Notification, SlaPolicy, Timer, TimerState
from presales.sla.services import sla_policy_update, timer_cancel, timer_satisfy, timer_start
from presales.sla.sweep import sweep
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday, no holiday near


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")


@pytest.fixture
def set_policy(admin):
    def set_(kind, **data):
        return sla_policy_update(actor=admin, kind=kind, data=data)

    return set_


@pytest.fixture
def lead(team, engineer):
    return LeadFactory(team=team, owner=engineer)


def keys(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("key", flat=True))


def run(now):
    """One sweep at ``now`` with the delivery enqueue recorded instead of sent to Celery."""
    enqueued = []
    result = sweep(now=now, enqueue=enqueued.append)
    return result, enqueued


def test_start_computes_due_and_stores_the_policy_snapshot(lead, engineer, team, set_policy):
    """R-SLA-1 / R-SLA-4: due from the policy in force; the policy is copied on the row."""
    # given
    set_policy(LEAD_FIRST_CONTACT, limit_value=24, limit_unit="hours", reminder_hours=[4])
    # when
    timer = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    # then
    assert timer.due_at == T0 + timedelta(hours=24)
    assert timer.state == TimerState.OPEN
    assert timer.team == team
    assert timer.policy["limit_value"] == 24 and timer.policy["reminder_hours"] == [4]
    assert timer.policy_version == SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT).version
    assert timer.next_action_at == T0 + timedelta(hours=20)  # the reminder 4 h before due


def test_working_day_kind_uses_the_calendar(lead, engineer):
    """R-SLA-2 / R-CON-4: contract archive, 3 working days from signing on 2025-09-30."""
    timer = timer_start(
        kind=CONTRACT_ARCHIVE, subject=lead, owner=engineer, start=datetime(2025, 9, 30, 15, tzinfo=SH)
    )
    assert timer.due_at == datetime(2025, 10, 11, 23, 59, 59, tzinfo=SH)


def test_start_is_idempotent_one_open_timer_per_record_and_kind(lead, engineer):
    # given an open timer
    first = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    # when the same event is reported again (a retry)
    again = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0 + timedelta(hours=3))
    # then the open timer is returned unchanged
    assert again.pk == first.pk and again.due_at == first.due_at
    assert Timer.objects.count() == 1


def test_fixed_and_relative_kinds_refuse_the_wrong_due_input(lead, engineer):
    # a tender deadline needs its date; a first contact computes its own; nothing is created
    with pytest.raises(DomainError) as exc:
        timer_start(kind=TENDER_DEADLINE, subject=lead, owner=engineer, start=T0)
    assert "due_at" in exc.value.fields
    with pytest.raises(DomainError):
        timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, due_at=T0)
    with pytest.raises(DomainError):
        timer_start(kind="no_such_kind", subject=lead, owner=engineer)
    assert not Timer.objects.exists()


def test_policy_change_applies_only_to_new_timers_r_sla_4(lead, engineer, team, set_policy):
    """R-SLA-4: after an admin changes the limit and reminders, the running timer keeps its
    due time and reminder schedule; a timer started afterwards follows the new policy."""
    # given a timer started under 24 h / remind 4 h before
    set_policy(LEAD_FIRST_CONTACT, limit_value=24, limit_unit="hours", reminder_hours=[4])
    old = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    # when the admin changes the policy to 48 h / remind 10 h before, and a new lead arrives
    set_policy(LEAD_FIRST_CONTACT, limit_value=48, reminder_hours=[10])
    new = timer_start(
        kind=LEAD_FIRST_CONTACT, subject=LeadFactory(team=team, owner=engineer), owner=engineer, start=T0
    )
    # then
    old.refresh_from_db()
    assert old.due_at == T0 + timedelta(hours=24)
    assert new.due_at == T0 + timedelta(hours=48)
    assert new.policy_version == old.policy_version + 1
    # and each is reminded by its own snapshot: the old one 4 h before its due, not 10 h
    run(T0 + timedelta(hours=14))  # 10 h before the old due: the old policy says nothing yet
    assert keys() == []
    run(T0 + timedelta(hours=20))
    assert keys() == [f"timer:{old.pk}:remind:1"]
    run(T0 + timedelta(hours=38))  # 10 h before the new due
    assert keys(key__contains=":remind:") == sorted([f"timer:{old.pk}:remind:1", f"timer:{new.pk}:remind:1"])


def test_reminders_before_due_at_each_offset_once(lead, engineer, set_policy):
    """R-SLA-3: reminders [24, 4] h before a 48 h limit: at +24 h and +44 h, each once."""
    # given
    set_policy(LEAD_FIRST_CONTACT, limit_value=48, limit_unit="hours", reminder_hours=[24, 4])
    timer = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    # when / then: nothing before the first offset
    run(T0 + timedelta(hours=23, minutes=59))
    assert keys() == []
    run(T0 + timedelta(hours=24))
    assert keys(recipient=engineer) == [f"timer:{timer.pk}:remind:1"]
    # a second sweep at the same moment creates nothing more
    result, _enqueued = run(T0 + timedelta(hours=24))
    assert result.notifications == 0 and Notification.objects.count() == 1
    run(T0 + timedelta(hours=44))
    assert keys() == [f"timer:{timer.pk}:remind:1", f"timer:{timer.pk}:remind:2"]
    timer.refresh_from_db()
    assert timer.reminders_sent == 2
    assert timer.next_action_at == timer.due_at  # next: the escalation at due


def test_escalates_to_the_owners_team_manager_when_overdue_r_sla_3(
    lead, engineer, manager, make_user, other_team, set_policy
):
    """R-SLA-3: overdue → the owner and the manager of the owner's team are told; the
    manager of another team is not."""
    # given
    other_manager = make_user(Role.PRESALES_MANAGER, team=other_team, username="other_manager")
    other_team.manager = other_manager
    other_team.save()
    set_policy(LEAD_FIRST_CONTACT, limit_value=24, limit_unit="hours", reminder_hours=[])
    timer = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    # when
    run(T0 + timedelta(hours=23))
    assert keys() == []
    result, _enqueued = run(T0 + timedelta(hours=24))
    # then
    assert result.escalations == 1
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"engineer", "manager"}
    assert keys(recipient=manager) == [f"timer:{timer.pk}:escalate:1:{manager.pk}"]
    assert not Notification.objects.filter(recipient=other_manager).exists()
    timer.refresh_from_db()
    assert timer.escalations_sent == 1 and timer.next_action_at is None
    assert timer.state == TimerState.OPEN  # still owed


def test_repeat_escalation_until_the_maximum(lead, engineer, manager, set_policy):
    """R-SLA-3 / R-HAND-2: escalate every 24 h, three times at most."""
    set_policy(
        HANDOFF_ACK,
        limit_value=1,
        limit_unit="working_days",
        reminder_hours=[],
        repeat_every_hours=24,
        max_escalations=3,
    )
    timer = timer_start(kind=HANDOFF_ACK, subject=lead, owner=engineer, start=T0)
    due = timer.due_at
    for n, hours in enumerate([0, 24, 48], start=1):
        run(due + timedelta(hours=hours))
        assert Notification.objects.filter(recipient=manager).count() == n
    run(due + timedelta(hours=72))
    run(due + timedelta(days=30))
    assert keys(recipient=manager) == [f"timer:{timer.pk}:escalate:{n}:{manager.pk}" for n in (1, 2, 3)]
    timer.refresh_from_db()
    assert timer.escalations_sent == 3 and timer.next_action_at is None


def test_a_late_sweep_sends_only_the_latest_step(lead, engineer, manager, set_policy):
    """A sweep that ran late (workers down) sends no stale reminder once overdue and one
    escalation (the latest due), not a burst."""
    set_policy(
        LEAD_FIRST_CONTACT,
        limit_value=24,
        limit_unit="hours",
        reminder_hours=[12, 4],
        repeat_every_hours=6,
        max_escalations=5,
    )
    timer = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    # when the first sweep after the start comes 13 h after due
    run(T0 + timedelta(hours=37))
    # then: no reminder; escalation number 3 (due +12 h) only
    assert keys(recipient=manager) == [f"timer:{timer.pk}:escalate:3:{manager.pk}"]
    assert not Notification.objects.filter(key__contains=":remind:").exists()
    timer.refresh_from_db()
    assert (timer.reminders_sent, timer.escalations_sent) == (2, 3)
    assert timer.next_action_at == timer.due_at + timedelta(hours=18)


def test_escalation_to_a_role_reaches_the_role_in_the_team(lead, engineer, manager, make_user, other_team):
    """R-SLA-3 / R-BID-2: the tender deadline escalates to the team's presales managers."""
    make_user(Role.PRESALES_MANAGER, team=other_team, username="far_manager")
    timer = timer_start(
        kind=TENDER_DEADLINE, subject=lead, owner=engineer, start=T0, due_at=T0 + timedelta(days=10)
    )
    # reminders 7 days, 3 days and 1 day before
    run(T0 + timedelta(days=3))
    run(T0 + timedelta(days=7))
    run(T0 + timedelta(days=9))
    assert keys(recipient=engineer) == [f"timer:{timer.pk}:remind:{n}" for n in (1, 2, 3)]
    run(T0 + timedelta(days=10))
    assert set(
        Notification.objects.filter(key__contains="escalate").values_list("recipient__username", flat=True)
    ) == {
        "engineer",
        "manager",
    }


def test_satisfied_and_cancelled_timers_never_fire(lead, engineer, manager, team, set_policy):
    """R-SLA-3: a met or dropped obligation sends nothing, before or after its due time."""
    set_policy(LEAD_FIRST_CONTACT, limit_value=24, limit_unit="hours", reminder_hours=[4])
    done = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    other = LeadFactory(team=team, owner=engineer)
    dropped = timer_start(kind=LEAD_FIRST_CONTACT, subject=other, owner=engineer, start=T0)
    # when
    timer_satisfy(kind=LEAD_FIRST_CONTACT, subject=lead, at=T0 + timedelta(hours=2))
    timer_cancel(kind=LEAD_FIRST_CONTACT, subject=other, reason="Disqualified", at=T0 + timedelta(hours=2))
    for hours in (20, 24, 48, 24 * 30):
        run(T0 + timedelta(hours=hours))
    # then
    assert not Notification.objects.exists()
    done.refresh_from_db()
    dropped.refresh_from_db()
    assert done.state == TimerState.SATISFIED and not done.satisfied_late and done.next_action_at is None
    assert dropped.state == TimerState.CANCELLED and dropped.cancel_reason == "Disqualified"
    # and satisfying again does nothing
    assert timer_satisfy(kind=LEAD_FIRST_CONTACT, subject=lead) is None


def test_satisfied_late_is_recorded(lead, engineer):
    timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    timer = timer_satisfy(kind=LEAD_FIRST_CONTACT, subject=lead, at=T0 + timedelta(hours=30))
    assert timer.satisfied_late


def test_only_admins_change_policies_and_a_refusal_changes_nothing(engineer, manager, set_policy):
    """R-SLA-4: policies are the admin's."""
    before = SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT)
    for user in (engineer, manager):
        with pytest.raises(NotAllowed):
            sla_policy_update(actor=user, kind=LEAD_FIRST_CONTACT, data={"limit_value": 1})
    after = SlaPolicy.objects.get(kind=LEAD_FIRST_CONTACT)
    assert (after.limit_value, after.version) == (before.limit_value, before.version)


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        (LEAD_FIRST_CONTACT, {"reminder_hours": [-1]}, "reminder_hours"),
        (LEAD_FIRST_CONTACT, {"reminder_hours": "a, b"}, "reminder_hours"),
        (LEAD_FIRST_CONTACT, {"limit_unit": "fixed"}, "limit_unit"),
        (LEAD_FIRST_CONTACT, {"limit_value": 0}, "__all__"),
        (TENDER_DEADLINE, {"limit_unit": "hours", "limit_value": 5}, "limit_unit"),
        (LEAD_FIRST_CONTACT, {"escalate_to": "role", "escalate_role": ""}, "__all__"),
        (LEAD_FIRST_CONTACT, {"state": "x"}, "state"),
    ],
)
def test_bad_policy_input_is_refused_with_field_messages(admin, kind, data, field):
    before = SlaPolicy.objects.get(kind=kind).version
    with pytest.raises(DomainError) as exc:
        sla_policy_update(actor=admin, kind=kind, data=data)
    assert field in exc.value.fields
    assert SlaPolicy.objects.get(kind=kind).version == before


def test_policy_history_records_the_admin(admin, set_policy):
    policy = set_policy(LEAD_FIRST_CONTACT, limit_value=12)
    assert policy.history.first().history_user == admin


def test_one_broken_timer_does_not_block_the_others(lead, engineer, team, set_policy, monkeypatch):
    """A timer whose message cannot be built waits 15 minutes; the rest of the batch is sent."""
    from presales.sla import sweep as sweep_module

    set_policy(LEAD_FIRST_CONTACT, limit_value=24, limit_unit="hours", reminder_hours=[4])
    broken = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=T0)
    fine = timer_start(
        kind=LEAD_FIRST_CONTACT, subject=LeadFactory(team=team, owner=engineer), owner=engineer, start=T0
    )
    real = sweep_module._message

    def failing(timer, *args):
        if timer.pk == broken.pk:
            raise ValueError("label cannot be built")
        return real(timer, *args)

    monkeypatch.setattr(sweep_module, "_message", failing)
    now = T0 + timedelta(hours=20)
    # when
    result, _enqueued = run(now)
    # then
    assert result.errors == 1
    assert keys() == [f"timer:{fine.pk}:remind:1"]
    broken.refresh_from_db()
    assert broken.reminders_sent == 0 and broken.next_action_at == now + timedelta(minutes=15)
    # and once the problem is gone it is reminded
    monkeypatch.setattr(sweep_module, "_message", real)
    run(now + timedelta(minutes=15))
    assert f"timer:{broken.pk}:remind:1" in keys()

"""Timers driven by the leads services (R-LEAD-3, R-COMM-1) and the monthly grade review (R-CUST-3)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from leads.choices import Channel, Grade, LeadSource, LeadStatus
from leads.models import Customer
from leads.services import (
    communication_create,
    communication_update,
    customer_review_grades,
    lead_create,
    lead_disqualify,
    lead_merge,
    lead_qualify,
    lead_record_first_contact,
)
from presales.core.errors import DomainError
from presales.sla.defaults import COMMUNICATION_FOLLOW_UP, LEAD_FIRST_CONTACT
from presales.sla.models import Notification, Timer, TimerState
from presales.sla.notifications import GRADE_CHANGE
from presales.sla.selectors import timers_for
from tests.factories import CustomerFactory

CADENCE_KINDS = ("customer_cadence", "decision_maker_cadence")

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def new_lead(actor, **extra):
    data = {
        "source": LeadSource.TRADE_SHOW,
        "company_name": extra.pop("company_name", "Hangzhou Valve Works"),
        "contact_name": "Li Wei",
        "phone": extra.pop("phone", "13800000001"),
        **extra,
    }
    return lead_create(actor=actor, data=data)


def test_lead_intake_starts_the_first_contact_timer_r_lead_3(engineer, team):
    """R-LEAD-3 / R-SLA-1: a received lead has a 24 h first-contact timer owned by its owner."""
    received = timezone.now() - timedelta(hours=1)
    # when
    lead = new_lead(engineer, received_at=received)
    # then
    (timer,) = timers_for(lead)
    assert timer.kind == LEAD_FIRST_CONTACT and timer.state == TimerState.OPEN
    assert timer.owner == engineer and timer.team == team
    assert timer.due_at == received + timedelta(hours=24) == lead.first_contact_due_at


def test_an_intake_that_fails_leaves_no_timer(engineer):
    # given a valid lead intake inside a transaction that then fails
    with pytest.raises(RuntimeError), transaction.atomic():
        new_lead(engineer)
        raise RuntimeError("boom")
    # then
    assert not Timer.objects.exists()


def test_reassigned_or_rescheduled_lead_moves_its_timer(engineer, make_user, team):
    """The timer follows a new owner (same due time); the receipt time cannot be moved by an
    edit, so the due time never restarts (R-LEAD-3, R-SLA-3)."""
    from leads.services import lead_update
    from presales.core.roles import Role

    colleague = make_user(Role.SALES_REP, team=team, username="colleague")
    lead = new_lead(engineer)
    lead_update(actor=engineer, lead=lead, data={"owner": colleague})
    timer = Timer.objects.open().get(kind=LEAD_FIRST_CONTACT)
    assert timer.owner == colleague
    assert timer.due_at == lead.first_contact_due_at
    received = timezone.now() - timedelta(hours=5)
    with pytest.raises(DomainError) as refused:
        lead_update(actor=engineer, lead=lead, data={"received_at": received})
    assert "received_at" in refused.value.fields
    assert Timer.objects.open().get(kind=LEAD_FIRST_CONTACT) == timer
    assert not Timer.objects.filter(state=TimerState.CANCELLED).exists()


def test_first_contact_satisfies_the_timer(engineer):
    lead = new_lead(engineer, received_at=timezone.now() - timedelta(hours=2))
    occurred = timezone.now() - timedelta(minutes=30)
    # when
    record = lead_record_first_contact(
        actor=engineer,
        lead=lead,
        data={"channel": Channel.PHONE, "key_points": "Needs a line upgrade.", "occurred_at": occurred},
    )
    # then it is satisfied when the system saw the record, not at the stated time (R-LEAD-3)
    timer = Timer.objects.get(kind=LEAD_FIRST_CONTACT)
    assert timer.state == TimerState.SATISFIED and timer.satisfied_at == record.created_at
    assert timer.next_action_at is None


def test_refused_first_contact_keeps_the_timer_open(engineer, other_engineer):
    from presales.core.errors import NotAllowed

    lead = new_lead(engineer)
    with pytest.raises(NotAllowed):
        lead_record_first_contact(
            actor=other_engineer, lead=lead, data={"channel": Channel.PHONE, "key_points": "x"}
        )
    assert Timer.objects.get(kind=LEAD_FIRST_CONTACT).state == TimerState.OPEN


def test_disqualifying_cancels_the_timer(engineer):
    lead = new_lead(engineer)
    lead_disqualify(actor=engineer, lead=lead, reason="no_budget")
    timer = Timer.objects.get(kind=LEAD_FIRST_CONTACT)
    assert timer.state == TimerState.CANCELLED and timer.cancel_reason == "Lead disqualified"


def test_merge_cancels_the_source_and_satisfies_the_target(engineer):
    """R-LEAD-2: the merged lead's timer is cancelled; a target that inherits the source's
    first contact has its own timer satisfied."""
    source = new_lead(engineer)
    lead_record_first_contact(actor=engineer, lead=source, data={"channel": Channel.PHONE, "key_points": "x"})
    target = new_lead(engineer, company_name="Ningbo Pumps", phone="13800000002")
    # when
    lead_merge(actor=engineer, source=source, target=target)
    # then
    states = {t.subject_id: t.state for t in Timer.objects.filter(kind=LEAD_FIRST_CONTACT)}
    assert states == {source.pk: TimerState.SATISFIED, target.pk: TimerState.SATISFIED}
    other = new_lead(engineer, company_name="Wuxi Motors", phone="13800000003")
    lead_merge(actor=engineer, source=other, target=target)
    assert Timer.objects.get(subject_id=other.pk, kind=LEAD_FIRST_CONTACT).state == TimerState.CANCELLED


def test_qualify_satisfies_a_timer_still_open(engineer):
    lead = new_lead(engineer)
    lead_record_first_contact(actor=engineer, lead=lead, data={"channel": Channel.PHONE, "key_points": "x"})
    lead_qualify(
        actor=engineer,
        lead=lead,
        evaluation=dict.fromkeys(("background", "needs", "budget", "competition", "timeline"), "ok"),
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED
    # the customer's contact cadence (R-CUST-7) runs on; no other deadline is open
    assert not Timer.objects.open().exclude(kind__in=CADENCE_KINDS).exists()


def test_promised_follow_up_becomes_a_timer_r_comm_1(engineer, team):
    """R-COMM-1: a next step with a date is a follow-up timer owned by the author, due then;
    the next interaction with the customer satisfies it."""
    customer = CustomerFactory(team=team)
    promised = timezone.now() + timedelta(days=3)
    # when
    record = communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.MEETING,
            "key_points": "Demo planned.",
            "participant_users": [engineer],  # R-COMM-2
            "next_step": "Send the quote",
            "next_step_due_at": promised,
        },
    )
    # then
    (timer,) = timers_for(record)
    assert (timer.kind, timer.owner, timer.due_at, timer.team) == (
        COMMUNICATION_FOLLOW_UP,
        engineer,
        promised,
        team,
    )
    # when the follow-up happens
    communication_create(
        actor=engineer, customer=customer, data={"channel": Channel.EMAIL, "key_points": "Quote sent."}
    )
    # then
    timer.refresh_from_db()
    assert timer.state == TimerState.SATISFIED


def test_changing_the_promised_date_restarts_the_follow_up(engineer, team):
    customer = CustomerFactory(team=team)
    record = communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.PHONE,
            "key_points": "Call back.",
            "next_step": "Call back",
            "next_step_due_at": timezone.now() + timedelta(days=1),
        },
    )
    later = timezone.now() + timedelta(days=5)
    communication_update(actor=engineer, record=record, data={"next_step_due_at": later})
    open_timer = Timer.objects.open().get(kind=COMMUNICATION_FOLLOW_UP)
    assert open_timer.due_at == later
    assert Timer.objects.filter(kind=COMMUNICATION_FOLLOW_UP, state=TimerState.CANCELLED).count() == 1
    communication_update(actor=engineer, record=record, data={"next_step_due_at": None, "next_step": ""})
    # the customer's contact cadence (R-CUST-7) runs on; no other deadline is open
    assert not Timer.objects.open().exclude(kind__in=CADENCE_KINDS).exists()


# --- R-CUST-3 -------------------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 2, 30, tzinfo=SH)


def test_monthly_review_downgrades_stale_a_customers_and_tells_the_owner_r_cust_3(team):
    """R-CUST-3: an A customer without progress for 3 months becomes B, by the system (no
    actor in history), with the reason; the owner is notified once."""
    # given
    stale = CustomerFactory(team=team, grade=Grade.A, last_progress_at=NOW - timedelta(days=95))
    recent = CustomerFactory(team=team, grade=Grade.A, last_progress_at=NOW - timedelta(days=80))
    b_stale = CustomerFactory(team=team, grade=Grade.B, last_progress_at=NOW - timedelta(days=200))
    # when
    downgraded = customer_review_grades(now=NOW)
    # then
    assert downgraded == [stale.pk]
    stale.refresh_from_db()
    assert stale.grade == Grade.B and "no progress since" in stale.grade_reason
    last = stale.history.first()
    assert last.history_user is None and last.grade == Grade.B
    assert Customer.objects.get(pk=recent.pk).grade == Grade.A
    assert Customer.objects.get(pk=b_stale.pk).grade == Grade.B
    (note,) = Notification.objects.filter(kind=GRADE_CHANGE)
    assert note.recipient == stale.owner and stale.name in note.title
    # and a second run (a retried task) changes and sends nothing more
    assert customer_review_grades(now=NOW) == []
    assert Notification.objects.filter(kind=GRADE_CHANGE).count() == 1


def test_three_months_is_calendar_months(team):
    """R-CUST-3: progress on Mar 1 is exactly three months before Jun 1: not stale yet."""
    boundary = CustomerFactory(
        team=team, grade=Grade.A, last_progress_at=datetime(2026, 3, 1, 2, 30, tzinfo=SH)
    )
    assert customer_review_grades(now=NOW) == []
    assert customer_review_grades(now=NOW + timedelta(minutes=1)) == [boundary.pk]


def test_review_task_calls_the_service(team):
    from leads import tasks

    stale = CustomerFactory(team=team, grade=Grade.A, last_progress_at=timezone.now() - timedelta(days=120))
    assert tasks.review_customer_grades_task() == 1
    assert Customer.objects.get(pk=stale.pk).grade == Grade.B


def test_engineer_role_is_required_to_create_leads_unchanged(no_role_user):
    from presales.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        new_lead(no_role_user)
    assert not Timer.objects.exists()

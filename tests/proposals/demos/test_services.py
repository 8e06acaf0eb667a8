"""Demo and trial services (R-DEMO-1..3, R-SOL-5): gates, history, timers, notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.sla.defaults import DEMO_FEEDBACK
from presales.sla.models import Notification, Timer
from proposals.choices import VersionStatus
from proposals.demos import services
from proposals.demos.choices import DemoStatus
from proposals.models import Demo, DemoStatusChange, SolutionVersion
from tests.factories import ContactFactory, OpportunityFactory
from tests.proposals.demos.factories import (
    RequirementFactory,
    SolutionFactory,
    SolutionVersionFactory,
    demo_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(make_user, team):
    return make_user("presales_engineer", team=team, username="colleague")


@pytest.fixture
def demo(engineer, opportunity, version, contacts, colleague, requirement):
    return services.demo_create(
        actor=engineer,
        opportunity=opportunity,
        data=demo_data(version),
        our_attendees=[engineer, colleague],
        customer_attendees=contacts,
        agenda=[{"text": "能耗監測看板", "requirements": [requirement]}, {"text": "Q&A"}],
    )


def _tick_all(demo, actor):
    for item in demo.checklist.all():
        services.demo_checklist_set(actor=actor, item=item, done=True)


def _timer(demo, kind=DEMO_FEEDBACK):
    return Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(demo), subject_id=demo.pk, kind=kind
    ).first()


# --- R-SOL-5: only an approved version is demonstrated ------------------------------------


@pytest.mark.parametrize(
    "status", [VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.REJECTED, VersionStatus.WITHDRAWN]
)
def test_r_sol_5_demo_refused_on_unapproved_version(engineer, opportunity, status):
    """R-SOL-5: a demo cannot be created (so never scheduled) on a version not approved."""
    version = SolutionVersionFactory(solution=SolutionFactory(opportunity=opportunity), status=status)
    with pytest.raises(DomainError) as err:
        services.demo_create(actor=engineer, opportunity=opportunity, data=demo_data(version))
    assert "solution_version" in err.value.fields
    assert err.value.code == "version_not_approved"
    assert not Demo.objects.exists()


def test_r_sol_5_update_cannot_switch_to_unapproved_version(engineer, demo, opportunity):
    draft = SolutionVersionFactory(
        solution=SolutionFactory(opportunity=opportunity), status=VersionStatus.DRAFT
    )
    with pytest.raises(DomainError):
        services.demo_update(actor=engineer, demo=demo, data={"solution_version": draft})
    demo.refresh_from_db()
    assert demo.solution_version.status == VersionStatus.APPROVED


def test_r_sol_5_version_of_another_opportunity_refused(engineer, opportunity, team):
    other = OpportunityFactory(team=team)
    version = SolutionVersionFactory(solution=SolutionFactory(opportunity=other))
    with pytest.raises(DomainError) as err:
        services.demo_create(actor=engineer, opportunity=opportunity, data=demo_data(version))
    assert "solution_version" in err.value.fields


def test_r_sol_5_schedule_and_start_recheck_the_version(engineer, demo):
    """R-SOL-5: still approved when scheduled and when started (a version whose status
    changed after the demo was drafted blocks both moves, with the reason)."""
    SolutionVersion.objects.filter(pk=demo.solution_version_id).update(status=VersionStatus.WITHDRAWN)
    with pytest.raises(GateRefused) as err:
        services.demo_move(actor=engineer, demo=demo, move="schedule")
    assert any("not approved" in r for r in err.value.reasons)
    SolutionVersion.objects.filter(pk=demo.solution_version_id).update(status=VersionStatus.APPROVED)
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    _tick_all(demo, engineer)
    SolutionVersion.objects.filter(pk=demo.solution_version_id).update(status=VersionStatus.REJECTED)
    with pytest.raises(GateRefused):
        services.demo_move(actor=engineer, demo=demo, move="start")
    demo.refresh_from_db()
    assert demo.status == DemoStatus.SCHEDULED


# --- R-DEMO-1: the demo's parts --------------------------------------------------------------


def test_r_demo_1_create_records_parts_and_fixed_checklist(demo, requirement):
    assert demo.status == DemoStatus.DRAFT
    assert demo.duration_minutes == 90
    assert sorted(demo.checklist.values_list("kind", flat=True)) == [
        "devices",
        "manual",
        "materials",
        "slides",
    ]
    agenda = list(demo.agenda.order_by("position"))
    assert [a.text for a in agenda] == ["能耗監測看板", "Q&A"]
    assert list(agenda[0].requirements.all()) == [requirement]
    assert demo.customer_attendees.count() == 2


def test_r_demo_1_default_duration_is_60_minutes(engineer, opportunity, version):
    data = demo_data(version)
    data.pop("duration_minutes")
    demo = services.demo_create(actor=engineer, opportunity=opportunity, data=data)
    assert demo.duration_minutes == 60


def test_r_demo_1_customer_attendees_limited_to_the_customer(engineer, opportunity, version):
    stranger = ContactFactory()
    with pytest.raises(DomainError) as err:
        services.demo_create(
            actor=engineer, opportunity=opportunity, data=demo_data(version), customer_attendees=[stranger]
        )
    assert "customer_attendees" in err.value.fields


def test_r_demo_1_agenda_requirements_of_the_opportunity_only(engineer, opportunity, version, team):
    foreign = RequirementFactory(opportunity=OpportunityFactory(team=team))
    with pytest.raises(DomainError) as err:
        services.demo_create(
            actor=engineer,
            opportunity=opportunity,
            data=demo_data(version),
            agenda=[{"text": "x", "requirements": [foreign]}],
        )
    assert "agenda" in err.value.fields


def test_r_demo_1_duration_bounds_are_checked(engineer, opportunity, version):
    with pytest.raises(DomainError):
        services.demo_create(
            actor=engineer, opportunity=opportunity, data=demo_data(version, duration_minutes=0)
        )


def test_r_demo_1_status_cannot_be_written_as_a_field(engineer, opportunity, version, demo):
    with pytest.raises(DomainError) as err:
        services.demo_update(actor=engineer, demo=demo, data={"status": "done"})
    assert "status" in err.value.fields


def test_r_demo_1_schedule_needs_attendees_and_a_future_time(engineer, opportunity, version):
    demo = services.demo_create(
        actor=engineer,
        opportunity=opportunity,
        data=demo_data(version, starts_at=timezone.now() - timedelta(hours=1)),
    )
    with pytest.raises(GateRefused) as err:
        services.demo_move(actor=engineer, demo=demo, move="schedule")
    assert len(err.value.reasons) == 3  # past time, none of ours, none of the customer's


def test_r_demo_1_schedule_notifies_our_attendees_not_the_actor(engineer, colleague, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    notes = list(Notification.objects.filter(kind="demo_invitation"))
    assert [n.recipient_id for n in notes] == [colleague.pk]
    assert f"/demos/{demo.pk}/ics/user-{colleague.pk}/" in notes[0].body
    assert DemoStatusChange.objects.filter(demo=demo, move="schedule", actor=engineer).count() == 1


def test_r_demo_1_checklist_must_be_complete_before_start(engineer, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    with pytest.raises(GateRefused) as err:
        services.demo_move(actor=engineer, demo=demo, move="start")
    assert "Devices" in err.value.reasons[0]
    extra = services.demo_checklist_add(actor=engineer, demo=demo, label="投影機備用燈泡")
    _tick_all(demo, engineer)
    services.demo_checklist_set(actor=engineer, item=extra, done=False)
    with pytest.raises(GateRefused) as err:
        services.demo_move(actor=engineer, demo=demo, move="start")
    assert "投影機備用燈泡" in err.value.reasons[0]
    services.demo_checklist_set(actor=engineer, item=extra, done=True)
    demo = services.demo_move(actor=engineer, demo=demo, move="start")
    assert demo.status == DemoStatus.STARTED and demo.started_at is not None
    item = demo.checklist.get(kind="devices")
    assert item.done_by == engineer and item.done_at is not None


def test_r_demo_1_fixed_checklist_items_cannot_be_removed(engineer, demo):
    with pytest.raises(DomainError):
        services.demo_checklist_remove(actor=engineer, item=demo.checklist.get(kind="slides"))


def test_r_demo_1_reschedule_raises_sequence_and_tells_attendees(engineer, colleague, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    demo.refresh_from_db()
    assert demo.sequence == 0
    services.demo_update(actor=engineer, demo=demo, data={"starts_at": demo.starts_at + timedelta(days=1)})
    demo.refresh_from_db()
    assert demo.sequence == 1
    keys = set(Notification.objects.filter(recipient=colleague).values_list("key", flat=True))
    assert keys == {
        f"demo:{demo.pk}:seq:0:invited:to:{colleague.pk}",
        f"demo:{demo.pk}:seq:1:rescheduled:to:{colleague.pk}",
    }
    # A save that changes nothing the invitation says sends nothing and keeps the sequence.
    services.demo_update(actor=engineer, demo=demo, data={"title": demo.title})
    demo.refresh_from_db()
    assert demo.sequence == 1


def test_r_demo_1_cancel_needs_a_reason_and_withdraws_invitation(engineer, colleague, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    with pytest.raises(GateRefused):
        services.demo_move(actor=engineer, demo=demo, move="cancel")
    demo = services.demo_move(actor=engineer, demo=demo, move="cancel", reason="客戶改期")
    assert demo.status == DemoStatus.CANCELLED and demo.sequence == 1
    assert Notification.objects.filter(recipient=colleague, key__contains=":cancelled:").exists()
    assert DemoStatusChange.objects.get(demo=demo, move="cancel").note == "客戶改期"


def test_r_demo_1_other_team_cannot_work_the_demo(other_engineer, demo, opportunity, version):
    with pytest.raises(NotAllowed):
        services.demo_move(actor=other_engineer, demo=demo, move="schedule")
    with pytest.raises(NotAllowed):
        services.demo_create(actor=other_engineer, opportunity=opportunity, data=demo_data(version))
    with pytest.raises(NotAllowed):
        services.demo_checklist_set(actor=other_engineer, item=demo.checklist.first(), done=True)


def test_r_demo_1_started_demo_cannot_be_edited(engineer, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    _tick_all(demo, engineer)
    services.demo_move(actor=engineer, demo=demo, move="start")
    with pytest.raises(DomainError):
        services.demo_update(actor=engineer, demo=demo, data={"title": "x"})
    with pytest.raises(DomainError):
        services.demo_checklist_add(actor=engineer, demo=demo, label="late")


# --- R-DEMO-2: feedback within the limit ----------------------------------------------------


def _held(engineer, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    _tick_all(demo, engineer)
    services.demo_move(actor=engineer, demo=demo, move="start")
    return services.demo_move(actor=engineer, demo=demo, move="finish")


FEEDBACK = {
    "outcome": "positive",
    "questions": "能否接入現有MES?",
    "objections": "價格偏高",
    "next_step": "Send the revised quote",
}


def test_r_demo_2_finish_starts_the_feedback_timer(engineer, demo):
    demo = _held(engineer, demo)
    timer = _timer(demo)
    assert timer is not None and timer.state == "open"
    assert timer.due_at == demo.ended_at + timedelta(hours=24)
    assert timer.owner_id == engineer.pk and timer.team_id == demo.opportunity.team_id


def test_r_demo_2_feedback_satisfies_the_timer(engineer, demo):
    demo = _held(engineer, demo)
    demo = services.demo_record_feedback(actor=engineer, demo=demo, data=FEEDBACK)
    assert demo.feedback_at is not None and demo.feedback_by == engineer
    timer = _timer(demo)
    assert timer.state == "satisfied"
    first = demo.feedback_at
    demo = services.demo_record_feedback(actor=engineer, demo=demo, data={"objections": "價格偏高, 交期"})
    assert demo.feedback_at == first


def test_r_demo_2_feedback_needs_outcome_and_next_step(engineer, demo):
    demo = _held(engineer, demo)
    with pytest.raises(DomainError) as err:
        services.demo_record_feedback(actor=engineer, demo=demo, data={"questions": "?"})
    assert set(err.value.fields) == {"outcome", "next_step"}
    assert _timer(demo).state == "open"


def test_r_demo_2_no_feedback_before_the_demo_is_done(engineer, demo):
    with pytest.raises(DomainError):
        services.demo_record_feedback(actor=engineer, demo=demo, data=FEEDBACK)


def test_r_demo_2_feedback_owed_once_the_end_passes_while_started(engineer, demo):
    """R-DEMO-2: a demo still marked started after its planned end owes its feedback from
    that end (the beat task), once; marking it done later keeps that timer."""
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    _tick_all(demo, engineer)
    services.demo_move(actor=engineer, demo=demo, move="start")
    demo.refresh_from_db()
    assert services.demo_start_overdue_feedback_timers(now=demo.ends_at - timedelta(minutes=1)) == 0
    assert _timer(demo) is None
    assert services.demo_start_overdue_feedback_timers(now=demo.ends_at + timedelta(minutes=5)) == 1
    timer = _timer(demo)
    assert timer.due_at == demo.ends_at + timedelta(hours=24)
    assert services.demo_start_overdue_feedback_timers(now=demo.ends_at + timedelta(minutes=10)) == 0
    services.demo_move(actor=engineer, demo=demo, move="finish")
    assert Timer.objects.filter(kind=DEMO_FEEDBACK).count() == 1


def test_r_demo_2_cancelling_a_started_demo_cancels_its_feedback_timer(engineer, demo):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    _tick_all(demo, engineer)
    services.demo_move(actor=engineer, demo=demo, move="start")
    demo.refresh_from_db()
    services.demo_start_overdue_feedback_timers(now=demo.ends_at + timedelta(minutes=5))
    services.demo_move(actor=engineer, demo=demo, move="cancel", reason="客戶中途離場")
    assert _timer(demo).state == "cancelled"


def test_r_demo_2_overdue_feedback_escalates_to_the_manager(engineer, manager, demo):
    """R-DEMO-2 through the timer machinery: no feedback 24 h after the end escalates to the
    team's manager (the sweep)."""
    from presales.sla.sweep import sweep

    _held = services.demo_move
    _held(actor=engineer, demo=demo, move="schedule")
    _tick_all(demo, engineer)
    _held(actor=engineer, demo=demo, move="start")
    demo = _held(actor=engineer, demo=demo, move="finish")
    sweep(now=demo.ended_at + timedelta(hours=25))
    assert Notification.objects.filter(recipient=manager, kind="timer_escalation").exists()


def test_r_demo_1_invitation_email_carries_the_ics(engineer, colleague, demo, mailoutbox):
    """The invitation e-mail (per preference) carries the attendee's .ics (RFC 5545)."""
    from icalendar import Calendar

    from presales.sla.delivery import deliver
    from presales.sla.models import Delivery

    services.demo_move(actor=engineer, demo=demo, move="schedule")
    delivery = Delivery.objects.get(notification__recipient=colleague, channel="email")
    assert deliver(delivery_id=delivery.pk) == "sent"
    (mail,) = mailoutbox
    assert mail.to == [colleague.email]
    (name, content, mimetype) = mail.attachments[0]
    assert name == f"demo-{demo.pk}.ics" and mimetype.startswith("text/calendar")
    content = content if isinstance(content, bytes) else content.encode()
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == demo.uid


def test_r_demo_1_attendees_added_or_removed_after_scheduling_are_told(
    engineer, colleague, demo, make_user, team
):
    services.demo_move(actor=engineer, demo=demo, move="schedule")
    newcomer = make_user("presales_engineer", team=team, username="newcomer")
    services.demo_update(actor=engineer, demo=demo, data={}, our_attendees=[engineer, newcomer])
    assert Notification.objects.filter(recipient=newcomer, key__contains=":invited:").exists()
    assert Notification.objects.filter(recipient=colleague, key__contains=":cancelled:").exists()

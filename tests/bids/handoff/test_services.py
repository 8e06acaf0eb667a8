"""The handoff and the customer's acceptance (R-HAND-1..3, R-POST-1): the package made and
frozen at signing, the acknowledgment by the receiving team and its escalation, telling the
customer with the service guide, the product acceptance's 3 working days, the failed
acceptance's 24-hour rectification, the passed acceptance's surveys and hooks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bids import hooks
from bids.handoff import services
from bids.handoff.choices import AcceptanceResult, HandoffStatus, RectificationStatus
from bids.handoff.timers import ACCEPTANCE_PRODUCT, RECTIFICATION, SURVEY_KINDS
from bids.models import Contract, ContractLine, CustomerAcceptance, Handoff, ServiceGuide
from opportunities.hooks import on_closed_hooks
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.sla.calendar import add_working_days, company_tz
from presales.sla.defaults import HANDOFF_ACK
from presales.sla.models import Notification, Timer, TimerState
from presales.sla.notifications import ESCALATION
from presales.sla.sweep import sweep
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 signed acceptance"


def _scan(name="acceptance.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


def _timer(subject, kind):
    return Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, kind=kind
    ).first()


def _acknowledged(handoff, by):
    return services.handoff_acknowledge(actor=by, handoff=handoff, after_sales_owner=by)


# --- R-HAND-1: the package --------------------------------------------------------------------


def test_r_hand_1_signing_makes_the_handoff_with_every_section(handoff, after_sales_team):
    keys = [s["key"] for s in handoff.package["sections"]]
    assert {"requirements", "configuration", "solution", "terms", "contacts", "risks"} <= set(keys)
    assert handoff.status == HandoffStatus.SENT
    assert handoff.receiving_team == after_sales_team
    sections = {s["key"]: s for s in handoff.package["sections"]}
    assert sections["configuration"]["rows"][0][0]  # the contract's line
    assert any("3 years" in row[1] for row in sections["terms"]["rows"])
    assert sections["contacts"]["rows"][0][0] == "王經理"
    # no risk register yet: said truthfully, not an empty "no risks"
    assert sections["risks"]["rows"] == [] and "risk register" in sections["risks"]["note"]
    assert handoff.history.count() == 1


def test_r_hand_1_the_package_is_frozen(handoff, opportunity):
    before = handoff.package
    # when the contract, its lines and the contacts change after signing
    Contract.objects.filter(pk=handoff.contract_id).update(title="Changed", warranty="none")
    ContractLine.objects.filter(contract_id=handoff.contract_id).update(item="Changed item")
    ContactFactory(customer=opportunity.customer, name="新聯繫人")
    # then the handoff's package is what was signed
    handoff.refresh_from_db()
    assert handoff.package == before
    assert "Changed item" not in str(handoff.package)


def test_r_hand_1_sections_of_other_areas_are_in_the_package(
    opportunity, sales_rep, approvers, after_sales_manager, contact
):
    from tests.bids.handoff.conftest import sign

    section = hooks.PackageSection(
        "other_area", "Another area", 50, lambda contract: {"columns": ["Due"], "rows": [["30%"]]}
    )
    hooks.register_package_section(section)
    try:
        contract = sign(opportunity, sales_rep, approvers)
    finally:
        # only the stand-in goes: the real sections (the payment plan's) stay registered
        hooks._SECTIONS.pop("other_area", None)
    package = Handoff.objects.get(contract=contract).package
    keys = [s["key"] for s in package["sections"]]
    assert keys.index("terms") < keys.index("other_area") < keys.index("contacts")
    assert next(s for s in package["sections"] if s["key"] == "other_area")["rows"] == [["30%"]]
    assert "payment_plan" in keys


# --- R-HAND-2: acknowledgment, escalation, the customer told -----------------------------------


def test_r_hand_2_the_receiving_team_is_told_and_the_timer_runs(
    handoff, after_sales_manager, after_sales_engineer
):
    timer = _timer(handoff, HANDOFF_ACK)
    assert timer.state == TimerState.OPEN and timer.owner == after_sales_manager
    told = set(
        Notification.objects.filter(key__startswith=f"handoff:{handoff.pk}:sent").values_list(
            "recipient", flat=True
        )
    )
    assert told == {after_sales_manager.pk, after_sales_engineer.pk}


@pytest.mark.parametrize("who", ["sales_rep", "engineer", "other_engineer"])
def test_r_hand_2_only_the_receiving_team_acknowledges(request, handoff, who, after_sales_engineer):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.handoff_acknowledge(actor=actor, handoff=handoff, after_sales_owner=after_sales_engineer)
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.SENT
    assert _timer(handoff, HANDOFF_ACK).state == TimerState.OPEN


def test_r_hand_2_acknowledgment_names_the_owner_and_meets_the_timer(
    handoff, after_sales_engineer, sales_rep, engineer
):
    handoff = services.handoff_acknowledge(
        actor=after_sales_engineer, handoff=handoff, after_sales_owner=after_sales_engineer, note="ok"
    )
    assert handoff.status == HandoffStatus.ACKNOWLEDGED
    assert handoff.after_sales_owner == after_sales_engineer
    assert _timer(handoff, HANDOFF_ACK).state == TimerState.SATISFIED
    told = set(
        Notification.objects.filter(key__startswith=f"handoff:{handoff.pk}:acknowledged").values_list(
            "recipient", flat=True
        )
    )
    assert told == {sales_rep.pk, engineer.pk}
    assert handoff.history.first().history_user == after_sales_engineer
    with pytest.raises(DomainError):  # once
        services.handoff_acknowledge(
            actor=after_sales_engineer, handoff=handoff, after_sales_owner=after_sales_engineer
        )


def test_r_hand_2_the_owner_is_of_the_receiving_team(handoff, after_sales_engineer, engineer):
    with pytest.raises(DomainError) as exc:
        services.handoff_acknowledge(actor=after_sales_engineer, handoff=handoff, after_sales_owner=engineer)
    assert "after_sales_owner" in exc.value.fields


def test_r_hand_2_an_unacknowledged_handoff_escalates(handoff, after_sales_manager):
    timer = _timer(handoff, HANDOFF_ACK)
    # when the sweep runs after the due time
    sweep(now=timer.due_at + timedelta(minutes=5), enqueue=lambda _id: None)
    # then the timer is escalated to the receiving team's manager
    timer.refresh_from_db()
    assert timer.escalations_sent == 1
    assert Notification.objects.filter(kind=ESCALATION, recipient=after_sales_manager).exists()


def test_r_hand_2_the_customer_is_told_with_the_guide(handoff, after_sales_engineer, contact, other_engineer):
    with pytest.raises(GateRefused):  # not acknowledged yet
        services.handoff_inform_customer(
            actor=after_sales_engineer, handoff=handoff, contact=contact, language="zh-hans"
        )
    handoff = _acknowledged(handoff, after_sales_engineer)
    with pytest.raises(DomainError) as exc:  # no guide published
        services.handoff_inform_customer(
            actor=after_sales_engineer, handoff=handoff, contact=contact, language="zh-hans"
        )
    assert "language" in exc.value.fields
    ServiceGuide.objects.create(
        language="zh-hans", version=1, title="指南", services="s", response_limits="4h", process="p"
    )
    ServiceGuide.objects.create(
        language="zh-hans", version=2, title="指南", services="s", response_limits="2h", process="p"
    )
    with pytest.raises(NotAllowed):
        services.handoff_inform_customer(
            actor=other_engineer, handoff=handoff, contact=contact, language="zh-hans"
        )
    stranger = ContactFactory()
    with pytest.raises(DomainError):
        services.handoff_inform_customer(
            actor=after_sales_engineer, handoff=handoff, contact=stranger, language="zh-hans"
        )
    handoff = services.handoff_inform_customer(
        actor=after_sales_engineer, handoff=handoff, contact=contact, language="zh-hans"
    )
    assert handoff.customer_informed_at is not None
    assert handoff.informed_contact == contact and handoff.guide_version == 2


# --- R-HAND-3: acceptance -------------------------------------------------------------------


def test_r_hand_3_product_acceptance_is_due_three_working_days_after_receipt(handoff, after_sales_engineer):
    received = timezone.localdate() - timedelta(days=1)
    acceptance = services.acceptance_receive(
        actor=after_sales_engineer, handoff=handoff, received_on=received
    )
    timer = _timer(acceptance, ACCEPTANCE_PRODUCT)
    start = datetime.combine(received, time(12), tzinfo=company_tz())
    assert timer.due_at == add_working_days(start, 3)
    assert timer.policy["limit_unit"] == "working_days"
    # the result meets it
    services.acceptance_record(
        actor=after_sales_engineer,
        handoff=handoff,
        kind="product",
        data={"result": "passed", "accepted_on": timezone.localdate()},
        scan=_scan(),
    )
    timer.refresh_from_db()
    assert timer.state == TimerState.SATISFIED


def test_r_hand_3_receipt_in_the_future_is_refused(handoff, after_sales_engineer):
    with pytest.raises(DomainError) as exc:
        services.acceptance_receive(
            actor=after_sales_engineer, handoff=handoff, received_on=timezone.localdate() + timedelta(days=2)
        )
    assert "received_on" in exc.value.fields
    assert not CustomerAcceptance.objects.exists()


def test_r_hand_3_failed_acceptance_opens_a_24_hour_rectification(
    handoff, after_sales_engineer, engineer, sales_rep
):
    acceptance = services.acceptance_record(
        actor=sales_rep,
        handoff=handoff,
        kind="service",
        data={
            "result": "failed",
            "accepted_on": timezone.localdate(),
            "items": "Training not held",
            "owner": engineer,
        },
    )
    rectification = acceptance.rectification
    timer = _timer(rectification, RECTIFICATION)
    assert rectification.status == RectificationStatus.OPEN and rectification.owner == engineer
    assert timer.owner == engineer and timer.due_at - timer.started_at == timedelta(hours=24)
    assert rectification.due_at == timer.due_at
    assert Notification.objects.filter(
        recipient=engineer, key__startswith=f"acceptance:{acceptance.pk}:failed"
    ).exists()
    # no new acceptance of the kind while it is open
    with pytest.raises(GateRefused):
        services.acceptance_record(
            actor=sales_rep,
            handoff=handoff,
            kind="service",
            data={"result": "passed", "accepted_on": timezone.localdate()},
            scan=_scan(),
        )
    with pytest.raises(DomainError):  # closed with a note
        services.rectification_close(actor=engineer, rectification=rectification, note=" ")
    services.rectification_close(actor=engineer, rectification=rectification, note="Training held")
    timer.refresh_from_db()
    assert timer.state == TimerState.SATISFIED
    again = services.acceptance_record(
        actor=sales_rep,
        handoff=handoff,
        kind="service",
        data={"result": "passed", "accepted_on": timezone.localdate()},
        scan=_scan(),
    )
    assert again.result == AcceptanceResult.PASSED


def test_r_hand_3_r_post_1_passed_acceptance_runs_hooks_and_schedules_surveys(handoff, after_sales_engineer):
    handoff = _acknowledged(handoff, after_sales_engineer)
    calls = []

    def on_accepted(*, contract, accepted_on, actor):
        calls.append((contract.pk, accepted_on, actor.pk))

    hooks.register_on_accepted(on_accepted)
    try:
        accepted_on = timezone.localdate() - timedelta(days=3)
        acceptance = services.acceptance_record(
            actor=after_sales_engineer,
            handoff=handoff,
            kind="service",
            data={"result": "passed", "accepted_on": accepted_on, "notes": "會議驗收"},
            scan=_scan(),
        )
    finally:
        hooks._ON_ACCEPTED.remove(on_accepted)
    assert calls == [(handoff.contract_id, accepted_on, after_sales_engineer.pk)]
    for months, kind in SURVEY_KINDS.items():
        timer = _timer(acceptance, kind)
        assert timer.state == TimerState.OPEN and timer.owner == after_sales_engineer
        assert timezone.localtime(timer.due_at, company_tz()).date() == accepted_on + relativedelta(
            months=months
        )
    # only one passed acceptance per kind
    with pytest.raises(GateRefused):
        services.acceptance_record(
            actor=after_sales_engineer,
            handoff=handoff,
            kind="service",
            data={"result": "passed", "accepted_on": accepted_on},
            scan=_scan(),
        )


def test_r_hand_3_a_passed_acceptance_needs_its_signed_scan(handoff, after_sales_engineer):
    with pytest.raises(DomainError) as exc:
        services.acceptance_record(
            actor=after_sales_engineer,
            handoff=handoff,
            kind="service",
            data={"result": "passed", "accepted_on": timezone.localdate()},
        )
    assert "signed_scan" in exc.value.fields
    assert not CustomerAcceptance.objects.exists()


def test_r_hand_3_a_program_renamed_pdf_is_refused(handoff, after_sales_engineer):
    with pytest.raises(DomainError) as exc:
        services.acceptance_record(
            actor=after_sales_engineer,
            handoff=handoff,
            kind="service",
            data={"result": "passed", "accepted_on": timezone.localdate()},
            scan=_scan("form.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        )
    assert "signed_scan" in exc.value.fields
    assert not CustomerAcceptance.objects.exists()


def test_r_hand_3_another_team_cannot_record(handoff, other_engineer):
    with pytest.raises(NotAllowed):
        services.acceptance_receive(actor=other_engineer, handoff=handoff, received_on=date.today())


def test_closing_the_opportunity_cancels_the_handoff_timers(handoff, sales_rep, after_sales_engineer):
    assert services.handoff_on_opportunity_closed in on_closed_hooks()
    acceptance = services.acceptance_receive(
        actor=after_sales_engineer, handoff=handoff, received_on=timezone.localdate()
    )
    services.handoff_on_opportunity_closed(opportunity=handoff.opportunity, actor=sales_rep)
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.CANCELLED
    assert _timer(handoff, HANDOFF_ACK).state == TimerState.CANCELLED
    assert _timer(acceptance, ACCEPTANCE_PRODUCT).state == TimerState.CANCELLED


def test_demo_acknowledges_and_records_a_passed_acceptance(handoff, after_sales_manager, engineer):
    from types import SimpleNamespace

    from demo.handoff import build_handoffs

    ctx = SimpleNamespace(users={"aftersales_head": after_sales_manager, "engineer": engineer}, log=[])
    build_handoffs(ctx)
    build_handoffs(ctx)  # idempotent
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ACKNOWLEDGED and handoff.guide_version == 1
    assert list(handoff.acceptances.values_list("result", flat=True)) == [AcceptanceResult.PASSED]

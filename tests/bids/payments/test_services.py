"""Payment collection (R-PAY-1): the plan made from the payment terms (or the default
template) and summing exactly to the contract amount; receipts that never exceed it; the
collection timer on the sales owner, started at signing or at the event, satisfied by the
full receipt, escalated when overdue, cancelled when the deal closes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from bids import hooks
from bids.contracts import services as contracts
from bids.contracts.choices import ContractStatus
from bids.models import (
    PaymentInstalment,
    PaymentPlan,
    PaymentPlanTemplate,
    PaymentReceipt,
    PaymentTemplateLine,
)
from bids.payments import registry, services
from bids.payments.choices import InstalmentStatus, Trigger
from bids.payments.timers import PAYMENT_OVERDUE, due_at_of
from opportunities.hooks import run_on_closed
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.sla.models import Notification, Timer
from presales.sla.sweep import sweep
from tests.bids.contracts.test_services import _approve
from tests.bids.payments.factories import drawn_contract, instalments, signed_contract

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _timer(instalment, state=None):
    timers = Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(PaymentInstalment),
        subject_id=instalment.pk,
        kind=PAYMENT_OVERDUE,
    )
    if state:
        timers = timers.filter(state=state)
    return timers.order_by("-id").first()


def _receipt(actor, instalment, amount, **extra):
    data = {"amount": Decimal(amount), "received_on": TODAY(), "method": "bank_transfer", "reference": "BT-1"}
    data.update(extra)
    return services.receipt_record(actor=actor, instalment=instalment, data=data)


# --- the plan ----------------------------------------------------------------------------------


def test_r_pay_1_default_plan_is_made_when_the_contract_is_drawn(sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity)
    rows = instalments(contract)
    assert [(i.percentage, i.trigger, i.amount_due) for i in rows] == [
        (Decimal("30.00"), Trigger.ON_SIGNING, Decimal("300.00")),
        (Decimal("60.00"), Trigger.ON_DELIVERY, Decimal("600.00")),
        (Decimal("10.00"), Trigger.ON_ACCEPTANCE, Decimal("100.00")),
    ]
    plan = PaymentPlan.objects.get(contract=contract)
    assert plan.amount == contract.amount == Decimal("1000.00")
    assert all(i.due_on is None for i in rows)


def test_r_pay_1_plan_is_read_from_the_payment_terms(sales_rep, opportunity):
    terms = "20% 预付款, 70% 到货后15天, 10% 质保金 / 20% advance, 70% on delivery + 15 days, 10% warranty"
    contract = drawn_contract(sales_rep, opportunity, terms=terms)
    rows = instalments(contract)
    assert [(i.percentage, i.trigger, i.offset_days) for i in rows] == [
        (Decimal("20"), Trigger.ON_SIGNING, 0),
        (Decimal("70"), Trigger.ON_DELIVERY, 15),
        (Decimal("10"), Trigger.ON_ACCEPTANCE, 365),
    ]
    assert rows[0].label == "预付款"


def test_r_pay_1_admin_template_is_the_default_when_terms_say_nothing(sales_rep, opportunity):
    template = PaymentPlanTemplate.objects.create(name="50/50", is_default=True)
    PaymentTemplateLine.objects.create(template=template, position=0, label="签约", percentage=50)
    PaymentTemplateLine.objects.create(
        template=template,
        position=1,
        label="验收",
        percentage=50,
        trigger=Trigger.ON_ACCEPTANCE,
        offset_days=30,
    )
    contract = drawn_contract(sales_rep, opportunity, terms="按月结算 monthly")
    assert [(i.label, i.amount_due, i.offset_days) for i in instalments(contract)] == [
        ("签约", Decimal("500.00"), 0),
        ("验收", Decimal("500.00"), 30),
    ]


def test_r_pay_1_percentages_round_and_the_last_absorbs_the_remainder():
    rows = [PaymentInstalment(percentage=Decimal(p)) for p in ("33.33", "33.33", "33.34")]
    services.compute_amounts(Decimal("100.01"), rows)
    assert [r.amount_due for r in rows] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.35")]
    assert sum(r.amount_due for r in rows) == Decimal("100.01")
    # a fixed amount and percentages of the rest
    rows = [PaymentInstalment(fixed_amount=Decimal("0.01")), PaymentInstalment(percentage=Decimal("99.99"))]
    services.compute_amounts(Decimal("100.00"), rows)
    assert [r.amount_due for r in rows] == [Decimal("0.01"), Decimal("99.99")]


def test_r_pay_1_percentages_follow_the_contract_amount(sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity, terms="33.33% 预付, 33.33% 到货, 33.34% 验收")
    line = contract.lines.get()
    contracts.contract_line_update(
        actor=sales_rep, line=line, data={"unit_price": Decimal("100.01"), "explanation": "折扣 discount"}
    )
    rows = instalments(contract)
    assert [i.amount_due for i in rows] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.35")]
    assert PaymentPlan.objects.get(contract=contract).amount == Decimal("100.01")
    assert services.plan_reasons(contract=contract.__class__.objects.get(pk=contract.pk)) == []


def test_r_pay_1_three_times_33_33_percent_does_not_sum_and_is_refused(sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity, terms="33.33% 预付, 33.33% 到货, 33.34% 验收")
    last = instalments(contract)[-1]
    services.instalment_update(actor=sales_rep, instalment=last, data={"percentage": Decimal("33.33")})
    assert sum(i.amount_due for i in instalments(contract)) == Decimal("999.90")
    with pytest.raises(GateRefused) as refused:
        contracts.contract_submit(actor=sales_rep, contract=contract)
    assert "not to the contract amount" in refused.value.reasons[0]


def test_r_pay_1_submit_is_refused_when_a_fixed_amount_plan_does_not_sum(sales_rep, opportunity, approvers):
    contract = drawn_contract(sales_rep, opportunity)
    for instalment in instalments(contract):
        services.instalment_delete(actor=sales_rep, instalment=instalment)
    first = services.instalment_add(
        actor=sales_rep,
        contract=contract,
        data={"label": "预付", "fixed_amount": Decimal("400.00"), "trigger": Trigger.ON_SIGNING},
    )
    assert first.amount_due == Decimal("400.00")
    with pytest.raises(GateRefused) as refused:
        contracts.contract_submit(actor=sales_rep, contract=contract)
    assert any("R-PAY-1" in reason for reason in refused.value.reasons)
    services.instalment_add(
        actor=sales_rep,
        contract=contract,
        data={
            "label": "尾款",
            "fixed_amount": Decimal("600.00"),
            "trigger": Trigger.FIXED_DATE,
            "fixed_date": TODAY() + timedelta(days=90),
        },
    )
    contract = contracts.contract_submit(actor=sales_rep, contract=contract)
    assert contract.status == ContractStatus.IN_REVIEW


def test_r_pay_1_sign_is_refused_when_the_plan_stopped_summing_after_approval(
    sales_rep, opportunity, approvers
):
    from tests.bids.contracts.factories import sign_data

    contract = drawn_contract(sales_rep, opportunity)
    contract = _approve(contracts.contract_submit(actor=sales_rep, contract=contract), approvers)
    services.instalment_update(
        actor=sales_rep, instalment=instalments(contract)[0], data={"percentage": Decimal("20")}
    )
    with pytest.raises(GateRefused):
        contracts.contract_sign(actor=sales_rep, contract=contract, data=sign_data())


def test_r_pay_1_instalment_input_errors_are_field_messages(sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity)
    with pytest.raises(DomainError) as both:
        services.instalment_add(
            actor=sales_rep,
            contract=contract,
            data={"label": "x", "percentage": Decimal("10"), "fixed_amount": Decimal("5")},
        )
    assert "fixed_amount" in both.value.fields
    with pytest.raises(DomainError) as dated:
        services.instalment_add(
            actor=sales_rep, contract=contract, data={"label": "x", "percentage": 10, "trigger": "fixed_date"}
        )
    assert "fixed_date" in dated.value.fields
    with pytest.raises(DomainError) as status:
        services.instalment_add(actor=sales_rep, contract=contract, data={"label": "x", "amount_due": 5})
    assert "amount_due" in status.value.fields


def test_r_pay_1_plan_is_fixed_after_signing(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    with pytest.raises(DomainError) as refused:
        services.instalment_add(actor=sales_rep, contract=contract, data={"label": "x", "percentage": 5})
    assert refused.value.code == "plan_fixed"
    with pytest.raises(DomainError) as changed:
        services.instalment_update(actor=sales_rep, instalment=first, data={"percentage": Decimal("40")})
    assert changed.value.code == "plan_fixed" and "percentage" in changed.value.fields
    with pytest.raises(DomainError):
        services.instalment_delete(actor=sales_rep, instalment=first)
    with pytest.raises(DomainError):
        services.plan_rebuild(actor=sales_rep, contract=contract)


# --- receipts ----------------------------------------------------------------------------------


def test_r_pay_1_receipts_only_on_signed_contracts(sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity)
    with pytest.raises(DomainError) as refused:
        _receipt(sales_rep, instalments(contract)[0], "100.00")
    assert refused.value.code == "not_signed"
    assert not PaymentReceipt.objects.exists()


def test_r_pay_1_receipt_never_exceeds_the_instalment_or_the_contract(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    _receipt(sales_rep, first, "250.00")
    with pytest.raises(Conflict) as over:
        _receipt(sales_rep, first, "50.01")
    assert over.value.code == "over_receipt" and "amount" in over.value.fields
    assert over.value.extra["outstanding"] == "50.00"
    _receipt(sales_rep, first, "50.00")
    plan = PaymentPlan.objects.get(contract=contract)
    assert plan.received_total == Decimal("300.00")
    for amount in ("0", "-5"):
        with pytest.raises(DomainError):
            _receipt(sales_rep, instalments(contract)[1], amount)
    with pytest.raises(DomainError) as future:
        _receipt(sales_rep, instalments(contract)[1], "1.00", received_on=TODAY() + timedelta(days=1))
    assert "received_on" in future.value.fields


def test_r_pay_1_database_refuses_a_received_total_above_the_amount(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentPlan.objects.filter(contract=contract).update(received_total=Decimal("1000.01"))
    first = instalments(contract)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstalment.objects.filter(pk=first.pk).update(received_total=Decimal("300.01"))


def test_r_pay_1_a_user_who_cannot_work_the_opportunity_records_nothing(
    sales_rep, opportunity, approvers, other_engineer, no_role_user
):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    for actor in (other_engineer, no_role_user):
        with pytest.raises(NotAllowed):
            _receipt(actor, first, "10.00")
        with pytest.raises(NotAllowed):
            services.instalment_update(actor=actor, instalment=first, data={"due_on": TODAY()})
    assert not PaymentReceipt.objects.exists()


def test_r_pay_1_reversal_takes_the_amount_back_and_reopens_the_timer(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    receipt = _receipt(sales_rep, first, "300.00")
    assert _timer(first).state == "satisfied"
    with pytest.raises(DomainError):
        services.receipt_reverse(actor=sales_rep, receipt=receipt, reason=" ")
    reversal = services.receipt_reverse(actor=sales_rep, receipt=receipt, reason="录错金额 wrong amount")
    assert (reversal.kind, reversal.amount, reversal.reverses) == ("reversal", Decimal("300.00"), receipt)
    first.refresh_from_db()
    assert first.received_total == 0 and first.settled_at is None
    assert PaymentPlan.objects.get(contract=contract).received_total == 0
    assert _timer(first, state="open") is not None
    with pytest.raises(Conflict):
        services.receipt_reverse(actor=sales_rep, receipt=receipt, reason="again")


# --- timers -------------------------------------------------------------------------------------


def test_r_pay_1_signing_dates_the_instalments_and_starts_their_timers(sales_rep, opportunity, approvers):
    signed_on = TODAY() - timedelta(days=2)
    contract = signed_contract(sales_rep, opportunity, approvers, signed_on=signed_on)
    first, delivery, acceptance = instalments(contract)
    assert first.due_on == signed_on and first.event_on == signed_on
    assert delivery.due_on is None and acceptance.due_on is None
    timer = _timer(first)
    assert timer.state == "open" and timer.owner == sales_rep and timer.team == opportunity.team
    assert timer.due_at == due_at_of(signed_on)
    assert _timer(delivery) is None
    assert first.status == InstalmentStatus.OVERDUE and delivery.status == InstalmentStatus.WAITING
    # a part leaves it open; the rest satisfies it
    _receipt(sales_rep, first, "100.00")
    assert _timer(first).state == "open"
    first.refresh_from_db()
    assert first.status == InstalmentStatus.PART_RECEIVED
    _receipt(sales_rep, first, "200.00")
    assert _timer(first).state == "satisfied"
    first.refresh_from_db()
    assert first.status == InstalmentStatus.RECEIVED and first.settled_at is not None


def test_r_pay_1_overdue_instalment_escalates_to_the_manager(sales_rep, opportunity, approvers, manager):
    contract = signed_contract(sales_rep, opportunity, approvers, signed_on=TODAY() - timedelta(days=10))
    first = instalments(contract)[0]
    sweep(now=timezone.now(), enqueue=lambda pk: None, recover=False)
    timer = _timer(first)
    # due ten days ago: escalated at the due time and again a week later (the latest step counts)
    assert timer.state == "open" and timer.escalations_sent == 2
    assert Notification.objects.filter(recipient=manager, timer=timer).exists()


def test_r_pay_1_acceptance_hook_dates_the_acceptance_instalment(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    acceptance = instalments(contract)[2]
    accepted_on = TODAY() - timedelta(days=1)
    hooks.run_on_accepted(contract=contract, accepted_on=accepted_on, actor=sales_rep)
    acceptance.refresh_from_db()
    assert acceptance.event_on == accepted_on and acceptance.due_on == accepted_on
    assert _timer(acceptance).due_at == due_at_of(accepted_on)
    # a second acceptance (after a rectification) moves nothing
    hooks.run_on_accepted(contract=contract, accepted_on=TODAY(), actor=sales_rep)
    acceptance.refresh_from_db()
    assert acceptance.due_on == accepted_on


def test_r_pay_1_acceptance_offset_counts_from_the_acceptance(sales_rep, opportunity, approvers):
    terms = "30% 预付, 60% 到货, 10% 验收后30天"
    contract = signed_contract(sales_rep, opportunity, approvers, terms=terms)
    accepted_on = TODAY()
    hooks.run_on_accepted(contract=contract, accepted_on=accepted_on, actor=sales_rep)
    assert instalments(contract)[2].due_on == accepted_on + timedelta(days=30)


def test_r_pay_1_delivery_event_and_moving_a_due_date(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    delivery = instalments(contract)[1]
    with pytest.raises(DomainError) as not_due:
        services.instalment_update(actor=sales_rep, instalment=delivery, data={"due_on": TODAY()})
    assert "due_on" in not_due.value.fields
    with pytest.raises(DomainError):
        services.plan_record_event(
            actor=sales_rep,
            contract=contract,
            trigger=Trigger.ON_DELIVERY,
            occurred_on=TODAY() + timedelta(days=1),
        )
    assert (
        services.plan_record_event(
            actor=sales_rep, contract=contract, trigger=Trigger.ON_DELIVERY, occurred_on=TODAY()
        )
        == 1
    )
    delivery.refresh_from_db()
    assert delivery.due_on == TODAY()
    later = TODAY() + timedelta(days=20)
    services.instalment_update(
        actor=sales_rep, instalment=delivery, data={"due_on": later}, expected_version=delivery.version
    )
    assert _timer(delivery, state="open").due_at == due_at_of(later)
    assert _timer(delivery, state="cancelled") is not None
    with pytest.raises(Conflict) as stale:
        services.instalment_update(
            actor=sales_rep, instalment=delivery, data={"due_on": TODAY()}, expected_version=delivery.version
        )
    assert stale.value.code == "stale"


def test_r_pay_1_timers_are_cancelled_when_the_opportunity_closes(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    run_on_closed(opportunity=opportunity, actor=sales_rep)
    assert _timer(first).state == "cancelled"


def test_r_pay_1_handoff_package_section_lists_the_plan(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    section = {s.key: s for s in hooks.package_sections()}[registry.PACKAGE_SECTION]
    built = section.build(contract)
    assert len(built["rows"]) == 3 and len(built["columns"]) == len(built["rows"][0])
    assert built["rows"][0][2].startswith("300.00")

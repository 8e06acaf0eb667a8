"""Contracts (R-SOL-6, R-CON-1..4, R-REV-4, R-REV-5): drawn from the accepted version and its
quote, checked against it line by line, approved through the chain with the general manager
above 10,000 CNY (converted at the recorded rate), signed, archived; the handoff gate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bids.contracts import selectors, services
from bids.contracts.choices import ContractStatus
from bids.models import Contract
from opportunities.choices import InitiationStatus, Stage
from opportunities.services import opportunity_move
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.sla.defaults import CONTRACT_ARCHIVE
from presales.sla.models import Timer
from reviews.models import Review
from reviews.services import review_decide
from tests.bids.contracts.factories import accepted_version, sign_data
from tests.factories import ProjectInitiationFactory

pytestmark = pytest.mark.django_db


def _gm_states(contract) -> list[str]:
    review = Review.objects.get(kind="contract", object_id=contract.pk)
    return list(review.tasks.filter(step_order=3).values_list("state", flat=True))


def _approve(contract, approvers) -> Contract:
    review = Review.objects.get(kind="contract", object_id=contract.pk, status="in_progress")
    for key in ("sales_manager", "legal", "general_manager"):
        review.refresh_from_db()
        if review.status != "in_progress":
            break
        review_decide(actor=approvers[key], review=review, decision="approve")
    contract.refresh_from_db()
    return contract


def _approved_contract(sales_rep, opportunity, approvers, prices=(Decimal("5000.00"),)) -> Contract:
    accepted_version(opportunity, prices=prices)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    contract = services.contract_submit(actor=sales_rep, contract=contract)
    return _approve(contract, approvers)


def _timer(contract):
    return Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(contract),
        subject_id=contract.pk,
        kind=CONTRACT_ARCHIVE,
    ).first()


# --- R-SOL-6: drawn from the accepted version ------------------------------------------------


def test_r_sol_6_contract_is_refused_without_an_accepted_version(sales_rep, opportunity):
    with pytest.raises(GateRefused):
        services.contract_create(actor=sales_rep, opportunity=opportunity)
    assert not Contract.objects.exists()


def test_r_sol_6_contract_copies_the_accepted_quote(sales_rep, opportunity):
    version = accepted_version(
        opportunity,
        lines=(
            {"unit_price": Decimal("1000.00"), "quantity": Decimal("3"), "tax_rate": Decimal("13.00")},
            {"unit_price": Decimal("333.33")},
        ),
    )
    contract = services.contract_create(
        actor=sales_rep, opportunity=opportunity, data={"payment_terms": "30/70"}
    )
    lines = selectors.lines_of(contract)
    assert [(x.item, x.quantity, x.unit_price, x.tax_rate) for x in lines] == [
        (q.item, q.quantity, q.unit_price, q.tax_rate) for q in version.quote_lines.order_by("position")
    ]
    # 3 × 1000 + 13 % = 3390.00; 333.33 without tax
    assert [x.price_incl for x in lines] == [Decimal("3390.00"), Decimal("333.33")]
    assert contract.amount == Decimal("3723.33") and contract.amount_excl_tax == Decimal("3333.33")
    assert contract.solution_version == version and contract.payment_terms == "30/70"
    assert selectors.differences(contract) == []
    with pytest.raises(DomainError):
        services.contract_create(actor=sales_rep, opportunity=opportunity)  # one per opportunity


def test_r_con_1_status_and_amount_cannot_be_written_as_terms(sales_rep, opportunity):
    accepted_version(opportunity)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    for field in ("status", "amount", "signed_on"):
        with pytest.raises(DomainError) as exc:
            services.contract_update(actor=sales_rep, contract=contract, data={field: "signed"})
        assert field in exc.value.fields


# --- R-CON-2: consistency with the quote -----------------------------------------------------


def test_r_con_2_differences_are_listed_and_must_be_explained(sales_rep, opportunity, approvers):
    accepted_version(opportunity, prices=(Decimal("1000.00"), Decimal("200.00")))
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    first, _second = selectors.lines_of(contract)
    services.contract_line_update(actor=sales_rep, line=first, data={"unit_price": Decimal("900.00")})
    added = services.contract_line_add(
        actor=sales_rep,
        contract=contract,
        data={
            "item": "Training",
            "quantity": Decimal("1"),
            "unit_price": Decimal("50.00"),
            "tax_rate": Decimal("0"),
        },
    )
    diffs = selectors.differences(contract)
    assert [d.label for d in diffs] == [first.item, "Training"]
    assert any(change[1] == "1000.00" and change[2] == "900.00" for change in diffs[0].changes)
    contract.refresh_from_db()
    assert contract.amount == Decimal("1150.00")
    with pytest.raises(GateRefused) as exc:
        services.contract_submit(actor=sales_rep, contract=contract)
    assert len(exc.value.reasons) == 2
    services.contract_line_update(
        actor=sales_rep, line=first, data={"explanation": "Volume discount agreed."}
    )
    services.contract_line_update(
        actor=sales_rep, line=added, data={"explanation": "Training added on request."}
    )
    assert selectors.unexplained(contract) == []
    contract = services.contract_submit(actor=sales_rep, contract=contract)
    assert contract.status == ContractStatus.IN_REVIEW


# --- R-REV-4: threshold routing and currency -------------------------------------------------


@pytest.mark.parametrize(
    ("price", "currency", "rate", "gm_applies"),
    [
        (Decimal("10000.01"), "CNY", None, True),
        (Decimal("9999.99"), "CNY", None, False),
        (Decimal("1408.46"), "USD", Decimal("7.1"), True),  # 10,000.07 CNY
        (Decimal("1408.45"), "USD", Decimal("7.1"), False),  # 9,999.99(5) → 10,000.00 CNY, not above
        (Decimal("9999.99"), "USD", Decimal("7.1"), True),  # would not apply compared unconverted
    ],
)
def test_r_rev_4_general_manager_step_by_amount_in_cny(
    sales_rep, opportunity, approvers, price, currency, rate, gm_applies
):
    accepted_version(opportunity, prices=(price,), currency=currency, rate=rate)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    assert contract.amount == price and contract.fx_rate_to_cny == rate
    services.contract_submit(actor=sales_rep, contract=contract)
    states = _gm_states(contract)
    assert (states != ["skipped"]) is gm_applies
    contract = _approve(contract, approvers)
    assert contract.status == ContractStatus.APPROVED


def test_r_rev_4_foreign_amount_without_a_rate_is_refused(sales_rep, opportunity, approvers):
    accepted_version(opportunity, prices=(Decimal("2000.00"),), currency="USD", rate=None)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    with pytest.raises(DomainError) as exc:
        services.contract_submit(actor=sales_rep, contract=contract)
    assert exc.value.status_code == 400 and exc.value.code == "fx_rate_missing"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    contract = services.contract_update(
        actor=sales_rep,
        contract=contract,
        data={"fx_rate_to_cny": Decimal("7.1"), "fx_rate_date": "2026-12-01"},
    )
    contract = services.contract_submit(actor=sales_rep, contract=contract)
    assert _gm_states(contract) != ["skipped"]  # 14,200 CNY


def test_r_rev_5_own_contract_is_not_approved_by_its_owner(sales_rep, opportunity, approvers):
    accepted_version(opportunity)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    services.contract_submit(actor=sales_rep, contract=contract)
    review = Review.objects.get(kind="contract", object_id=contract.pk)
    with pytest.raises(DomainError):
        review_decide(actor=sales_rep, review=review, decision="approve")


def test_r_rev_5_change_to_approved_contract_sends_it_back_to_review(sales_rep, opportunity, approvers):
    contract = _approved_contract(sales_rep, opportunity, approvers)
    assert contract.status == ContractStatus.APPROVED
    contract = services.contract_update(actor=sales_rep, contract=contract, data={"warranty": "3 years"})
    assert contract.status == ContractStatus.DRAFT
    with pytest.raises(GateRefused):
        services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    contract = services.contract_submit(actor=sales_rep, contract=contract)
    assert Review.objects.filter(kind="contract", object_id=contract.pk).count() == 2
    contract = _approve(contract, approvers)
    line = selectors.lines_of(contract)[0]
    services.contract_line_update(
        actor=sales_rep, line=line, data={"quantity": Decimal("2"), "explanation": "x"}
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT and contract.amount == Decimal("10000.00")


def test_r_rev_5_change_in_review_withdraws_the_review(sales_rep, opportunity, approvers):
    accepted_version(opportunity)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    services.contract_submit(actor=sales_rep, contract=contract)
    contract = services.contract_update(actor=sales_rep, contract=contract, data={"liability": "0.5 % a day"})
    assert contract.status == ContractStatus.DRAFT
    assert Review.objects.get(kind="contract", object_id=contract.pk).status == "cancelled"


def test_r_rev_5_an_explanation_alone_does_not_reopen(sales_rep, opportunity, approvers):
    contract = _approved_contract(sales_rep, opportunity, approvers)
    line = selectors.lines_of(contract)[0]
    services.contract_line_update(actor=sales_rep, line=line, data={"explanation": "As quoted."})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED


# --- R-CON-3, R-CON-4: signing and the archive timer -------------------------------------------


def test_r_con_3_signing_is_refused_before_approval(sales_rep, opportunity, approvers):
    accepted_version(opportunity)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    with pytest.raises(GateRefused):
        services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    services.contract_submit(actor=sales_rep, contract=contract)
    with pytest.raises(GateRefused):
        services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_REVIEW and contract.signed_on is None


def test_r_con_3_signing_needs_the_customer_authorisation(sales_rep, opportunity, approvers):
    contract = _approved_contract(sales_rep, opportunity, approvers)
    with pytest.raises(DomainError) as exc:
        services.contract_sign(
            actor=sales_rep,
            contract=contract,
            data=sign_data(customer_authorisation_ref="", signing_method="fax"),
        )
    assert set(exc.value.fields) == {"customer_authorisation_ref", "signing_method"}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED


def test_r_con_4_signing_starts_the_archive_timer_met_by_the_scan(sales_rep, opportunity, approvers):
    contract = _approved_contract(sales_rep, opportunity, approvers)
    contract = services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    assert contract.status == ContractStatus.SIGNED and contract.signing_method == "seal"
    timer = _timer(contract)
    assert timer.state == "open" and timer.owner_id == sales_rep.pk
    with pytest.raises(DomainError) as exc:
        services.contract_record_scan(
            actor=sales_rep,
            contract=contract,
            scan=SimpleUploadedFile("scan.exe", b"MZ"),
            archive_location="A-3",
        )
    assert "signed_scan" in exc.value.fields
    # a program renamed .pdf is refused by its content (presales/core/uploads)
    with pytest.raises(DomainError) as exc:
        services.contract_record_scan(
            actor=sales_rep,
            contract=contract,
            scan=SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf"),
            archive_location="A-3",
        )
    assert "does not match" in exc.value.fields["signed_scan"][0]
    with pytest.raises(DomainError) as exc:
        services.contract_record_scan(
            actor=sales_rep,
            contract=contract,
            scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4"),
            archive_location="",
        )
    assert "archive_location" in exc.value.fields
    assert _timer(contract).state == "open"
    contract = services.contract_record_scan(
        actor=sales_rep,
        contract=contract,
        scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 signed"),
        archive_location="Cabinet A-3",
    )
    assert contract.archived_at is not None and contract.signed_scan.name
    # stored under a random name, never the client's
    assert "scan" not in contract.signed_scan.name.rsplit("/", 1)[-1]
    assert _timer(contract).state == "satisfied"
    with pytest.raises(DomainError):
        services.contract_update(actor=sales_rep, contract=contract, data={"warranty": "changed"})


def test_r_con_other_team_cannot_touch_the_contract(sales_rep, other_engineer, opportunity, approvers):
    accepted_version(opportunity)
    with pytest.raises(NotAllowed):
        services.contract_create(actor=other_engineer, opportunity=opportunity)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    for call in (
        lambda: services.contract_update(actor=other_engineer, contract=contract, data={"warranty": "x"}),
        lambda: services.contract_submit(actor=other_engineer, contract=contract),
        lambda: services.contract_sign(actor=other_engineer, contract=contract, data=sign_data()),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert not selectors.contracts_for(other_engineer).exists()
    assert selectors.contracts_for(sales_rep).get() == contract


# --- the handoff gate (R-CON-3) ---------------------------------------------------------------


def test_r_con_3_handoff_needs_an_approved_and_signed_contract(sales_rep, opportunity, approvers):
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=sales_rep, opportunity=opportunity, move="handoff")
    assert any("R-CON-3" in r for r in exc.value.reasons)
    contract = _approved_contract(sales_rep, opportunity, approvers)
    with pytest.raises(GateRefused):
        opportunity_move(actor=sales_rep, opportunity=opportunity, move="handoff")
    services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    moved = opportunity_move(actor=sales_rep, opportunity=opportunity, move="handoff")
    assert moved.stage == Stage.HANDOFF


def test_r_con_4_the_scan_is_due_three_working_days_after_signing(sales_rep, opportunity, approvers):
    from presales.sla.calendar import add_working_days

    contract = _approved_contract(sales_rep, opportunity, approvers)
    contract = services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    assert _timer(contract).due_at == add_working_days(contract.signed_at, 3)


def test_r_rev_5_rejected_contract_returns_to_its_author_and_is_resubmitted(
    sales_rep, opportunity, approvers
):
    accepted_version(opportunity)
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    services.contract_submit(actor=sales_rep, contract=contract)
    review = Review.objects.get(kind="contract", object_id=contract.pk)
    review_decide(
        actor=approvers["sales_manager"], review=review, decision="reject", comment="付款条件不可接受"
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REJECTED
    with pytest.raises(GateRefused):
        services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    services.contract_update(actor=sales_rep, contract=contract, data={"payment_terms": "50/50"})
    # R-CON-5: the term changed after the rejection is confirmed with the customer first
    with pytest.raises(GateRefused):
        services.contract_submit(actor=sales_rep, contract=contract)
    services.clause_change_confirm(
        actor=sales_rep,
        change=contract.clause_changes.get(),
        customer_confirmed_by="王經理",
        customer_confirmed_on=timezone.localdate(),
    )
    contract = services.contract_submit(actor=sales_rep, contract=contract)
    assert contract.status == ContractStatus.IN_REVIEW
    assert list(contract.status_changes.order_by("at", "id").values_list("move", flat=True)) == [
        "submit",
        "reject",
        "submit",
    ]


def test_r_con_4_the_signed_scan_downloads_logged_and_is_404_for_another_team(
    client, sales_rep, other_engineer, opportunity, approvers
):
    from django.urls import reverse

    from presales.models import DownloadLog

    contract = _approved_contract(sales_rep, opportunity, approvers)
    contract = services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    contract = services.contract_record_scan(
        actor=sales_rep,
        contract=contract,
        scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 signed"),
        archive_location="Cabinet A-3",
    )
    url = reverse("bids:contract-scan", args=[contract.pk])
    client.force_login(other_engineer)
    assert client.get(url).status_code == 404
    assert not DownloadLog.objects.exists()
    client.force_login(sales_rep)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert DownloadLog.objects.filter(user=sales_rep).count() == 1

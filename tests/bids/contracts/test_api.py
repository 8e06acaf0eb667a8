"""/api/v1/contracts/ and /api/v1/contract-lines/ (R-SOL-6, R-CON-1..4, R-REV-4), the handoff
gate through the API and the board (R-CON-3), the read-only admin: every route holds the rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from bids.contracts import services
from bids.contracts.choices import ContractStatus
from bids.models import Contract, ContractLine
from opportunities.choices import InitiationStatus, Stage
from opportunities.models import Opportunity
from tests.bids.contracts.factories import accepted_version, sign_data
from tests.bids.contracts.test_services import _approve
from tests.factories import ProjectInitiationFactory

pytestmark = pytest.mark.django_db


def _url(contract=None, action=None):
    if contract is None:
        return reverse("contract-list")
    if action is None:
        return reverse("contract-detail", args=[contract.pk])
    return reverse(f"contract-{action}", args=[contract.pk])


@pytest.fixture
def contract(sales_rep, opportunity):
    accepted_version(opportunity, prices=(Decimal("1000.00"),))
    return services.contract_create(actor=sales_rep, opportunity=opportunity)


def test_r_sol_6_create_through_the_api_copies_the_quote(client_for, sales_rep, opportunity):
    client = client_for(sales_rep)
    refused = client.post(_url(), {"opportunity": opportunity.pk}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "gate_refused"
    accepted_version(opportunity, prices=(Decimal("1200.00"), Decimal("300.00")))
    response = client.post(_url(), {"opportunity": opportunity.pk, "warranty": "3 years"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["warranty"]) == ("draft", "1500.00", "3 years")
    lines = client.get(reverse("contract-line-list")).json()["results"]
    assert sorted(line["unit_price"] for line in lines) == ["1200.00", "300.00"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "signed"),
        ("amount", "1.00"),
        ("signed_on", "2026-01-01"),
        ("archived_at", "2026-01-01T00:00:00Z"),
    ],
)
def test_r_con_3_status_and_signing_cannot_be_patched(client_for, sales_rep, contract, field, value):
    response = client_for(sales_rep).patch(_url(contract), {field: value}, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT and contract.signed_on is None


def test_r_con_other_team_gets_404(client_for, other_engineer, contract):
    client = client_for(other_engineer)
    assert client.get(_url(contract)).status_code == 404
    assert client.post(_url(contract, "submit")).status_code == 404
    assert client.post(_url(contract, "sign"), sign_data(), format="json").status_code == 404
    line = contract.lines.get()
    assert client.get(reverse("contract-line-detail", args=[line.pk])).status_code == 404
    assert (
        client.patch(
            reverse("contract-line-detail", args=[line.pk]), {"quantity": "5"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(_url()).json()["results"] == []
    created = client.post(_url(), {"opportunity": contract.opportunity_id}, format="json")
    assert created.status_code == 400  # the opportunity is not one they see


def test_r_con_2_submit_answers_409_until_differences_are_explained(
    client_for, sales_rep, contract, approvers
):
    client = client_for(sales_rep)
    line = contract.lines.get()
    patched = client.patch(
        reverse("contract-line-detail", args=[line.pk]), {"unit_price": "950.00"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["price_incl"] == "950.00"
    response = client.post(_url(contract, "submit"))
    assert response.status_code == 409 and "R-CON-2" in response.json()["reasons"][0]
    client.patch(reverse("contract-line-detail", args=[line.pk]), {"explanation": "Discount."}, format="json")
    response = client.post(_url(contract, "submit"))
    assert response.status_code == 200 and response.json()["status"] == "in_review"


def test_r_rev_4_foreign_amount_without_rate_is_400(client_for, sales_rep, opportunity, approvers):
    accepted_version(opportunity, prices=(Decimal("2000.00"),), currency="USD")
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    response = client_for(sales_rep).post(_url(contract, "submit"))
    assert response.status_code == 400 and "fx_rate_to_cny" in response.json()["fields"]
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.DRAFT


def test_r_con_3_sign_and_scan_through_the_api(client_for, sales_rep, contract, approvers):
    client = client_for(sales_rep)
    data = {**sign_data(), "signed_on": sign_data()["signed_on"].isoformat()}
    assert client.post(_url(contract, "sign"), data, format="json").status_code == 409  # not approved
    services.contract_submit(actor=sales_rep, contract=contract)
    _approve(contract, approvers)
    bad = client.post(_url(contract, "sign"), {**data, "signing_method": "fax"}, format="json")
    assert bad.status_code == 400 and "signing_method" in bad.json()["fields"]
    signed = client.post(_url(contract, "sign"), data, format="json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    wrong = client.post(
        _url(contract, "scan"),
        {"signed_scan": SimpleUploadedFile("scan.exe", b"MZ"), "archive_location": "A-3"},
        format="multipart",
    )
    assert wrong.status_code == 400 and "signed_scan" in wrong.json()["fields"]
    scanned = client.post(
        _url(contract, "scan"),
        {"signed_scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4"), "archive_location": "Cabinet A-3"},
        format="multipart",
    )
    assert scanned.status_code == 200 and scanned.json()["archive_location"] == "Cabinet A-3"


def test_r_con_3_handoff_refused_through_the_api_and_the_board(
    client_for, client, sales_rep, contract, approvers
):
    opportunity = contract.opportunity
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    response = client_for(sales_rep).post(
        reverse("opportunity-move", args=[opportunity.pk]), {"move": "handoff"}, format="json"
    )
    assert response.status_code == 409
    assert any("R-CON-3" in reason for reason in response.json()["reasons"])
    client.force_login(sales_rep)
    client.post(reverse("opportunities:move", args=[opportunity.pk, "handoff"]), {"stage": Stage.HANDOFF})
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.CONTRACT
    services.contract_submit(actor=sales_rep, contract=contract)
    contract = _approve(contract, approvers)
    services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    response = client_for(sales_rep).post(
        reverse("opportunity-move", args=[opportunity.pk]), {"move": "handoff"}, format="json"
    )
    assert response.status_code == 200 and response.json()["stage"] == "handoff"


def test_r_con_admin_is_read_only(admin_user, contract):
    request = RequestFactory().get("/")
    request.user = admin_user
    for model in (Contract, ContractLine):
        model_admin = site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, contract)
        assert not model_admin.has_delete_permission(request, contract)

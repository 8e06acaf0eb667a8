"""The contract section of the desk and its actions (R-SOL-6, R-CON-2..4): the same rules as
the services, refusals shown as messages; another team's opportunity is 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bids.contracts.choices import ContractStatus
from bids.models import Contract
from tests.bids.contracts.factories import accepted_version, sign_data
from tests.bids.contracts.test_services import _approve

pytestmark = pytest.mark.django_db


def _action(opportunity, action):
    return reverse("bids:contract-action", args=[opportunity.pk, action])


def test_r_con_desk_walks_the_contract_from_acceptance_to_archive(client, sales_rep, opportunity, approvers):
    client.force_login(sales_rep)
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="desk-contract"' in desk and "R-SOL-6" in desk
    accepted_version(opportunity, prices=(Decimal("800.00"),))
    client.post(_action(opportunity, "create"))
    contract = Contract.objects.get(opportunity=opportunity)
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="contract-consistent"' in desk and 'data-testid="contract-submit"' in desk
    # signing before approval is refused (R-CON-3)
    client.post(_action(opportunity, "sign"), sign_data())
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    client.post(_action(opportunity, "submit"))
    contract = _approve(contract, approvers)
    assert 'data-testid="contract-sign"' in client.get(opportunity.get_absolute_url()).content.decode()
    client.post(_action(opportunity, "sign"), sign_data())
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    client.post(
        _action(opportunity, "scan"),
        {"signed_scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4"), "archive_location": "Cabinet A-3"},
    )
    contract.refresh_from_db()
    assert contract.archive_location == "Cabinet A-3" and contract.archived_at is not None


def test_r_con_2_desk_lists_unexplained_differences(client, sales_rep, opportunity):
    from bids.contracts import services

    accepted_version(opportunity, prices=(Decimal("800.00"),))
    contract = services.contract_create(actor=sales_rep, opportunity=opportunity)
    services.contract_line_update(
        actor=sales_rep, line=contract.lines.get(), data={"unit_price": Decimal("700")}
    )
    client.force_login(sales_rep)
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="contract-differences"' in desk and "800.00 → 700.00" in desk


def test_r_con_other_team_actions_are_404(client, other_engineer, opportunity):
    accepted_version(opportunity)
    client.force_login(other_engineer)
    for action in ("create", "submit", "sign", "scan"):
        assert client.post(_action(opportunity, action)).status_code == 404
    assert not Contract.objects.exists()

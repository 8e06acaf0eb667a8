"""The payments tab of the opportunity desk (R-PAY-1): the plan shown, edited before
signing, receipts recorded after it through the services; another team is 404; the admin
changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bids.models import PaymentInstalment, PaymentPlan, PaymentReceipt
from tests.bids.payments.factories import drawn_contract, instalments, signed_contract

pytestmark = pytest.mark.django_db


def _action(opportunity, action):
    return reverse("bids:payment-action", args=[opportunity.pk, action])


def test_r_pay_1_desk_edits_the_plan_before_signing(client, sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity)
    client.force_login(sales_rep)
    page = client.get(opportunity.get_absolute_url())
    assert page.status_code == 200
    assert b'data-testid="desk-payments"' in page.content and b'data-testid="instalment-add"' in page.content
    response = client.post(
        _action(opportunity, "add"),
        {
            "new-label": "质保金",
            "new-percentage": "5",
            "new-trigger": "on_acceptance",
            "new-offset_days": "365",
        },
    )
    assert response.status_code == 302
    assert instalments(contract)[-1].amount_due == Decimal("50.00")
    page = client.get(opportunity.get_absolute_url())
    assert b'data-testid="payment-plan-reasons"' in page.content
    client.post(_action(opportunity, "rebuild"))
    assert len(instalments(contract)) == 3


def test_r_pay_1_desk_records_a_receipt_and_refuses_an_over_receipt(
    client, sales_rep, opportunity, approvers
):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    client.force_login(sales_rep)
    page = client.get(opportunity.get_absolute_url())
    assert b'data-testid="receipt-form"' in page.content
    data = {
        "instalment": first.pk,
        "amount": "300.00",
        "received_on": timezone.localdate().isoformat(),
        "method": "acceptance_bill",
        "reference": "承兑 0001",
    }
    client.post(_action(opportunity, "receipt"), data)
    assert PaymentReceipt.objects.get().amount == Decimal("300.00")
    response = client.post(_action(opportunity, "receipt"), {**data, "amount": "0.01"}, follow=True)
    assert "left on this instalment" in response.content.decode()
    assert PaymentPlan.objects.get(contract=contract).received_total == Decimal("300.00")


def test_r_pay_1_desk_actions_of_another_team_are_404(
    client, sales_rep, opportunity, approvers, other_engineer
):
    contract = signed_contract(sales_rep, opportunity, approvers)
    client.force_login(other_engineer)
    response = client.post(
        _action(opportunity, "receipt"),
        {
            "instalment": instalments(contract)[0].pk,
            "amount": "1.00",
            "received_on": timezone.localdate().isoformat(),
            "method": "cash",
        },
    )
    assert response.status_code == 404
    assert not PaymentReceipt.objects.exists()


def test_r_pay_1_admin_is_read_only_for_plans_and_receipts(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    for model in (PaymentPlan, PaymentInstalment, PaymentReceipt):
        model_admin = site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)

"""The payments API (R-PAY-1): instalments changed through the services with versions,
receipts recorded and refused with 409 ``over_receipt``, receipts never changed, another
team's records out of reach, the receivables endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from bids.models import PaymentReceipt
from tests.bids.payments.factories import drawn_contract, instalments, signed_contract

pytestmark = pytest.mark.django_db


def _receipt(instalment, amount="100.00", **extra):
    return {
        "instalment": instalment.pk,
        "amount": amount,
        "received_on": timezone.localdate().isoformat(),
        "method": "bank_transfer",
        "reference": "BT-2026-001",
        **extra,
    }


def test_r_pay_1_api_edits_the_plan_before_signing(client_for, sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity)
    client = client_for(sales_rep)
    listed = client.get(reverse("payment-instalment-list"), {"contract": contract.pk}).json()["results"]
    assert [row["amount_due"] for row in listed] == ["300.00", "600.00", "100.00"]
    first = instalments(contract)[0]
    url = reverse("payment-instalment-detail", args=[first.pk])
    read = client.get(url)
    assert read["ETag"] == f'W/"{first.version}"'
    changed = client.patch(url, {"percentage": "40.00"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed.json()["amount_due"] == "400.00"
    stale = client.patch(url, {"percentage": "30.00"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    for field, value in (("amount_due", "1.00"), ("received_total", "5.00")):
        refused = client.patch(url, {field: value}, format="json")
        assert refused.status_code == 400 and field in refused.json()["fields"]
    bad = client.post(
        reverse("payment-instalment-list"),
        {"contract": contract.pk, "label": "x", "trigger": "fixed_date", "percentage": "5"},
        format="json",
    )
    assert bad.status_code == 400 and "fixed_date" in bad.json()["fields"]
    added = client.post(
        reverse("payment-instalment-list"),
        {"contract": contract.pk, "label": "质保金", "fixed_amount": "50.00", "trigger": "on_acceptance"},
        format="json",
    )
    assert added.status_code == 201, added.content
    submitted = client.post(reverse("contract-submit", args=[contract.pk]))
    assert submitted.status_code == 409 and any("R-PAY-1" in r for r in submitted.json()["reasons"])
    assert client.delete(reverse("payment-instalment-detail", args=[added.json()["id"]])).status_code == 204


def test_r_pay_1_api_receipts_and_over_receipt(client_for, sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    client = client_for(sales_rep)
    created = client.post(reverse("payment-receipt-list"), _receipt(first, "250.00"), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["recorded_by"] == sales_rep.pk
    over = client.post(reverse("payment-receipt-list"), _receipt(first, "50.01"), format="json")
    assert over.status_code == 409
    assert over.json()["code"] == "over_receipt" and "amount" in over.json()["fields"]
    for bad in ({"amount": "-1"}, {"method": "bitcoin"}, {"received_on": "soon"}):
        response = client.post(reverse("payment-receipt-list"), _receipt(first, **bad), format="json")
        assert response.status_code == 400 and set(bad) <= set(response.json()["fields"])
    receipt_url = reverse("payment-receipt-detail", args=[created.json()["id"]])
    assert client.patch(receipt_url, {"amount": "1.00"}, format="json").status_code == 405
    assert client.delete(receipt_url).status_code == 405
    # after signing only a triggered instalment's due date changes through the API
    url = reverse("payment-instalment-detail", args=[first.pk])
    fixed = client.patch(url, {"percentage": "50.00"}, format="json")
    assert fixed.status_code == 400 and fixed.json()["code"] == "plan_fixed"
    moved = client.patch(url, {"due_on": "2031-01-31"}, format="json")
    assert moved.status_code == 200 and moved.json()["due_on"] == "2031-01-31"
    reversed_ = client.post(reverse("payment-receipt-reverse", args=[created.json()["id"]]), {"reason": "错"})
    assert reversed_.status_code == 201 and reversed_.json()["kind"] == "reversal"
    event = client.post(
        reverse("payment-instalment-record-event", args=[first.pk]),
        {"event": "on_delivery", "occurred_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert event.status_code == 200 and event.json() == {"triggered": 1}


def test_r_pay_1_api_other_team_cannot_record_or_see(
    client_for, sales_rep, opportunity, approvers, other_engineer
):
    contract = signed_contract(sales_rep, opportunity, approvers)
    first = instalments(contract)[0]
    client = client_for(other_engineer)
    refused = client.post(reverse("payment-receipt-list"), _receipt(first), format="json")
    assert refused.status_code == 400 and "instalment" in refused.json()["fields"]
    assert client.get(reverse("payment-instalment-detail", args=[first.pk])).status_code == 404
    assert client.get(reverse("payment-instalment-list")).json()["results"] == []
    assert not PaymentReceipt.objects.exists()


def test_r_pay_1_api_receivables(client_for, sales_rep, opportunity, approvers, other_engineer):
    contract = signed_contract(sales_rep, opportunity, approvers)
    client = client_for(sales_rep)
    client.post(reverse("payment-receipt-list"), _receipt(instalments(contract)[0], "300.00"), format="json")
    body = client.get(reverse("receivables"), {"group": "owner"}).json()
    assert body["group"] == "owner" and body["count"] == 1
    row = body["results"][0]
    assert (row["key"], row["amount"], row["received"], row["outstanding"], row["not_due"]) == (
        sales_rep.pk,
        "1000.00",
        "300.00",
        "700.00",
        "700.00",
    )
    assert client_for(other_engineer).get(reverse("receivables")).json()["count"] == 0
    for params in ({"group": "planet"}, {"page_size": "0"}, {"page": "x"}, {"team": "abc"}):
        response = client.get(reverse("receivables"), params)
        assert response.status_code == 400, params

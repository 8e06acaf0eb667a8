"""The risks tab of the opportunity desk, its actions and the risk register page (R-RISK-1):
web forms call the services, a non-manager's acceptance is 403, another team's opportunity
404, bad input a message (never a 500), the contract's submission refused on the web while a
high risk is open; the admin is read-only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bids.contracts import services as contracts
from bids.models import CreditAssessment, Risk
from tests.bids.contracts.factories import accepted_version
from tests.bids.risks.factories import risk

pytestmark = pytest.mark.django_db


def _url(opportunity, action):
    return reverse("bids:risk-action", args=[opportunity.pk, action])


def _form(owner, **overrides):
    data = {
        "new-category": "legal",
        "new-title": "Data-residency clause",
        "new-description": "",
        "new-likelihood": "3",
        "new-impact": "5",
        "new-response": "transfer",
        "new-response_plan": "Insurance.",
        "new-owner": str(owner.pk),
        "new-review_on": str(timezone.localdate() + timedelta(days=5)),
    }
    data.update(overrides)
    return data


def test_desk_tab_shows_risks_coloured_by_level_r_risk_1(client, engineer, opportunity):
    # given
    risk(engineer, opportunity, likelihood=5, impact=5, title="Top risk")
    risk(engineer, opportunity, likelihood=1, impact=2, title="Small risk")
    client.force_login(engineer)
    # when
    page = client.get(opportunity.get_absolute_url())
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="desk-risks"' in html
    assert "risk-level-high" in html and "risk-level-low" in html
    assert "Top risk" in html


def test_add_a_risk_on_the_web_r_risk_1(client, engineer, opportunity):
    client.force_login(engineer)
    response = client.post(_url(opportunity, "add"), _form(engineer))
    assert response.status_code == 302
    created = Risk.objects.get()
    assert (created.score, created.level, created.created_by) == (15, "high", engineer)


def test_bad_input_on_the_web_is_a_message_not_a_500_r_risk_1(client, engineer, opportunity):
    client.force_login(engineer)
    response = client.post(_url(opportunity, "add"), _form(engineer, **{"new-likelihood": "6"}), follow=True)
    assert response.status_code == 200
    assert not Risk.objects.exists()


def test_engineer_accepting_on_the_web_is_403_r_risk_1(client, engineer, sales_manager, opportunity):
    r = risk(engineer, opportunity, likelihood=5, impact=5)
    client.force_login(engineer)
    refused = client.post(_url(opportunity, "accept"), {"risk": r.pk, "reason": "fine"})
    assert refused.status_code == 403
    client.force_login(sales_manager)
    accepted = client.post(_url(opportunity, "accept"), {"risk": r.pk, "reason": "Guaranteed."})
    assert accepted.status_code == 302
    r.refresh_from_db()
    assert r.status == "accepted"


def test_review_and_close_on_the_web_r_risk_1(client, engineer, opportunity):
    r = risk(engineer, opportunity)
    client.force_login(engineer)
    next_on = timezone.localdate() + timedelta(days=20)
    client.post(_url(opportunity, "review"), {"risk": r.pk, "next_review_on": str(next_on), "note": "ok"})
    r.refresh_from_db()
    assert r.review_on == next_on
    client.post(_url(opportunity, "close"), {"risk": r.pk, "note": "done"})
    r.refresh_from_db()
    assert r.status == "closed"


def test_credit_assessment_on_the_web_r_risk_1(client, sales_rep, opportunity):
    client.force_login(sales_rep)
    today = timezone.localdate()
    response = client.post(
        _url(opportunity, "credit"),
        {
            "credit-rating": "C",
            "credit-credit_limit": "100000",
            "credit-payment_history": "Paid late once.",
            "credit-assessed_on": str(today),
            "credit-valid_until": str(today + timedelta(days=90)),
        },
    )
    assert response.status_code == 302
    assert CreditAssessment.objects.get().rating == "C"


def test_other_team_gets_404_on_the_web_r_risk_1(client, other_engineer, engineer, opportunity):
    r = risk(engineer, opportunity)
    client.force_login(other_engineer)
    assert client.post(_url(opportunity, "close"), {"risk": r.pk}).status_code == 404
    page = client.get(reverse("bids:risk-register"))
    assert page.status_code == 200
    assert r.title not in page.content.decode()


def test_submit_on_the_web_is_refused_by_an_open_high_risk_r_risk_1(client, sales_rep, opportunity):
    # given
    accepted_version(opportunity, prices=(Decimal("5000.00"),))
    contract = contracts.contract_create(actor=sales_rep, opportunity=opportunity)
    risk(sales_rep, opportunity, likelihood=5, impact=5, title="Sanctions")
    client.force_login(sales_rep)
    # when
    response = client.post(reverse("bids:contract-action", args=[opportunity.pk, "submit"]), follow=True)
    # then
    contract.refresh_from_db()
    assert contract.status == "draft"
    assert "Sanctions" in response.content.decode()


def test_register_page_filters_and_orders_r_risk_1(client, engineer, opportunity):
    risk(engineer, opportunity, likelihood=1, impact=1, title="Lowest")
    risk(engineer, opportunity, likelihood=5, impact=5, title="Highest")
    client.force_login(engineer)
    html = client.get(reverse("bids:risk-register")).content.decode()
    assert html.index("Highest") < html.index("Lowest")
    filtered = client.get(reverse("bids:risk-register") + "?level=high").content.decode()
    assert "Highest" in filtered and "Lowest" not in filtered


def test_admin_is_read_only_r_risk_1(client, engineer, opportunity, make_user):
    admin = make_user("admin", username="root", is_staff=True, is_superuser=True)
    r = risk(engineer, opportunity)
    client.force_login(admin)
    assert client.get(reverse("admin:bids_risk_add")).status_code == 403
    response = client.post(reverse("admin:bids_risk_change", args=[r.pk]), {"title": "changed"})
    assert response.status_code == 403
    r.refresh_from_db()
    assert r.title != "changed"

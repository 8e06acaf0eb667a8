"""The customer form's tier against the suggested tier (R-CUST-4), and the contact cadence that
follows the tier (R-CUST-7), through the web form: a tier other than the suggestion without a
reason is a form error and saves nothing; with a reason it is saved, kept in the customer's
history, shown on the customer's page, and the cadence timer follows the new tier."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leads.cadence import CUSTOMER_CADENCE, cadence_sync
from leads.choices import Tier
from leads.models import Customer
from presales.sla.models import Timer
from tests.factories import CustomerFactory, CustomerPresalesFactory

pytestmark = pytest.mark.django_db

REASON = "Group headquarters: the reference site for the whole province."


@pytest.fixture
def customer(team, sales_rep, engineer):
    """A grade-C customer whose tier is the suggested one (general), the engineer its primary
    presales; its cadence timer runs on the grade's 180 days."""
    customer = CustomerFactory(
        team=team,
        owner=sales_rep,
        name="Donghai Energy Group",
        fit_score=1,
        value_score=1,
        grade="C",
        tier=Tier.GENERAL,
        suggested_tier=Tier.GENERAL,
        suggested_tier_reason="won ¥0.0M in 24 months, open pipeline ¥0.0M",
    )
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    return customer


def form_data(customer, **overrides) -> dict:
    data = {
        "name": customer.name,
        "industry": customer.industry,
        "fit_score": str(customer.fit_score),
        "value_score": str(customer.value_score),
        "grade": "",
        "grade_reason": "",
        "tier": Tier.GENERAL,
        "tier_override_reason": "",
        "team": customer.team_id,
        "owner": customer.owner_id,
        "need_tags_text": "",
        "version": customer.version,
    }
    data.update(overrides)
    return data


def cadence_days(customer) -> int:
    timer = Timer.objects.get(kind=CUSTOMER_CADENCE, subject_id=customer.pk, state="open")
    return (timer.due_at - customer.created_at).days


def test_a_tier_other_than_the_suggestion_needs_a_reason_on_the_form_R_CUST_4_R_CUST_7(
    client, engineer, customer
):
    client.force_login(engineer)
    url = reverse("leads:customer_edit", args=[customer.pk])
    cadence_sync(customer)
    assert cadence_days(customer) == 180  # grade C
    history_before = customer.history.count()

    # when the engineer chooses "strategic" against the suggested "general", without a reason
    response = client.post(url, form_data(customer, tier=Tier.STRATEGIC))

    # then the form comes back with the error on the reason field, and nothing is saved
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["tier_override_reason"] == [
        "Explain why the tier differs from the suggested tier (General)."
    ]
    assert "Explain why the tier differs from the suggested tier (General)." in response.content.decode()
    unchanged = Customer.objects.get(pk=customer.pk)
    assert (unchanged.tier, unchanged.tier_override_reason, unchanged.version) == (
        Tier.GENERAL,
        "",
        customer.version,
    )
    assert customer.history.count() == history_before
    assert cadence_days(customer) == 180

    # when they give the reason
    response = client.post(url, form_data(customer, tier=Tier.STRATEGIC, tier_override_reason=REASON))

    # then the tier and its reason are saved, and recorded in the customer's history
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.tier, saved.tier_override_reason) == (Tier.STRATEGIC, REASON)
    latest = saved.history.order_by("-history_date", "-history_id").first()
    assert (latest.tier, latest.tier_override_reason, latest.history_user) == (
        Tier.STRATEGIC,
        REASON,
        engineer,
    )
    assert customer.history.count() == history_before + 1
    # and the contact cadence follows the tier: strategic shortens it to 30 days (R-CUST-7)
    assert cadence_days(saved) == 30
    # and the customer's page shows the tier with its reason beside the suggestion
    page = client.get(saved.get_absolute_url()).content.decode()
    assert 'data-testid="tier-override-reason"' in page and REASON in page
    assert 'data-testid="suggested-tier"' in page and 'data-testid="apply-tier"' in page

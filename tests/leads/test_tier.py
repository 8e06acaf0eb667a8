"""The suggested tier and its override reason (R-CUST-4)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.choices import Tier
from leads.tiering import TierFigures, customers_suggest_tiers, suggest
from opportunities.tier_figures import tier_figures
from presales.core.errors import DomainError
from tests.factories import CustomerFactory, CustomerPresalesFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("won", "pipeline", "tier"),
    [
        (5_000_000, 0, Tier.STRATEGIC),
        (0, 10_000_000, Tier.STRATEGIC),
        (4_999_999, 9_999_999, Tier.IMPORTANT),
        (1_000_000, 0, Tier.IMPORTANT),
        (0, 3_000_000, Tier.IMPORTANT),
        (999_999, 2_999_999, Tier.GENERAL),
    ],
)
def test_suggestion_thresholds_r_cust_4(won, pipeline, tier):
    # when figures are on either side of the thresholds, then the tier follows them
    assert suggest(TierFigures(won=Decimal(won), pipeline=Decimal(pipeline)))[0] == tier


def test_figures_from_opportunities_in_cny_r_cust_4(team):
    # given a customer with a won deal in the window, an old won deal, and an open USD deal
    customer = CustomerFactory(team=team)
    now = timezone.now()
    OpportunityFactory(customer=customer, team=team, amount=6_200_000, stage="handoff", closed_at=now)
    OpportunityFactory(
        customer=customer, team=team, amount=9_000_000, stage="handoff", closed_at=now - timedelta(days=800)
    )
    OpportunityFactory(
        customer=customer,
        team=team,
        amount=100_000,
        currency="USD",
        fx_rate_to_cny=Decimal("7.1"),
        fx_rate_date=now.date(),
        stage="solution",
    )
    # when the figures are read
    figures = tier_figures([customer.pk], now - timedelta(days=730))[customer.pk]
    # then only the recent won deal counts as won, the open one in CNY as pipeline
    assert figures.won == Decimal("6200000")
    assert figures.pipeline == Decimal("710000")
    # and the monthly computation stores the suggestion with its reason
    assert customers_suggest_tiers(customer_ids=[customer.pk], now=now) == 1
    customer.refresh_from_db()
    assert customer.suggested_tier == Tier.STRATEGIC
    assert customer.suggested_tier_reason == "won ¥6.2M in 24 months"
    assert customer.suggested_at == now


def suggested_customer(engineer, team, tier=Tier.GENERAL):
    customer = CustomerFactory(team=team, tier=tier, suggested_tier=Tier.GENERAL, suggested_tier_reason="x")
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    return customer


def test_override_needs_reason_in_service_r_cust_4(engineer, team):
    # given a customer whose suggested tier is general
    customer = suggested_customer(engineer, team)
    # when the tier is set to strategic without a reason
    with pytest.raises(DomainError) as refused:
        services.customer_update(actor=engineer, customer=customer, data={"tier": Tier.STRATEGIC})
    # then the reason is asked for
    assert "tier_override_reason" in refused.value.fields
    # when a reason is given, then it stands
    customer = services.customer_update(
        actor=engineer,
        customer=customer,
        data={"tier": Tier.STRATEGIC, "tier_override_reason": "Group headquarters."},
    )
    assert customer.tier == Tier.STRATEGIC
    # when the suggestion is applied, then the reason is cleared
    customer = services.customer_apply_suggested_tier(actor=engineer, customer=customer)
    assert customer.tier == Tier.GENERAL and customer.tier_override_reason == ""


def test_override_needs_reason_in_api_r_cust_4(client_for, engineer, team):
    # given a customer whose suggested tier is general
    customer = suggested_customer(engineer, team)
    api = client_for(engineer)
    url = reverse("customer-detail", args=[customer.pk])
    # when the API sets another tier without a reason
    answer = api.patch(url, {"tier": Tier.IMPORTANT}, format="json")
    # then 400 with the field message
    assert answer.status_code == 400, answer.content
    assert "tier_override_reason" in str(answer.json())
    # when the reason is sent, then 200
    answer = api.patch(url, {"tier": Tier.IMPORTANT, "tier_override_reason": "Pilot."}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["suggested_tier"] == Tier.GENERAL
    # when the suggestion is applied through the action
    answer = api.post(reverse("customer-apply-suggested-tier", args=[customer.pk]))
    assert answer.status_code == 200 and answer.json()["tier"] == Tier.GENERAL


def test_override_needs_reason_on_web_and_apply_r_cust_4(client, engineer, team):
    # given a strategic customer whose suggested tier is general
    customer = suggested_customer(engineer, team, tier=Tier.IMPORTANT)
    client.force_login(engineer)
    # then the page shows the suggestion with its apply action
    page = client.get(customer.get_absolute_url()).content.decode()
    assert 'data-testid="suggested-tier"' in page and 'data-testid="apply-tier"' in page
    # when the apply action is posted
    answer = client.post(reverse("leads:customer_apply_tier", args=[customer.pk]))
    # then the tier is the suggestion
    assert answer.status_code == 302
    customer.refresh_from_db()
    assert customer.tier == Tier.GENERAL

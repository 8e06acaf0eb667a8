"""The expected close (R-OPP-1, issue 8 item 15): set or changed, it lies between today and
ten years ahead; an unchanged old value stays valid. Same refusal through service, API, form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Opportunity
from opportunities.services import opportunity_create, opportunity_update
from presales.core.errors import DomainError
from tests.factories import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.mark.parametrize("close", [days(-1), days(365 * 10 + 5)], ids=["past", "beyond_10_years"])
def test_create_refuses_a_close_out_of_range_R_OPP_1(engineer, team, close):
    # given a customer of the engineer's team
    customer = CustomerFactory(team=team)
    # when an opportunity is opened with the out-of-range close
    with pytest.raises(DomainError) as refused:
        opportunity_create(actor=engineer, data={"customer": customer, "title": "T", "expected_close": close})
    # then the refusal names expected_close and nothing was created
    assert list(refused.value.fields) == ["expected_close"]
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("close", [days(0), days(365 * 9)], ids=["today", "in_9_years"])
def test_create_accepts_a_close_in_range_R_OPP_1(engineer, team, close):
    customer = CustomerFactory(team=team)
    opportunity = opportunity_create(
        actor=engineer, data={"customer": customer, "title": "T", "expected_close": close}
    )
    assert opportunity.expected_close == close


def test_an_unchanged_old_close_stays_valid_but_a_changed_one_is_checked_R_OPP_1(engineer, team):
    # given an opportunity whose expected close has passed
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, expected_close=days(-30))
    # when another fact changes, then the old close is kept
    updated = opportunity_update(actor=engineer, opportunity=opportunity, data={"title": "Renamed"})
    assert (updated.title, updated.expected_close) == ("Renamed", days(-30))
    # when the close is moved to another past day, then it is refused and nothing changes
    with pytest.raises(DomainError) as refused:
        opportunity_update(
            actor=engineer, opportunity=opportunity, data={"title": "Again", "expected_close": days(-1)}
        )
    assert list(refused.value.fields) == ["expected_close"]
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.expected_close) == ("Renamed", days(-30))


def test_api_answers_400_naming_expected_close_R_OPP_1(client_for, engineer, team):
    customer = CustomerFactory(team=team)
    response = client_for(engineer).post(
        reverse("opportunity-list"), {"customer": customer.pk, "title": "T", "expected_close": "2020-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"expected_close": ["The expected close cannot be in the past."]}
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    response = client_for(engineer).patch(
        reverse("opportunity-detail", args=[opportunity.pk]), {"expected_close": days(4000).isoformat()}
    )
    assert response.status_code == 400 and list(response.json()["fields"]) == ["expected_close"]


def test_the_edit_form_shows_the_refusal_on_the_field_R_OPP_1(client, engineer, team):
    # given an opportunity and its edit form
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    client.force_login(engineer)
    # when the form is posted with a close in the past
    response = client.post(
        reverse("opportunities:update", args=[opportunity.pk]),
        {
            "customer": opportunity.customer_id,
            "title": opportunity.title,
            "amount": "100",
            "currency": "CNY",
            "expected_close": "2020-01-01",
            "team": team.pk,
            "sales_owner": opportunity.sales_owner_id,
            "presales_owner": opportunity.presales_owner_id,
        },
    )
    # then the form comes back with the error on expected_close and the close is unchanged
    assert response.status_code == 200
    assert response.context["form"].errors["expected_close"] == ["The expected close cannot be in the past."]
    before = opportunity.expected_close
    opportunity.refresh_from_db()
    assert opportunity.expected_close == before

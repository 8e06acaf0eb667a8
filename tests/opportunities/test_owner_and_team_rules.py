"""Opportunity rules held by the services, whatever the entry point (API POST/PUT/PATCH,
web form, direct call): the presales owner holds a presales role (R-CUST-5), a named sales
owner a sales role (R-OPP-1), and the team is one of the writer's (R-CUST-6). The editable
fields are declared once, in ``opportunities.services.OPPORTUNITY_FIELDS``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opportunities.api.serializers import OpportunitySerializer
from opportunities.forms import OpportunityForm
from opportunities.models import Opportunity
from opportunities.services import OPPORTUNITY_FIELDS, opportunity_create, opportunity_update
from presales.core.errors import DomainError
from presales.core.roles import Role
from tests.factories import CustomerFactory, CustomerPresalesFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal(make_user, team):
    return make_user(Role.LEGAL, team=team, username="legal")


@pytest.fixture
def customer(team, sales_rep, engineer):
    customer = CustomerFactory(team=team, owner=sales_rep)
    CustomerPresalesFactory(customer=customer, user=engineer)
    return customer


def body(customer, **overrides) -> dict:
    data = {"customer": customer.pk, "title": "MES", "amount": "100000", "currency": "CNY"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["sales_rep", "legal"])
def test_api_refuses_a_non_presales_presales_owner_r_cust_5(
    client_for, engineer, customer, sales_rep, legal, who
):
    person = {"sales_rep": sales_rep, "legal": legal}[who]
    response = client_for(engineer).post(
        reverse("opportunity-list"), body(customer, presales_owner=person.pk), format="json"
    )
    assert response.status_code == 400, response.content
    assert "presales_owner" in response.json()["fields"]
    assert not Opportunity.objects.exists()


def test_api_refuses_a_non_sales_sales_owner_r_opp_1(client_for, engineer, customer, legal):
    response = client_for(engineer).post(
        reverse("opportunity-list"), body(customer, sales_owner=legal.pk), format="json"
    )
    assert response.status_code == 400
    assert "sales_owner" in response.json()["fields"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_api_refuses_another_team_and_a_sales_rep_as_presales_owner_on_change(
    client_for, engineer, sales_rep, team, other_team, customer, method
):
    """R-CUST-6, R-CUST-5: the engineer stays personally on it, so only the team rule stops it."""
    opportunity = OpportunityFactory(
        team=team, customer=customer, presales_owner=engineer, sales_owner=sales_rep
    )
    client = client_for(engineer)
    url = reverse("opportunity-detail", args=[opportunity.pk])
    full = body(customer, team=team.pk, sales_owner=sales_rep.pk, presales_owner=engineer.pk)
    for change, field in (
        ({"team": other_team.pk}, "team"),
        ({"presales_owner": sales_rep.pk}, "presales_owner"),
    ):
        data = {**full, **change} if method == "put" else change
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 400, response.content
        assert list(response.json()["fields"]) == [field]
    opportunity.refresh_from_db()
    assert (opportunity.team, opportunity.presales_owner) == (team, engineer)


def test_api_refuses_creating_under_another_team_r_cust_6(client_for, engineer, customer, other_team):
    response = client_for(engineer).post(
        reverse("opportunity-list"), body(customer, team=other_team.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"team": ["Choose one of your teams."]}
    assert not Opportunity.objects.exists()


def test_services_refuse_the_same_r_cust_5_r_cust_6(engineer, sales_rep, legal, customer, team, other_team):
    data = {"customer": customer, "title": "MES", "amount": 1}
    for extra, field in (
        ({"presales_owner": sales_rep}, "presales_owner"),
        ({"sales_owner": legal}, "sales_owner"),
        ({"team": other_team}, "team"),
    ):
        with pytest.raises(DomainError) as refused:
            opportunity_create(actor=engineer, data={**data, **extra})
        assert list(refused.value.fields) == [field]
    assert not Opportunity.objects.exists()
    opportunity = opportunity_create(actor=engineer, data=data)
    assert (opportunity.team, opportunity.presales_owner) == (team, engineer)
    with pytest.raises(DomainError):
        opportunity_update(actor=engineer, opportunity=opportunity, data={"team": other_team})
    with pytest.raises(DomainError):
        opportunity_update(actor=engineer, opportunity=opportunity, data={"presales_owner": sales_rep})
    opportunity.refresh_from_db()
    assert (opportunity.team, opportunity.presales_owner) == (team, engineer)


def test_an_opportunity_may_take_its_customers_team(engineer, make_user, other_team):
    """An engineer assisting on another team's customer opens its opportunity under that team."""
    customer = CustomerFactory(team=other_team)
    CustomerPresalesFactory(customer=customer, user=engineer)
    opportunity = opportunity_create(actor=engineer, data={"customer": customer, "title": "MES", "amount": 1})
    assert opportunity.team == other_team


def test_web_form_refuses_another_team_and_offers_only_owners(
    client, engineer, sales_rep, customer, other_team
):
    client.force_login(engineer)
    response = client.post(reverse("opportunities:create"), body(customer, team=other_team.pk))
    assert response.status_code == 200
    assert not Opportunity.objects.exists()
    form = OpportunityForm(user=engineer)
    assert set(form.fields["presales_owner"].queryset) == {engineer}
    assert set(form.fields["sales_owner"].queryset) == {sales_rep}


def test_editable_fields_are_declared_once():
    """The web form and the API serializer take their writable fields from the service."""
    assert OpportunityForm.Meta.fields == list(OPPORTUNITY_FIELDS)
    serializer = OpportunitySerializer()
    writable = [name for name, field in serializer.fields.items() if not field.read_only]
    assert writable == list(OPPORTUNITY_FIELDS)

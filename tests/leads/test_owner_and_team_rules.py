"""Rules that used to live only in the web forms, now held by the services so that the web
form, the API (POST/PUT/PATCH) and direct service calls agree:

- R-CUST-5: the presales owner of a lead and the primary presales engineer of a customer hold
  a presales role; a customer starts with exactly one primary presales engineer.
- R-CUST-6: a record is filed under (or moved to) one of the writer's teams only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from leads import services
from leads.choices import Industry, LeadSource, LeadStatus
from leads.forms import CustomerForm, LeadForm
from leads.models import Customer, CustomerPresales, Lead
from opportunities.models import Opportunity
from opportunities.services import opportunity_qualify_lead
from presales.core.errors import DomainError
from presales.core.roles import Role
from tests.factories import CustomerFactory, CustomerPresalesFactory, LeadFactory
from tests.leads.test_api import assert_error_body
from tests.leads.test_views import lead_form_data

pytestmark = pytest.mark.django_db

EVALUATION = {
    "background": "Plant expansion.",
    "needs": "MES.",
    "budget": "3M CNY.",
    "competition": "One local vendor.",
    "timeline": "Q3.",
}


@pytest.fixture
def engineer_client(client, engineer):
    client.force_login(engineer)
    return client


@pytest.fixture
def legal(make_user, team):
    return make_user(Role.LEGAL, team=team, username="legal")


def lead_body(**overrides) -> dict:
    body = {
        "source": LeadSource.REFERRAL,
        "company_name": "Nanjing Robotics Co., Ltd.",
        "contact_name": "Li Wei",
        "phone": "+86 139 0000 1111",
        "industry": Industry.MANUFACTURING,
    }
    body.update(overrides)
    return body


def customer_body(**overrides) -> dict:
    body = {"name": "Huadong Precision", "industry": Industry.MANUFACTURING}
    body.update(overrides)
    return body


# --- R-CUST-5: the presales owner of a lead ---------------------------------------------------


@pytest.mark.parametrize("who", ["sales_rep", "legal"])
def test_api_refuses_a_non_presales_presales_owner_on_a_new_lead_r_cust_5(
    client_for, engineer, sales_rep, legal, who
):
    # given a sales rep or a legal counsel named as the lead's presales owner
    person = {"sales_rep": sales_rep, "legal": legal}[who]
    # when the engineer posts the lead
    response = client_for(engineer).post(
        reverse("lead-list"), lead_body(presales_owner=person.pk), format="json"
    )
    # then it is a 400 on the field and no lead exists
    assert "presales_owner" in assert_error_body(response, 400)["fields"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_api_refuses_a_non_presales_presales_owner_on_a_lead_change_r_cust_5(
    client_for, engineer, sales_rep, team, method
):
    lead = LeadFactory(team=team, owner=sales_rep, presales_owner=engineer)
    body = lead_body(presales_owner=sales_rep.pk, team=team.pk, owner=sales_rep.pk)
    if method == "patch":
        body = {"presales_owner": sales_rep.pk}
    response = getattr(client_for(engineer), method)(
        reverse("lead-detail", args=[lead.pk]), body, format="json"
    )
    assert "presales_owner" in assert_error_body(response, 400)["fields"]
    assert Lead.objects.get(pk=lead.pk).presales_owner == engineer


def test_service_refuses_a_non_presales_presales_owner_r_cust_5(engineer, sales_rep, team):
    """Direct service calls (the API's serializer is not there to help)."""
    # when a lead is created, then changed, naming a sales rep as its presales owner
    with pytest.raises(DomainError) as refused:
        services.lead_create(actor=engineer, data=lead_body(presales_owner=sales_rep))
    assert list(refused.value.fields) == ["presales_owner"]
    assert not Lead.objects.exists()
    lead = services.lead_create(actor=engineer, data=lead_body(presales_owner=engineer))
    with pytest.raises(DomainError) as refused:
        services.lead_update(actor=engineer, lead=lead, data={"presales_owner": sales_rep})
    assert list(refused.value.fields) == ["presales_owner"]
    assert Lead.objects.get(pk=lead.pk).presales_owner == engineer


def test_an_older_lead_keeps_its_facts_editable_whatever_its_presales_owner_holds(engineer, sales_rep, team):
    """Only a changed presales owner is checked: a record from before the rule still edits."""
    lead = LeadFactory(team=team, owner=sales_rep, presales_owner=sales_rep)
    services.lead_update(actor=engineer, lead=lead, data={"timing": "Q4", "presales_owner": sales_rep})
    assert Lead.objects.get(pk=lead.pk).timing == "Q4"


def test_web_lead_form_offers_only_presales_people_r_cust_5(engineer_client, engineer, sales_rep, team):
    form = LeadForm(user=engineer)
    assert set(form.fields["presales_owner"].queryset) == {engineer}
    response = engineer_client.post(
        reverse("leads:lead_create"), lead_form_data(team, sales_rep, presales_owner=sales_rep.pk)
    )
    assert response.status_code == 200
    assert not Lead.objects.exists()


# --- R-CUST-5: the customer's primary presales engineer ------------------------------------------


def test_api_customer_without_primary_from_a_sales_rep_is_a_400_naming_the_field_r_cust_5(
    client_for, sales_rep
):
    response = client_for(sales_rep).post(reverse("customer-list"), customer_body(), format="json")
    body = assert_error_body(response, 400)
    assert list(body["fields"]) == ["primary_presales"]
    assert not Customer.objects.exists()


def test_api_customer_created_by_a_presales_engineer_has_them_as_primary_r_cust_5(client_for, engineer):
    response = client_for(engineer).post(reverse("customer-list"), customer_body(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["primary_presales"]["id"] == engineer.pk
    assert CustomerPresales.objects.filter(is_primary=True).count() == 1


@pytest.mark.parametrize("who", ["sales_rep", "legal"])
def test_api_refuses_a_non_presales_primary_r_cust_5(client_for, engineer, sales_rep, legal, who):
    person = {"sales_rep": sales_rep, "legal": legal}[who]
    response = client_for(engineer).post(
        reverse("customer-list"), customer_body(primary_presales=person.pk), format="json"
    )
    assert "primary_presales" in assert_error_body(response, 400)["fields"]
    assert not Customer.objects.exists()


def test_service_customer_create_requires_one_presales_primary_r_cust_5(sales_rep, engineer, legal):
    # without one, from someone who cannot be it
    with pytest.raises(DomainError) as refused:
        services.customer_create(actor=sales_rep, data=customer_body())
    assert list(refused.value.fields) == ["primary_presales"]
    # naming legal
    with pytest.raises(DomainError) as refused:
        services.customer_create(actor=sales_rep, data=customer_body(), primary_presales=legal)
    assert list(refused.value.fields) == ["primary_presales"]
    assert not Customer.objects.exists()
    # naming an engineer
    customer = services.customer_create(actor=sales_rep, data=customer_body(), primary_presales=engineer)
    assert customer.primary_presales == engineer


def test_web_customer_form_from_a_sales_rep_needs_the_primary_r_cust_5(client, sales_rep, team):
    client.force_login(sales_rep)
    data = {
        "name": "Nanfang Textiles",
        "industry": "manufacturing",
        "fit_score": "3",
        "value_score": "3",
        "tier": "important",
        "team": team.pk,
        "owner": sales_rep.pk,
        "primary_presales": "",
    }
    response = client.post(reverse("leads:customer_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "primary_presales": ["Name the customer's primary presales engineer."]
    }
    assert not Customer.objects.exists()
    assert sales_rep not in CustomerForm(user=sales_rep).fields["primary_presales"].queryset


# --- R-CUST-5 at qualification ----------------------------------------------------------------------


def test_qualifying_does_not_carry_a_sales_rep_over_as_presales_owner_r_cust_5(engineer, sales_rep, team):
    # given a lead (from before the rule) whose presales owner is a sales rep
    lead = LeadFactory(team=team, owner=sales_rep, presales_owner=sales_rep)
    services.lead_record_first_contact(
        actor=engineer, lead=lead, data={"channel": "phone", "key_points": "x"}
    )
    # when the engineer qualifies it
    opportunity = opportunity_qualify_lead(actor=engineer, lead=lead, evaluation=EVALUATION)
    # then the new customer's primary, and the opportunity's presales owner, is the engineer
    assert opportunity.customer.primary_presales == engineer
    assert opportunity.presales_owner == engineer


def test_qualifying_onto_an_existing_customer_takes_its_primary_not_a_sales_rep_r_cust_5(
    engineer, sales_rep, team
):
    customer = CustomerFactory(team=team, owner=sales_rep)
    CustomerPresalesFactory(customer=customer, user=engineer)
    lead = LeadFactory(team=team, owner=sales_rep, presales_owner=sales_rep)
    services.lead_record_first_contact(
        actor=sales_rep, lead=lead, data={"channel": "phone", "key_points": "x"}
    )
    opportunity = opportunity_qualify_lead(
        actor=sales_rep, lead=lead, evaluation=EVALUATION, customer=customer
    )
    assert opportunity.presales_owner == engineer


def test_qualifying_into_a_new_customer_without_any_presales_person_is_refused_r_cust_5(sales_rep, team):
    # given a lead without a presales owner, qualified by a sales rep, with no customer yet
    lead = LeadFactory(team=team, owner=sales_rep)
    services.lead_record_first_contact(
        actor=sales_rep, lead=lead, data={"channel": "phone", "key_points": "x"}
    )
    # when qualified: then refused on the lead's presales owner, and nothing happened
    with pytest.raises(DomainError) as refused:
        opportunity_qualify_lead(actor=sales_rep, lead=lead, evaluation=EVALUATION)
    assert list(refused.value.fields) == ["presales_owner"]
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CONTACTED
    assert not Customer.objects.exists()
    assert not Opportunity.objects.exists()


# --- R-CUST-6: the writer's team ----------------------------------------------------------------


@pytest.mark.parametrize("resource", ["lead", "customer"])
def test_api_refuses_filing_under_another_team_r_cust_6(client_for, engineer, other_team, resource):
    body = lead_body(team=other_team.pk) if resource == "lead" else customer_body(team=other_team.pk)
    response = client_for(engineer).post(reverse(f"{resource}-list"), body, format="json")
    assert assert_error_body(response, 400)["fields"] == {"team": ["Choose one of your teams."]}
    assert not Lead.objects.exists() and not Customer.objects.exists()


@pytest.mark.parametrize("resource", ["lead", "customer"])
def test_api_refuses_moving_a_record_to_another_team_r_cust_6(
    client_for, engineer, sales_rep, team, other_team, resource
):
    # given a record the engineer personally owns (so it would stay visible to them)
    if resource == "lead":
        record = LeadFactory(team=team, owner=sales_rep, presales_owner=engineer)
    else:
        record = CustomerFactory(team=team, owner=engineer)
        CustomerPresalesFactory(customer=record, user=engineer)
    # when they PATCH it to another team
    response = client_for(engineer).patch(
        reverse(f"{resource}-detail", args=[record.pk]), {"team": other_team.pk}, format="json"
    )
    # then 400 on the team, and it stays where it was
    assert assert_error_body(response, 400)["fields"] == {"team": ["Choose one of your teams."]}
    record.refresh_from_db()
    assert record.team == team


def test_services_refuse_another_team_r_cust_6(engineer, team, other_team):
    with pytest.raises(DomainError) as refused:
        services.lead_create(actor=engineer, data=lead_body(team=other_team))
    assert list(refused.value.fields) == ["team"]
    with pytest.raises(DomainError) as refused:
        services.customer_create(actor=engineer, data=customer_body(team=other_team))
    assert list(refused.value.fields) == ["team"]
    customer = services.customer_create(actor=engineer, data=customer_body())
    with pytest.raises(DomainError) as refused:
        services.customer_update(actor=engineer, customer=customer, data={"team": other_team})
    assert list(refused.value.fields) == ["team"]
    assert Customer.objects.get().team == team
    assert not Lead.objects.exists()


def test_a_manager_files_under_a_managed_team_and_an_admin_under_any_r_cust_6(
    make_user, engineer, team, other_team
):
    # the manager of the other team (home team: team) may file there
    manager = make_user(Role.SALES_MANAGER, team=team)
    other_team.manager = manager
    other_team.save()
    lead = services.lead_create(actor=manager, data=lead_body(team=other_team))
    assert lead.team == other_team
    # an all-scope admin chooses any team
    admin = make_user(Role.ADMIN, team=team)
    customer = services.customer_create(
        actor=admin, data=customer_body(team=other_team), primary_presales=engineer
    )
    assert customer.team == other_team


def test_web_lead_form_refuses_another_team_r_cust_6(engineer_client, sales_rep, other_team):
    response = engineer_client.post(reverse("leads:lead_create"), lead_form_data(other_team, sales_rep))
    assert response.status_code == 200
    assert not Lead.objects.exists()

"""Search-as-you-type pickers (issue 9 Build 4, R-CUST-6): the autocomplete endpoints are
scoped like the lists, role-checked like them and capped; filter and form pages render only
the chosen option; a posted id is still validated against the scoped choices."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from leads.choices import LeadStatus
from presales.core.roles import Role
from presales.web.autocomplete import AUTOCOMPLETE_LIMIT
from tests.factories import ContactFactory, CustomerFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def results(client, url_name, **params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return response.json()


def texts(data):
    return [row["text"] for row in data["results"]]


def select_html(page: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert match, name
    return match.group(0)


# --- the endpoints -------------------------------------------------------------------------


def test_customer_suggestions_are_scoped_R_CUST_6(client, engineer, team, other_team):
    """Another team's customer is never suggested, whatever is typed."""
    CustomerFactory(team=team, name="Suzhou Precision")
    CustomerFactory(team=other_team, name="Suzhou Secret Works")
    client.force_login(engineer)
    assert texts(results(client, "leads:autocomplete-customers", q="Suzhou")) == ["Suzhou Precision"]
    assert "Suzhou Secret Works" not in texts(results(client, "leads:autocomplete-customers"))
    assert texts(results(client, "leads:autocomplete-customers", q="Secret")) == []


def test_suggestions_are_capped_and_say_there_are_more(client, engineer, team):
    """Never more than the cap, with ``more`` telling the picker to ask for a narrower term."""
    for i in range(AUTOCOMPLETE_LIMIT + 5):
        CustomerFactory(team=team, name=f"Plant {i:02d}")
    client.force_login(engineer)
    data = results(client, "leads:autocomplete-customers", q="plant")
    assert len(data["results"]) == AUTOCOMPLETE_LIMIT == 20
    assert data["more"] is True
    assert texts(data) == sorted(texts(data))  # by name, the picker keeps this order
    narrow = results(client, "leads:autocomplete-customers", q="Plant 2")
    assert texts(narrow) == [f"Plant {i}" for i in range(20, 25)] and narrow["more"] is False


@pytest.mark.parametrize(
    "url_name",
    [
        "leads:autocomplete-customers",
        "leads:autocomplete-contacts",
        "leads:autocomplete-leads",
        "opportunities:autocomplete",
        "autocomplete-people",
    ],
)
def test_endpoints_need_a_role_like_the_lists(client, no_role_user, url_name):
    """A signed-in user without a role (no list access) gets 403; so does the anonymous."""
    assert client.get(reverse(url_name)).status_code == 403
    client.force_login(no_role_user)
    assert client.get(reverse(url_name), {"q": "a"}).status_code == 403


def test_contact_suggestions_are_scoped_and_narrow_to_one_customer(client, engineer, team, other_team):
    ours = CustomerFactory(team=team)
    also_ours = CustomerFactory(team=team)
    theirs = CustomerFactory(team=other_team)
    ContactFactory(customer=ours, name="Wang Li")
    ContactFactory(customer=also_ours, name="Wang Fang")
    ContactFactory(customer=theirs, name="Wang Secret")
    client.force_login(engineer)
    assert sorted(texts(results(client, "leads:autocomplete-contacts", q="Wang"))) == [
        "Wang Fang · IT Director",
        "Wang Li · IT Director",
    ]
    assert texts(results(client, "leads:autocomplete-contacts", q="Wang", customer=ours.pk)) == [
        "Wang Li · IT Director"
    ]
    assert texts(results(client, "leads:autocomplete-contacts", customer=theirs.pk)) == []


def test_lead_and_opportunity_suggestions_are_scoped(client, engineer, team, other_team):
    LeadFactory(team=team, company_name="Ningbo Valves")
    LeadFactory(
        team=team, company_name="Ningbo Closed", status=LeadStatus.DISQUALIFIED, disqualify_reason="no_budget"
    )
    LeadFactory(team=other_team, company_name="Ningbo Hidden")
    OpportunityFactory(team=team, title="Ningbo line")
    OpportunityFactory(team=other_team, title="Ningbo hidden line")
    client.force_login(engineer)
    leads = texts(results(client, "leads:autocomplete-leads", q="Ningbo"))
    assert [t.split(" / ")[0] for t in leads] == ["Ningbo Closed", "Ningbo Valves"]
    open_leads = texts(results(client, "leads:autocomplete-leads", q="Ningbo", open="1"))
    assert [t.split(" / ")[0] for t in open_leads] == ["Ningbo Valves"]
    opportunities = texts(results(client, "opportunities:autocomplete", q="Ningbo"))
    assert len(opportunities) == 1 and opportunities[0].startswith("Ningbo line · ")


def test_people_suggestions_follow_the_roles_that_may_own(client, engineer, make_user, team):
    """Owner pickers offer only the roles that may own (issue 8): sales owners are sales."""
    make_user(Role.SALES_REP, team=team, username="zhang_sales", display_name="Zhang Sales")
    make_user(Role.LEGAL, team=team, username="zhang_legal", display_name="Zhang Legal")
    make_user(Role.PRESALES_ENGINEER, team=team, username="zhang_pre", display_name="Zhang Presales")
    client.force_login(engineer)
    assert texts(results(client, "autocomplete-people", q="zhang", roles="sales")) == ["Zhang Sales"]
    assert texts(results(client, "autocomplete-people", q="zhang", roles="presales")) == ["Zhang Presales"]
    assert texts(results(client, "autocomplete-people", q="zhang")) == [
        "Zhang Legal",
        "Zhang Presales",
        "Zhang Sales",
    ]


# --- the pages render only the chosen option -------------------------------------------------


def test_board_filter_with_100_customers_renders_no_100_options(client, engineer, team):
    """Issue 9: the board's customer filter was a <select> of every visible customer."""
    customers = CustomerFactory.create_batch(100, team=team)
    client.force_login(engineer)
    page = client.get(reverse("opportunities:board")).content.decode()
    customer = select_html(page, "customer")
    assert customer.count("<option") == 1  # the empty choice only
    assert 'data-autocomplete-url="/leads/autocomplete/customers/"' in customer
    assert page.count("<option") < 30  # stage-free filters: grades, yes/no, the few teams

    # when a customer is chosen, that one is rendered (selected), still not the 99 others
    chosen = customers[42]
    page = client.get(reverse("opportunities:board"), {"customer": chosen.pk}).content.decode()
    customer = select_html(page, "customer")
    assert customer.count("<option") == 2
    assert f'<option value="{chosen.pk}" selected>{chosen.name}</option>' in customer


def test_a_hidden_customer_id_is_refused_and_not_rendered_R_CUST_6(client, engineer, team, other_team):
    theirs = CustomerFactory(team=other_team, name="Their secret customer")
    OpportunityFactory(team=team, title="Our deal")
    client.force_login(engineer)
    for url_name in ("opportunities:board", "opportunities:list"):
        page = client.get(reverse(url_name), {"customer": theirs.pk}).content.decode()
        assert "Their secret customer" not in page
        assert "Select a valid choice" in page or "Please choose one of the options offered" in page


def test_owner_filters_render_only_the_chosen_person(client, engineer, make_user, team):
    people = [make_user(Role.SALES_REP, team=team) for _ in range(12)]
    client.force_login(engineer)
    for url_name in ("leads:lead_list", "leads:customer_list", "opportunities:list"):
        page = client.get(reverse(url_name), {"owner": people[3].pk}).content.decode()
        owner = select_html(page, "owner")
        assert owner.count("<option") == 2, url_name
        assert f'value="{people[3].pk}" selected' in owner
        assert 'data-autocomplete-url="/people/autocomplete/"' in owner


def test_opportunity_form_pickers_render_only_the_chosen_options(client, engineer, team, other_team):
    """The new-opportunity form: customer, sales and presales owner are search-as-you-type."""
    CustomerFactory.create_batch(30, team=team)
    theirs = CustomerFactory(team=other_team, name="Their secret customer")
    client.force_login(engineer)
    url = reverse("opportunities:create")
    page = client.get(url).content.decode()
    for name, endpoint in (
        ("customer", "/leads/autocomplete/customers/"),
        ("sales_owner", "/people/autocomplete/?roles=sales"),
        ("presales_owner", "/people/autocomplete/?roles=presales"),
    ):
        picker = select_html(page, name)
        assert picker.count("<option") == 1, name
        assert f'data-autocomplete-url="{endpoint}"' in picker
    # a posted id outside the user's scope is refused as before, and its name never shown
    response = client.post(url, {"customer": theirs.pk, "title": "X", "amount": "1", "currency": "CNY"})
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert "Their secret customer" not in response.content.decode()


def test_communication_form_offers_the_customers_contacts_by_search(client, engineer, team):
    customer = CustomerFactory(team=team)
    ContactFactory.create_batch(5, customer=customer)
    client.force_login(engineer)
    page = client.get(reverse("leads:communication_create", args=[customer.pk])).content.decode()
    picker = select_html(page, "contact")
    assert picker.count("<option") == 1
    assert f'data-autocomplete-url="/leads/autocomplete/contacts/?customer={customer.pk}"' in picker

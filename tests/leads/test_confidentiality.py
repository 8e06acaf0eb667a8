"""R-CUST-6 confidentiality holes (issue 8, item 8): contact details never leave unmasked
through forms, API or the duplicate finder; filter choices and ids are scoped."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from leads.filtersets import CommunicationFilterSet, ContactFilterSet, CustomerFilterSet, LeadFilterSet
from leads.forms import FirstContactForm, LeadForm
from leads.models import CommunicationRecord, Contact, Customer, Lead
from leads.services import keep_hidden_contact_details
from opportunities.filtersets import OpportunityFilterSet
from opportunities.models import Opportunity
from presales.accounts.models import Team
from presales.core.errors import DomainError
from presales.core.roles import Role
from presales.exports.services import filter_rows
from presales.sla.filtersets import TimerFilterSet
from presales.sla.models import Timer
from reviews.filtersets import ReviewFilterSet
from reviews.models import Review
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    LeadFactory,
    TeamFactory,
)

PHONE, EMAIL = "13911115678", "wang@donghai.example"


@pytest.fixture
def admin(make_user):
    """An Admin outside the owning team: sees every record, contact details masked."""
    return make_user(Role.ADMIN, team=TeamFactory(name="Back Office"), username="admin")


@pytest.fixture
def contact(team):
    return ContactFactory(customer=CustomerFactory(team=team, name="Donghai Steel"), phone=PHONE, email=EMAIL)


@pytest.fixture
def lead(team):
    return LeadFactory(team=team, company_name="Huadong Glass", phone=PHONE, email=EMAIL)


# --- 1. forms and writes -------------------------------------------------------------------


def test_contact_edit_form_masks_details_for_admin_outsider_r_cust_6(client, admin, contact):
    """R-CUST-6: the edit form shows what the detail page shows: masked, read-only."""
    # given an admin outside the contact's team
    client.force_login(admin)
    # when the admin opens the contact's edit form
    page = client.get(reverse("leads:contact_edit", args=[contact.pk])).content.decode()
    # then the phone and email are masked
    assert PHONE not in page
    assert EMAIL not in page
    assert "***5678" in page


def test_contact_edit_form_save_keeps_hidden_details_r_cust_6(client, admin, contact):
    """R-CUST-6: saving the form with the masked text posted back keeps the stored details."""
    # given an admin outside the team
    client.force_login(admin)
    # when the admin saves the form with the masked values and a new title
    response = client.post(
        reverse("leads:contact_edit", args=[contact.pk]),
        {
            "name": contact.name,
            "title": "CTO",
            "phone": "***5678",
            "email": "w***@donghai.example",
            "decision_role": contact.decision_role,
            "notes": "",
        },
    )
    # then the title changed and the details did not
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.phone, contact.email) == ("CTO", PHONE, EMAIL)


def test_contact_edit_form_in_full_for_the_team_r_cust_6(client, sales_rep, contact):
    """R-CUST-6: the owning team edits the details in full (the guard is not a blanket mask)."""
    client.force_login(sales_rep)
    page = client.get(reverse("leads:contact_edit", args=[contact.pk])).content.decode()
    assert PHONE in page
    assert EMAIL in page


def test_lead_forms_mask_for_a_writer_without_contact_access_r_cust_6(admin, lead):
    """R-CUST-6: every form about a lead masks the details for a writer without contact
    access (today only the lead's people may open them: the guard holds if that widens)."""
    # when the lead's forms are built for the admin outside the team
    for form in (LeadForm(instance=lead, user=admin), FirstContactForm(lead=lead, user=admin)):
        html = str(form)
        # then the details are masked and read-only
        assert PHONE not in html and EMAIL not in html, type(form)
        assert "***5678" in html
        assert form.fields["phone"].disabled and form.fields["email"].disabled


def test_lead_forms_in_full_for_the_team_r_cust_6(sales_rep, lead):
    form = LeadForm(instance=lead, user=sales_rep)
    assert PHONE in str(form)
    assert not form.fields["phone"].disabled


def test_service_keeps_masked_echo_on_lead_first_contact_r_cust_6(admin, lead):
    """R-CUST-6: the service itself ignores the masked text (web and API alike)."""
    # given the data a masked first-contact form would send
    data = {"phone": "***5678", "email": "w***@donghai.example", "contact_title": "CIO"}
    # when it is filtered for the admin, and for the owner
    kept = keep_hidden_contact_details(admin, lead, data)
    owner_kept = keep_hidden_contact_details(lead.owner, lead, data)
    # then the masked text is dropped for the admin only
    assert kept == {"contact_title": "CIO"}
    assert owner_kept == data


def test_api_round_trip_of_masked_email_does_not_overwrite_r_cust_6(client_for, admin, contact):
    """R-CUST-6: a PATCH echoing the masked email (a valid address!) keeps the stored one."""
    api = client_for(admin)
    url = f"/api/v1/contacts/{contact.pk}/"
    masked = api.get(url).json()["email"]
    assert masked == "w***@donghai.example"
    # when the admin sends the masked text back with another change
    response = api.patch(url, {"email": masked, "title": "CTO"}, format="json")
    # then nothing hidden is overwritten
    assert response.status_code == 200, response.content
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.title, contact.email) == ("CTO", EMAIL)


# --- 2. the duplicate finder -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LEGAL, Role.FINANCE, Role.GENERAL_MANAGER])
def test_duplicates_by_masked_phone_reveal_nothing_r_cust_6(client_for, make_user, lead, role):
    """R-CUST-6 / R-LEAD-2: an all-scope reviewer for whom the lead's phone is masked learns
    only that a possible duplicate exists in that team, not the company, status or id."""
    # given a reviewer outside the lead's team
    reviewer = make_user(role, team=TeamFactory(name="Head Office"))
    # when they look up the lead's phone
    response = client_for(reviewer).get("/api/v1/leads/duplicates/", {"phone": PHONE})
    # then the match is answered without details
    assert response.status_code == 200
    assert response.json()["leads"] == [
        {"id": None, "company_name": "", "status": "", "team": str(lead.team), "visible": False}
    ]
    assert "Huadong" not in response.content.decode()


def test_duplicates_by_masked_email_hide_the_customer_r_cust_6(client_for, general_manager, contact):
    response = client_for(general_manager).get("/api/v1/leads/duplicates/", {"email": EMAIL})
    assert response.json()["customers"] == [
        {"id": None, "name": "", "team": str(contact.customer.team), "visible": False}
    ]


def test_duplicates_by_company_name_typed_are_shown_to_who_sees_them_r_cust_6(
    client_for, general_manager, lead
):
    """R-LEAD-2: a match on the company name the caller typed reveals nothing new: shown."""
    response = client_for(general_manager).get("/api/v1/leads/duplicates/", {"company_name": "huadong glass"})
    assert response.json()["leads"] == [
        {
            "id": lead.pk,
            "company_name": "Huadong Glass",
            "status": lead.status,
            "team": str(lead.team),
            "visible": True,
        }
    ]


def test_duplicates_by_phone_in_full_for_the_team_r_cust_6(client_for, sales_rep, lead):
    response = client_for(sales_rep).get("/api/v1/leads/duplicates/", {"phone": PHONE})
    assert response.json()["leads"][0]["company_name"] == "Huadong Glass"


# --- 3. filter drop-downs, 4. no existence oracle --------------------------------------------


@pytest.fixture
def hidden(other_team):
    """Another team's customer, contact, lead and communication record."""
    customer = CustomerFactory(team=other_team, name="Secret Works")
    ContactFactory(customer=customer)
    CommunicationFactory(customer=customer)
    lead = LeadFactory(team=other_team, company_name="Hidden Leads Ltd")
    return customer, lead


@pytest.mark.parametrize("resource", ["communications", "contacts"])
def test_browsable_api_filters_list_only_visible_names_r_cust_6(client, sales_rep, contact, hidden, resource):
    """R-CUST-6: the browsable API's filter drop-downs name only the user's customers and leads."""
    # given a rep whose team owns Donghai Steel, and another team's records
    client.force_login(sales_rep)
    # when the rep opens the browsable list
    page = client.get(f"/api/v1/{resource}/", HTTP_ACCEPT="text/html").content.decode()
    # then the filter choices hold the team's customer, not the other team's names
    assert "Donghai Steel" in page
    assert "Secret Works" not in page
    assert "Hidden Leads Ltd" not in page
    assert "West Presales" not in page


FILTERSETS = [
    (CustomerFilterSet, Customer),
    (LeadFilterSet, Lead),
    (ContactFilterSet, Contact),
    (CommunicationFilterSet, CommunicationRecord),
    (OpportunityFilterSet, Opportunity),
    (ReviewFilterSet, Review),
    (TimerFilterSet, Timer),
]


@pytest.mark.parametrize(("filterset_class", "model"), FILTERSETS)
def test_every_choice_filter_is_scoped_to_the_user_r_cust_6(
    rf, sales_rep, contact, lead, hidden, filterset_class, model
):
    """R-CUST-6: every ModelChoiceFilter of every FilterSet offers only what the user sees."""
    customer, other_lead = hidden
    request = rf.get("/")
    request.user = sales_rep
    # when the FilterSet's form is built for the rep
    form = filterset_class(data={}, queryset=model.objects.all(), request=request).form
    # then no choice belongs to the other team
    for name, field in form.fields.items():
        choices = getattr(field, "queryset", None)
        if choices is None:
            continue
        if choices.model is Customer:
            assert customer not in choices and contact.customer in choices, name
        if choices.model is Lead:
            assert other_lead not in choices and lead in choices, name
        if choices.model is Team:
            assert customer.team not in choices, name
    # and without a user nothing is offered
    anonymous = rf.get("/")
    anonymous.user = AnonymousUser()
    form = filterset_class(data={}, queryset=model.objects.all(), request=anonymous).form
    for name, field in form.fields.items():
        if getattr(field, "queryset", None) is not None:
            assert not field.queryset.exists(), name


@pytest.mark.parametrize(
    ("resource", "param"),
    [("communications", "customer"), ("communications", "lead"), ("contacts", "customer"), ("leads", "team")],
)
def test_hidden_id_answers_as_a_missing_id_r_cust_6(client_for, sales_rep, hidden, resource, param):
    """R-CUST-6: ``?customer=<an id you cannot see>`` answers exactly as a non-existent id
    (400 "Select a valid choice"), not 200-empty: no existence oracle."""
    customer, other_lead = hidden
    hidden_id = {"customer": customer.pk, "lead": other_lead.pk, "team": customer.team_id}[param]
    api = client_for(sales_rep)
    # when the rep filters by a hidden id and by an id that does not exist
    hidden_answer = api.get(f"/api/v1/{resource}/", {param: hidden_id})
    missing_answer = api.get(f"/api/v1/{resource}/", {param: 987654321})
    # then both answers are the same 400
    assert hidden_answer.status_code == missing_answer.status_code == 400
    assert hidden_answer.json()["code"] == missing_answer.json()["code"]
    assert list(hidden_answer.json()["fields"]) == list(missing_answer.json()["fields"]) == [param]


def test_export_filter_scoped_like_the_list_r_cust_6(sales_rep, contact, hidden):
    """R-CUST-6: the export's filter takes the same scoped choices (a task has no request)."""
    customer, _lead = hidden
    with pytest.raises(DomainError) as refused:
        filter_rows(ContactFilterSet, Contact.objects.all(), {"customer": [str(customer.pk)]}, user=sales_rep)
    assert "customer" in refused.value.fields
    rows = filter_rows(
        ContactFilterSet, Contact.objects.all(), {"customer": [str(contact.customer_id)]}, user=sales_rep
    )
    assert list(rows) == [contact]

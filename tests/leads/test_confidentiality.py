"""R-CUST-6 confidentiality holes (issue 8, item 8): contact details never leave unmasked
through forms, API or the duplicate finder; filter choices and ids are scoped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leads.forms import FirstContactForm, LeadForm
from leads.models import Contact
from leads.services import keep_hidden_contact_details
from presales.core.roles import Role
from tests.factories import ContactFactory, CustomerFactory, LeadFactory, TeamFactory

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

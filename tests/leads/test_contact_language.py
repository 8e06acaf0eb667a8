"""A contact's language (R-POST-1, R-NEED-3): the language the customer's surveys and links are
written in, one of the site's languages or blank (the site's default), the same rule on every
route: web form, API, direct service call; the admin shows it and stays read-only."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from leads import services
from leads.models import Contact
from presales.core.errors import DomainError
from tests.factories import ContactFactory, CustomerFactory, CustomerPresalesFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(team, sales_rep, engineer):
    customer = CustomerFactory(team=team, owner=sales_rep)
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    return customer


def form_data(**overrides) -> dict:
    data = {
        "name": "Chen Jie",
        "title": "CTO",
        "phone": "13700009999",
        "email": "chen@customer.example",
        "decision_role": "decision_maker",
        "source": "business_card",
    }
    data.update(overrides)
    return data


def test_r_post_1_language_set_and_changed_through_the_web_form(client, engineer, customer):
    client.force_login(engineer)
    # when a contact is added in English
    response = client.post(reverse("leads:contact_create", args=[customer.pk]), form_data(language="en"))
    # then
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.language == "en"
    # and the customer page shows it
    page = client.get(customer.get_absolute_url()).content.decode()
    assert 'data-testid="contact-language">English<' in page
    # when edited to traditional Chinese, then back to the default
    edit = reverse("leads:contact_edit", args=[contact.pk])
    client.post(edit, {**form_data(language="zh-hant"), "version": contact.version})
    contact.refresh_from_db()
    assert contact.language == "zh-hant"
    client.post(edit, {**form_data(language=""), "version": contact.version})
    contact.refresh_from_db()
    assert contact.language == ""


def test_r_post_1_an_unknown_language_is_a_form_error(client, engineer, customer):
    client.force_login(engineer)
    response = client.post(reverse("leads:contact_create", args=[customer.pk]), form_data(language="fr"))
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    assert not Contact.objects.exists()


def test_r_post_1_language_through_the_api(client_for, engineer, customer):
    client = client_for(engineer)
    response = client.post(
        reverse("contact-list"),
        {"customer": customer.pk, "name": "Lee", "source": "business_card", "language": "zh-hant"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["language"] == "zh-hant"
    url = reverse("contact-detail", args=[body["id"]])
    # when patched with a language the site does not have: 400 on the field, nothing saved
    response = client.patch(url, {"language": "fr"}, format="json")
    assert response.status_code == 400
    error = response.json()
    assert set(error) >= {"code", "message", "fields"} and "language" in error["fields"]
    assert Contact.objects.get(pk=body["id"]).language == "zh-hant"
    # when patched with one it has
    response = client.patch(url, {"language": "en"}, format="json")
    assert response.status_code == 200 and response.json()["language"] == "en"
    assert Contact.objects.get(pk=body["id"]).language == "en"


def test_r_post_1_the_service_refuses_an_unknown_language(engineer, customer):
    with pytest.raises(DomainError) as exc:
        services.contact_create(
            actor=engineer,
            customer=customer,
            data={"name": "Lee", "source": "business_card", "language": "xx"},
        )
    assert "language" in exc.value.fields
    contact = ContactFactory(customer=customer)
    with pytest.raises(DomainError) as exc:
        services.contact_update(actor=engineer, contact=contact, data={"language": "xx"})
    assert "language" in exc.value.fields
    contact.refresh_from_db()
    assert contact.language == ""


def test_r_post_1_the_admin_shows_the_language_and_stays_read_only(client, customer):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    contact = ContactFactory(customer=customer, language="en")
    changelist = client.get(reverse("admin:leads_contact_changelist"), {"language": "en"})
    assert changelist.status_code == 200 and contact.name in changelist.content.decode()
    change = reverse("admin:leads_contact_change", args=[contact.pk])
    assert client.post(change, {"name": contact.name, "language": "zh-hant"}).status_code == 403
    contact.refresh_from_db()
    assert contact.language == "en"


@override_settings(LANGUAGE_CODE="zh-hans")
def test_r_post_1_preferred_language_falls_back_to_the_given_then_the_site_default():
    assert Contact(language="en").preferred_language() == "en"
    assert Contact(language="en").preferred_language(default="zh-hant") == "en"
    assert Contact(language="").preferred_language(default="zh-hant") == "zh-hant"
    assert Contact(language="").preferred_language() == "zh-hans"

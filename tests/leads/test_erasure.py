"""Personal data: the source of a contact's details and erasure on request (R-CUST-8)."""

import pytest
from django.urls import reverse

from leads import services
from leads.choices import Channel, ContactSource
from leads.erasure import contact_erase
from leads.models import CommunicationRecord, Contact, ContactErasure, Lead
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.roles import Role
from presales.exports.models import ExportJob
from presales.exports.services import export_run
from tests.factories import CustomerFactory, CustomerPresalesFactory, ExportJobFactory, LeadFactory

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "Zhang Wei", "13912345678", "zhang.wei@customer.example"


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")


@pytest.fixture
def customer(engineer, team):
    customer = CustomerFactory(team=team)
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    return customer


@pytest.fixture
def contact(engineer, customer):
    contact = services.contact_create(
        actor=engineer,
        customer=customer,
        data={
            "name": NAME,
            "phone": PHONE,
            "email": EMAIL,
            "title": "CIO",
            "source": ContactSource.BUSINESS_CARD,
        },
    )
    return services.contact_update(
        actor=engineer, contact=contact, data={"notes": f"Call {NAME} mornings", "language": "en"}
    )


def test_source_required_on_create_in_service_r_cust_8(engineer, customer):
    for source in ("", ContactSource.UNKNOWN):
        with pytest.raises(DomainError) as refused:
            services.contact_create(actor=engineer, customer=customer, data={"name": "X", "source": source})
        assert "source" in refused.value.fields
    assert not Contact.objects.exists()


def test_source_required_on_create_in_api_and_web_r_cust_8(client, client_for, engineer, customer):
    api = client_for(engineer)
    # when the API creates a contact without a source, or with "unknown"
    for body in (
        {"customer": customer.pk, "name": "X"},
        {"customer": customer.pk, "name": "X", "source": "unknown"},
    ):
        answer = api.post(reverse("contact-list"), body, format="json")
        # then 400 on the field
        assert answer.status_code == 400 and "source" in str(answer.json())
    assert (
        api.post(
            reverse("contact-list"),
            {"customer": customer.pk, "name": "X", "source": "referral"},
            format="json",
        ).status_code
        == 201
    )
    # when the web form omits it, then the form is shown again with the error
    client.force_login(engineer)
    url = reverse("leads:contact_create", args=[customer.pk])
    page = client.get(url).content.decode()
    assert 'value="unknown"' not in page and 'value="business_card"' in page
    answer = client.post(url, {"name": "Y", "decision_role": "other"})
    assert answer.status_code == 200 and not Contact.objects.filter(name="Y").exists()
    client.post(url, {"name": "Y", "decision_role": "other", "source": "public_website"})
    assert Contact.objects.get(name="Y").source == ContactSource.PUBLIC_WEBSITE


def test_erasure_scrubs_everywhere_and_keeps_tombstone_r_cust_8(
    admin, engineer, customer, contact, django_capture_on_commit_callbacks
):
    # given a communication that copied the person's details, a lead that carried them
    record = services.communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.PHONE,
            "key_points": f"{NAME} asked for a quote; reach {PHONE} or {EMAIL}.",
            "participants": f"{NAME} and a colleague",
            "participant_contacts": [contact],
        },
    )
    lead = LeadFactory(customer=customer, team=customer.team, contact_name=NAME, phone=PHONE, email=EMAIL)
    # and a real export file of customers written on disk
    job = ExportJobFactory(user=admin, resource="customers")
    with django_capture_on_commit_callbacks(execute=True):
        export_run(job_id=job.pk)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert name and storage.exists(name)
    # when an admin erases the contact on request
    with django_capture_on_commit_callbacks(execute=True):
        tombstone = contact_erase(
            contact=contact, actor=admin, reason="Data subject request", request_reference="PIPL-7"
        )
    # then the row holds no details
    contact.refresh_from_db()
    assert contact.name == f"Erased contact #{contact.pk}"
    assert (contact.phone, contact.email, contact.title, contact.notes, contact.language) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert contact.phone_normalized == "" and contact.email_normalized == "" and contact.erased_at
    # and no history row keeps them
    for row in Contact.history.filter(id=contact.pk):
        assert NAME not in row.name and PHONE not in row.phone and EMAIL not in row.email
        assert NAME not in row.notes and row.language == ""
    assert Contact.history.filter(id=contact.pk).count() >= 2
    # and the communication and its history no longer name the person
    record.refresh_from_db()
    for text in (record.key_points, record.participants):
        assert NAME not in text and PHONE not in text and EMAIL not in text
    for row in CommunicationRecord.history.filter(id=record.pk):
        assert NAME not in row.key_points and PHONE not in row.key_points
    # and the lead that carried the person neither
    lead = Lead.objects.get(pk=lead.pk)
    assert NAME not in lead.contact_name and lead.phone == "" and lead.email == ""
    assert not Lead.history.filter(id=lead.pk, contact_name=NAME).exists()
    # and the export file is gone from disk
    assert not storage.exists(name)
    assert ExportJob.objects.get(pk=job.pk).file.name == ""
    # and the tombstone keeps that it existed, with the counts
    tombstone = ContactErasure.objects.get(pk=tombstone.pk)
    assert tombstone.contact_id_erased == contact.pk and tombstone.erased_by == admin
    assert tombstone.request_reference == "PIPL-7"
    assert tombstone.counts["export_files"] == 1 and tombstone.counts["communications"] >= 1
    # and the erasure cannot be repeated, the contact not edited back or deleted
    with pytest.raises(Conflict):
        contact_erase(contact=contact, actor=admin, reason="again", request_reference="x")
    with pytest.raises(Conflict):
        services.contact_update(actor=engineer, contact=contact, data={"name": NAME})
    with pytest.raises(Conflict):
        services.contact_delete(actor=engineer, contact=contact)


def test_erasure_needs_reason_and_reference_r_cust_8(admin, contact):
    with pytest.raises(DomainError) as refused:
        contact_erase(contact=contact, actor=admin, reason=" ", request_reference="")
    assert set(refused.value.fields) == {"reason", "request_reference"}


def test_non_admin_refused_on_every_route_r_cust_8(client, client_for, engineer, manager, contact):
    # service
    with pytest.raises(NotAllowed):
        contact_erase(contact=contact, actor=manager, reason="r", request_reference="x")
    # API: 403 for a writer who sees the contact
    answer = client_for(engineer).post(
        reverse("contact-erase", args=[contact.pk]), {"reason": "r", "request_reference": "x"}, format="json"
    )
    assert answer.status_code == 403
    # web: 403
    client.force_login(engineer)
    assert client.get(reverse("leads:contact_erase", args=[contact.pk])).status_code == 403
    assert (
        client.post(
            reverse("leads:contact_erase", args=[contact.pk]), {"reason": "r", "request_reference": "x"}
        ).status_code
        == 403
    )
    # admin site: contacts are read-only there, the tombstones too
    client.force_login(manager)
    assert client.get(reverse("admin:leads_contact_change", args=[contact.pk])).status_code in (302, 403)
    contact.refresh_from_db()
    assert contact.erased_at is None and contact.name == NAME


def test_admin_erases_through_api_and_web_r_cust_8(client, client_for, admin, engineer, customer):
    first = services.contact_create(
        actor=engineer, customer=customer, data={"name": "A", "source": ContactSource.REFERRAL}
    )
    second = services.contact_create(
        actor=engineer, customer=customer, data={"name": "B", "source": ContactSource.REFERRAL}
    )
    api = client_for(admin)
    # API: bad input is a 400
    assert api.post(reverse("contact-erase", args=[first.pk]), {}, format="json").status_code == 400
    answer = api.post(
        reverse("contact-erase", args=[first.pk]),
        {"reason": "asked", "request_reference": "R1"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["contact_id_erased"] == first.pk
    # API: an erased contact cannot be edited
    patch = api.patch(reverse("contact-detail", args=[first.pk]), {"name": "A"}, format="json")
    assert patch.status_code == 409
    # web
    client.force_login(admin)
    answer = client.post(
        reverse("leads:contact_erase", args=[second.pk]), {"reason": "asked", "request_reference": "R2"}
    )
    assert answer.status_code == 302
    assert ContactErasure.objects.count() == 2
    page = client.get(customer.get_absolute_url()).content.decode()
    assert 'data-testid="contact-erased"' in page


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("13912345678", "call 139-1234-5678 after 5"),
        ("13912345678", "call 139 1234 5678 after 5"),
        ("13912345678", "call +86 139 1234 5678 after 5"),
        ("021-61234567", "call (021) 6123-4567 after 5"),
        ("021-61234567", "call +86 21 6123 4567 after 5"),
    ],
)
def test_erasure_finds_the_phone_however_it_was_written_r_cust_8(
    admin, engineer, customer, contact, stored, written
):
    # given the contact's phone as stored, and a communication that wrote it by hand
    Contact.objects.filter(pk=contact.pk).update(phone=stored)
    record = services.communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.PHONE,
            "key_points": f"{written}; not 2139123456789 or 61234567890",
            "participant_contacts": [contact],
        },
    )
    # when it is erased
    contact_erase(
        contact=Contact.objects.get(pk=contact.pk), actor=admin, reason="PIPL", request_reference="R1"
    )
    # then the number is gone from the text (and its history), a longer number is left alone
    record.refresh_from_db()
    assert record.key_points.startswith("call *** after 5;")
    assert "2139123456789" in record.key_points and "61234567890" in record.key_points
    for row in CommunicationRecord.history.filter(id=record.pk):
        assert written not in row.key_points

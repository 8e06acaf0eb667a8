"""The Django admin cannot bypass the services (R-CUST-2, R-CUST-5, R-LEAD-2, R-LEAD-3,
R-COMM-1): customers, leads, contacts, communications and merge records are look-up only
(with history); a refused change shows an error and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leads.choices import Grade
from leads.models import CommunicationRecord, Customer, Lead, MergeRecord, NeedTag
from presales.sla.models import Timer
from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:leads_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [Customer, Lead, CommunicationRecord, MergeRecord])
def test_no_add_in_the_admin(admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "add"), {}).status_code == 403


def test_a_communication_with_a_next_step_cannot_be_added_without_its_timer_r_comm_1(admin_client, team):
    customer = CustomerFactory(team=team)
    response = admin_client.post(
        admin_url(CommunicationRecord, "add"),
        {"customer": customer.pk, "channel": "phone", "key_points": "x", "next_step_due_at_0": "2030-01-01"},
    )
    assert response.status_code == 403
    assert not CommunicationRecord.objects.exists()
    assert not Timer.objects.exists()


def test_fit_and_value_cannot_be_changed_past_the_grade_r_cust_2(admin_client, team):
    customer = CustomerFactory(team=team, fit_score=1, value_score=1, grade=Grade.C)
    url = admin_url(Customer, "change", customer.pk)
    # the page is a read-only view for support look-up
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="fit_score"' not in page.content.decode()
    response = admin_client.post(url, {"name": customer.name, "fit_score": 5, "value_score": 5})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert (customer.fit_score, customer.value_score, customer.grade) == (1, 1, Grade.C)


def test_a_leads_phone_cannot_be_changed_past_the_duplicate_check_r_lead_2(admin_client, team):
    existing = LeadFactory(team=team, phone="13900001111")
    lead = LeadFactory(team=team, phone="13800002222")
    response = admin_client.post(admin_url(Lead, "change", lead.pk), {"phone": existing.phone})
    assert response.status_code == 403
    assert Lead.objects.get(pk=lead.pk).phone == "13800002222"
    assert admin_client.post(admin_url(Lead, "delete", lead.pk), {"post": "yes"}).status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_history_is_shown_but_cannot_be_reverted(admin_client, team):
    """django-simple-history saves a reverted row on a view permission alone: refused here."""
    lead = LeadFactory(team=team, company_name="Before")
    lead.company_name = "After"
    lead.save()
    history = admin_client.get(admin_url(Lead, "history", lead.pk))
    assert history.status_code == 200
    version = lead.history.order_by("history_id").first()
    url = reverse("admin:leads_lead_simple_history", args=[lead.pk, version.history_id])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"company_name": "Before"}).status_code == 403
    assert Lead.objects.get(pk=lead.pk).company_name == "After"


def test_contacts_and_merge_records_are_read_only(admin_client, team, engineer):
    contact = ContactFactory(customer=CustomerFactory(team=team), name="Wang")
    assert (
        admin_client.post(admin_url(type(contact), "change", contact.pk), {"name": "Li"}).status_code == 403
    )
    record = MergeRecord.objects.create(
        kind="lead", source_id=1, source_label="x", target_id=2, actor=engineer
    )
    assert admin_client.post(admin_url(MergeRecord, "change", record.pk), {"target_id": 3}).status_code == 403
    assert admin_client.get(admin_url(MergeRecord, "changelist")).status_code == 200
    assert MergeRecord.objects.get().target_id == 2
    comm = CommunicationFactory(customer=contact.customer)
    assert admin_client.get(admin_url(CommunicationRecord, "change", comm.pk)).status_code == 200


def test_need_tags_may_be_renamed_but_not_deleted(admin_client):
    tag = NeedTag.objects.create(name="cost reductoin")
    response = admin_client.post(admin_url(NeedTag, "change", tag.pk), {"name": "cost reduction"})
    assert response.status_code == 302
    assert NeedTag.objects.get().name == "cost reduction"
    assert admin_client.post(admin_url(NeedTag, "delete", tag.pk), {"post": "yes"}).status_code == 403
    assert NeedTag.objects.exists()

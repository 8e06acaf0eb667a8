"""The admin shows the needs records read-only (R-NEED-2..7: every change through the
services) and a communication's participants (R-COMM-2)."""

import pytest
from django.urls import reverse

from proposals.needs import services
from tests.factories import CommunicationFactory
from tests.proposals.needs.conftest import RIGID

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user("admin", is_staff=True, is_superuser=True, username="root")


def test_requirements_are_read_only_in_the_admin(client, staff, engineer, opportunity):
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    client.force_login(staff)
    assert client.get(reverse("admin:proposals_requirement_changelist")).status_code == 200
    url = reverse("admin:proposals_requirement_change", args=[requirement.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="description"' not in page.content.decode()
    client.post(url, {**RIGID, "description": "hacked", "confirmation_status": "confirmed"})
    requirement.refresh_from_db()
    assert (requirement.description, requirement.confirmation_status) == (RIGID["description"], "unconfirmed")
    assert client.get(reverse("admin:proposals_requirement_add")).status_code == 403
    for name in (
        "confirmationrequest",
        "requirementconfirmation",
        "changerequest",
        "rdrequest",
        "needsreport",
    ):
        assert client.get(reverse(f"admin:proposals_{name}_changelist")).status_code == 200, name


def test_r_comm_2_admin_shows_participants(client, staff, engineer, contact):
    record = CommunicationFactory(customer=contact.customer, author=engineer)
    record.participant_contacts.set([contact])
    record.participant_users.set([engineer])
    client.force_login(staff)
    page = client.get(reverse("admin:leads_communicationrecord_change", args=[record.pk])).content.decode()
    assert contact.name in page and "customer participants" in page.lower()

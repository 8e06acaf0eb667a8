"""A record other records still point at through a protected link is refused with a 409 in
the error contract, never a 500 (issue 8 item 19: schemathesis found ``DELETE
/api/v1/contacts/{id}/`` answering 500 for a contact a confirmation request was sent to)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Contact
from presales.core.errors import Conflict
from presales.core.writes import delete_as
from proposals.models import ConfirmationRequest
from tests.factories import ContactFactory, CustomerFactory, CustomerPresalesFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_in_use(engineer, team):
    customer = CustomerFactory(team=team)
    CustomerPresalesFactory(customer=customer, user=engineer)
    opportunity = OpportunityFactory(
        team=team, customer=customer, sales_owner=engineer, presales_owner=engineer
    )
    contact = ContactFactory(customer=customer)
    ConfirmationRequest.objects.create(
        opportunity=opportunity,
        contact=contact,
        token_hash=uuid.uuid4().hex * 2,
        requirement_ids=[],
        expires_at=timezone.now() + timedelta(days=7),
        sent_by=engineer,
    )
    return contact


def test_deleting_a_contact_still_referred_to_answers_409(client_for, engineer, contact_in_use):
    # when the engineer deletes, through the API, a contact a confirmation request was sent to
    response = client_for(engineer).delete(f"/api/v1/contacts/{contact_in_use.pk}/")
    # then a 409 in the error contract names what still refers to it, and the contact stays
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "in_use"
    assert "confirmation" in body["message"].lower() or "确认" in body["message"]
    assert Contact.objects.filter(pk=contact_in_use.pk).exists()


def test_delete_as_turns_a_protected_link_into_a_conflict(engineer, contact_in_use):
    with pytest.raises(Conflict) as refused:
        delete_as(contact_in_use, engineer)
    assert refused.value.code == "in_use"


def test_the_schema_documents_409_on_a_delete(client_for, engineer):
    schema = client_for(engineer).get("/api/schema/", {"format": "json"}).json()
    assert "409" in schema["paths"]["/api/v1/contacts/{id}/"]["delete"]["responses"]

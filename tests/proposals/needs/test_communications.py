"""R-COMM-2: communication participants are people (our users, the customer's contacts) on
every route; R-NEED-1: meetings, site visits and surveys are linked to the opportunity."""

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.services import communication_create, communication_update
from presales.core.errors import DomainError, NotAllowed
from proposals.models import OpportunityCommunication
from proposals.needs import services
from proposals.needs.selectors import needs_desk_context
from tests.factories import CommunicationFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_r_comm_2_service_sets_participants_and_refuses_other_customers_contacts(
    engineer, opportunity, contact
):
    customer = opportunity.customer
    customer.owner = engineer
    customer.save()
    colleague = UserFactory(roles=["sales_rep"], team=engineer.team)
    record = communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": "meeting",
            "key_points": "現場調研",
            "participant_users": [engineer, colleague],
            "participant_contacts": [contact],
        },
    )
    assert set(record.participant_users.all()) == {engineer, colleague}
    assert list(record.participant_contacts.all()) == [contact]
    stranger = ContactFactory()
    with pytest.raises(DomainError) as exc:
        communication_update(actor=engineer, record=record, data={"participant_contacts": [stranger]})
    assert "participant_contacts" in exc.value.fields
    record.refresh_from_db()
    assert list(record.participant_contacts.all()) == [contact]
    gone = UserFactory(roles=["sales_rep"], is_active=False)
    with pytest.raises(DomainError):
        communication_update(actor=engineer, record=record, data={"participant_users": [gone]})
    # an update without the participants keeps them
    communication_update(actor=engineer, record=record, data={"place": "蘇州工廠"})
    assert record.participant_users.count() == 2


def test_r_comm_2_api_reads_and_writes_participants(client_for, engineer, opportunity, contact):
    customer = opportunity.customer
    customer.owner = engineer
    customer.save()
    api = client_for(engineer)
    response = api.post(
        "/api/v1/communications/",
        {
            "customer": customer.pk,
            "channel": "site_visit",
            "key_points": "Visit",
            "participant_users": [engineer.pk],
            "participant_contacts": [contact.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["participant_users"], response.json()["participant_contacts"]) == (
        [engineer.pk],
        [contact.pk],
    )
    stranger = ContactFactory()
    response = api.patch(
        f"/api/v1/communications/{response.json()['id']}/",
        {"participant_contacts": [stranger.pk]},
        format="json",
    )
    assert response.status_code == 400 and "participant_contacts" in response.json()["fields"]


def test_r_comm_2_web_form_posts_participants(client, engineer, opportunity, contact):
    customer = opportunity.customer
    customer.owner = engineer
    customer.save()
    client.force_login(engineer)
    url = reverse("leads:communication_create", args=[customer.pk])
    page = client.get(url).content.decode()
    assert 'name="participant_users"' in page and 'name="participant_contacts"' in page and "multiple" in page
    response = client.post(
        url,
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "channel": "meeting",
            "key_points": "需求訪談",
            "participant_users": [engineer.pk],
            "participant_contacts": [contact.pk],
        },
    )
    assert response.status_code in (200, 302)
    record = customer.communications.get()
    assert list(record.participant_users.all()) == [engineer]
    assert list(record.participant_contacts.all()) == [contact]
    detail = client.get(reverse("leads:customer_detail", args=[customer.pk])).content.decode()
    assert contact.name in detail


def test_r_need_1_meetings_are_linked_to_the_opportunity(
    client, engineer, other_engineer, opportunity, contact
):
    record = CommunicationFactory(customer=opportunity.customer, channel="site_visit", author=engineer)
    record.participant_contacts.set([contact])
    other_customers = CommunicationFactory()
    with pytest.raises(DomainError):
        services.communication_link(
            actor=engineer, opportunity=opportunity, communication=other_customers, purpose="meeting"
        )
    with pytest.raises(NotAllowed):
        services.communication_link(
            actor=other_engineer, opportunity=opportunity, communication=record, purpose="survey"
        )
    link = services.communication_link(
        actor=engineer, opportunity=opportunity, communication=record, purpose="site_visit"
    )
    again = services.communication_link(
        actor=engineer, opportunity=opportunity, communication=record, purpose="survey"
    )
    assert again.pk == link.pk and again.purpose == "survey"
    client.force_login(engineer)
    page = client.get(reverse("proposals:needs", args=[opportunity.pk])).content.decode()
    assert "Survey" in page and contact.name in page
    client.post(
        reverse("proposals:needs_item_action", args=[opportunity.pk, "unlink", link.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert not OpportunityCommunication.objects.exists()
    client.post(
        reverse("proposals:needs_action", args=[opportunity.pk, "link"]),
        {"communication": record.pk, "purpose": "meeting"},
        HTTP_HX_REQUEST="true",
    )
    assert OpportunityCommunication.objects.get().purpose == "meeting"


def test_r_need_1_linked_communications_cost_constant_queries(
    rf, engineer, opportunity, django_assert_num_queries
):
    request = rf.get("/")
    request.user = engineer

    def link(n):
        for _ in range(n):
            record = CommunicationFactory(customer=opportunity.customer, author=engineer)
            record.participant_users.set([engineer])
            record.participant_contacts.set([ContactFactory(customer=opportunity.customer)])
            services.communication_link(
                actor=engineer, opportunity=opportunity, communication=record, purpose="meeting"
            )

    link(1)
    with django_assert_num_queries(8):
        needs_desk_context(request, opportunity)
    link(4)
    with django_assert_num_queries(8):
        context = needs_desk_context(request, opportunity)
    assert len(context["communications"]) == 5

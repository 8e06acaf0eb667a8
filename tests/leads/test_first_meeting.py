"""R-COMM-2: the first meeting with a new customer includes the presales engineer (售前與銷售同去),
so the needs are heard first-hand, not retold by sales. Checked by the communication services,
so the web form, the API and the demo loader all meet it; calls and e-mails are free."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.choices import Channel
from leads.models import CommunicationRecord
from presales.core.errors import DomainError
from tests.factories import CommunicationFactory, CustomerFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _meeting(**extra):
    return {"channel": Channel.MEETING, "key_points": "Kick-off with the plant", **extra}


def test_r_comm_2_a_first_meeting_without_presales_is_refused_and_nothing_is_saved(sales_rep, team):
    customer = CustomerFactory(team=team, owner=sales_rep)
    with pytest.raises(DomainError) as refused:
        services.communication_create(
            actor=sales_rep, customer=customer, data=_meeting(participant_users=[sales_rep])
        )
    assert "presales engineer" in refused.value.fields["participant_users"][0]
    assert not CommunicationRecord.objects.exists()


def test_r_comm_2_a_first_meeting_with_the_presales_engineer_is_recorded(sales_rep, engineer, team):
    customer = CustomerFactory(team=team, owner=sales_rep)
    record = services.communication_create(
        actor=sales_rep, customer=customer, data=_meeting(participant_users=[sales_rep, engineer])
    )
    assert set(record.participant_users.all()) == {sales_rep, engineer}


def test_r_comm_2_later_meetings_calls_and_emails_need_no_presales(sales_rep, team):
    customer = CustomerFactory(team=team, owner=sales_rep)
    CommunicationFactory(
        customer=customer,
        lead=None,
        channel=Channel.SITE_VISIT,
        occurred_at=timezone.now() - timedelta(days=3),
    )
    services.communication_create(actor=sales_rep, customer=customer, data=_meeting())
    services.communication_create(
        actor=sales_rep, customer=customer, data={"channel": Channel.PHONE, "key_points": "Call"}
    )
    assert CommunicationRecord.objects.count() == 3


def test_r_comm_2_a_lead_without_a_customer_counts_its_own_meetings(sales_rep, team):
    lead = LeadFactory(team=team, owner=sales_rep, customer=None)
    with pytest.raises(DomainError):
        services.communication_create(actor=sales_rep, lead=lead, data=_meeting())
    # a call first does not count as the first meeting
    services.communication_create(
        actor=sales_rep, lead=lead, data={"channel": Channel.PHONE, "key_points": "Call"}
    )
    with pytest.raises(DomainError):
        services.communication_create(actor=sales_rep, lead=lead, data=_meeting())


def test_r_comm_2_removing_the_presales_engineer_from_the_first_meeting_is_refused(sales_rep, engineer, team):
    customer = CustomerFactory(team=team, owner=sales_rep)
    record = services.communication_create(
        actor=sales_rep, customer=customer, data=_meeting(participant_users=[sales_rep, engineer])
    )
    with pytest.raises(DomainError):
        services.communication_update(
            actor=sales_rep,
            record=record,
            data={"participant_users": [sales_rep]},
            expected_version=record.version,
        )
    assert set(CommunicationRecord.objects.get().participant_users.all()) == {sales_rep, engineer}


def test_r_comm_2_the_api_answers_400_naming_the_participants_field(client_for, sales_rep, team):
    customer = CustomerFactory(team=team, owner=sales_rep)
    response = client_for(sales_rep).post(
        reverse("communication-list"),
        {"customer": customer.pk, "channel": Channel.SITE_VISIT, "key_points": "Plant tour"},
        format="json",
    )
    assert response.status_code == 400
    assert "participant_users" in response.json()["fields"]
    assert not CommunicationRecord.objects.exists()


def test_r_comm_2_the_web_form_shows_the_error_on_the_participants_field(client, sales_rep, team):
    lead = LeadFactory(team=team, owner=sales_rep, customer=None)
    client.force_login(sales_rep)
    response = client.post(
        reverse("leads:lead_communication_create", args=[lead.pk]),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "channel": Channel.MEETING,
            "key_points": "Kick-off",
        },
    )
    assert response.status_code == 200
    assert "presales engineer" in str(response.context["form"].errors["participant_users"])
    assert not CommunicationRecord.objects.exists()

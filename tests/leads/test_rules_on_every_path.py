"""Leads and customers hold their rules on every write path (issue 8, items 1, 2, 3, 10, 15):
duplicates on every write (R-LEAD-2), both first-contact clocks from the times the system
saw (R-LEAD-3), a save that changes nothing a timer depends on leaves it alone (R-SLA-3),
bounded list and text fields (R-CUST-1, R-COMM-1) and plausible dates and phones."""

import tracemalloc
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.choices import Channel, LeadStatus
from leads.models import MAX_NEED_TAGS, CommunicationRecord, Customer, Lead
from presales.core.errors import Conflict, DomainError
from presales.core.validators import LONG_TEXT_MAX, validate_phone
from presales.sla.defaults import COMMUNICATION_FOLLOW_UP, LEAD_FIRST_CONTACT
from presales.sla.models import Notification, Timer, TimerState
from presales.sla.sweep import sweep
from tests.factories import ContactFactory, CustomerFactory
from tests.leads.test_api import assert_error_body
from tests.leads.test_services import lead_data
from tests.leads.test_views import lead_form_data, local

pytestmark = pytest.mark.django_db


def first_contact_timer(lead) -> Timer:
    return Timer.objects.get(kind=LEAD_FIRST_CONTACT, subject_id=lead.pk, state=TimerState.OPEN)


# --- R-LEAD-2: duplicates on every write path --------------------------------------------------


def test_lead_patch_to_another_leads_phone_is_a_duplicate_r_lead_2(client_for, sales_rep):
    # given two leads of different companies and phones
    first = services.lead_create(actor=sales_rep, data=lead_data())
    second = services.lead_create(
        actor=sales_rep,
        data=lead_data(company_name="Other Co", phone="021 5555 0000", email="x@other.example"),
    )
    client = client_for(sales_rep)
    url = reverse("lead-detail", args=[second.pk])
    # when the second one's phone is changed to the first's
    response = client.patch(url, {"phone": "139 0000 1111"}, format="json")
    # then it is refused with the candidate, and nothing changed
    body = assert_error_body(response, 409, "duplicate")
    assert [d["id"] for d in body["duplicates"]["leads"]] == [first.pk]
    assert Lead.objects.get(pk=second.pk).phone == "021 5555 0000"
    # and keeping it needs a reason (400 naming the field), then records it
    response = client.patch(url, {"phone": "139 0000 1111", "allow_duplicate": True}, format="json")
    assert "duplicate_override_reason" in assert_error_body(response, 400)["fields"]
    response = client.patch(
        url,
        {
            "phone": "139 0000 1111",
            "allow_duplicate": True,
            "duplicate_override_reason": "Shared switchboard.",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["duplicate_override_reason"] == "Shared switchboard."
    # and a later edit that does not touch the matching facts is not checked again
    response = client.patch(url, {"timing": "Q4"}, format="json")
    assert response.status_code == 200, response.content


def test_lead_web_edit_to_another_leads_company_is_refused_r_lead_2(client, engineer, sales_rep, team):
    # given two leads of different companies
    services.lead_create(actor=sales_rep, data=lead_data())
    other = services.lead_create(
        actor=sales_rep,
        data=lead_data(company_name="Other Co", phone="021 5555 0000", email="x@other.example"),
    )
    client.force_login(engineer)
    # when the edit form renames the second to the first's company
    data = lead_form_data(
        team, sales_rep, company_name="NANJING ROBOTICS", phone="021 5555 0000", email="x@other.example"
    )
    response = client.post(reverse("leads:lead_edit", args=[other.pk]), data)
    # then the form is shown again with the refusal, and nothing changed
    assert response.status_code == 200
    assert "looks like an existing record" in response.content.decode()
    assert Lead.objects.get(pk=other.pk).company_name == "Other Co"


def test_customer_with_an_existing_name_is_refused_on_create_and_rename_r_lead_2(
    client_for, sales_rep, engineer, team
):
    # given an active customer
    existing = CustomerFactory(team=team, name="Donghai Energy Co., Ltd.")
    other = CustomerFactory(team=team, name="Xinghe Robotics")
    client = client_for(sales_rep)
    # when another customer of the same company is created through the API (otherwise valid:
    # with its primary presales engineer, R-CUST-5)
    response = client.post(
        reverse("customer-list"),
        {"name": "DONGHAI ENERGY", "industry": "energy", "primary_presales": engineer.pk},
        format="json",
    )
    # then it is refused with the match (409)
    body = assert_error_body(response, 409, "duplicate")
    assert [c["id"] for c in body["duplicates"]["customers"]] == [existing.pk]
    # and renaming another customer to it is refused too
    response = client.patch(
        reverse("customer-detail", args=[other.pk]), {"name": "Donghai Energy"}, format="json"
    )
    assert_error_body(response, 409, "duplicate")
    assert Customer.objects.filter(normalized_name="donghaienergy").count() == 1


def test_one_active_customer_per_name_is_a_database_constraint_r_lead_2(team):
    """R-LEAD-2: writers that bypass the services (admin, shell) meet the partial unique index;
    a merged customer leaves it, so its survivor may carry the name."""
    first = CustomerFactory(team=team, name="Acme")
    customer = CustomerFactory.build(team=team, owner=first.owner, name="ACME Ltd.")
    with pytest.raises(ValidationError, match="already exists"):
        customer.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        customer.save()
    survivor = CustomerFactory(team=team, name="Acme Shanghai")
    Customer.objects.filter(pk=first.pk).update(merged_into=survivor)
    CustomerFactory(team=team, name="ACME Ltd.")


def test_contact_with_a_colleagues_phone_or_email_is_refused_r_lead_2(engineer, team):
    customer = CustomerFactory(team=team)
    existing = ContactFactory(customer=customer, phone="139 0000 2222", email="wang@donghai.example")
    other = ContactFactory(customer=customer, phone="139 0000 3333", email="li@donghai.example")
    with pytest.raises(Conflict) as refused:
        services.contact_create(
            actor=engineer,
            customer=customer,
            data={"name": "Wang again", "phone": "+86 139-0000-2222", "source": "referral"},
        )
    assert set(refused.value.fields) == {"phone"}
    with pytest.raises(Conflict) as refused:
        services.contact_update(actor=engineer, contact=other, data={"email": "WANG@donghai.example"})
    assert set(refused.value.fields) == {"email"}
    # the contact's own values and another customer's contacts are no duplicates
    services.contact_update(actor=engineer, contact=existing, data={"title": "CEO"})
    services.contact_create(
        actor=engineer,
        customer=CustomerFactory(team=team),
        data={"name": "Wang", "phone": "139 0000 2222", "source": "referral"},
    )


# --- R-LEAD-3: both clocks from the times the system saw ----------------------------------------


def test_editing_the_receipt_time_never_restarts_the_first_contact_clock_r_lead_3(client_for, sales_rep):
    # given a lead whose first contact is overdue
    received = timezone.now() - timedelta(hours=30)
    lead = services.lead_create(actor=sales_rep, data=lead_data(received_at=received))
    timer = first_contact_timer(lead)
    client = client_for(sales_rep)
    url = reverse("lead-detail", args=[lead.pk])
    # when the receipt time is moved to now
    response = client.patch(url, {"received_at": timezone.now().isoformat()}, format="json")
    # then it is refused, naming the field, and the overdue timer is untouched
    assert "received_at" in assert_error_body(response, 400)["fields"]
    assert first_contact_timer(lead) == timer
    assert Lead.objects.get(pk=lead.pk).first_contact_due_at == timer.due_at
    # and sending the same receipt time back (as a client that PUTs what it read) is no change
    sent = client.get(url).json()["received_at"]
    assert client.patch(url, {"received_at": sent, "timing": "Q3"}, format="json").status_code == 200
    assert first_contact_timer(lead) == timer


@pytest.mark.parametrize(
    ("received_at", "message"),
    [
        (timedelta(hours=2), "future"),
        (-timedelta(days=400), "more than a year"),
        ("2019-03-01T09:00:00+08:00", "more than a year"),
        ("0001-01-01", "2000-01-01"),
    ],
)
def test_implausible_receipt_times_are_refused_at_intake_r_lead_3(
    client_for, sales_rep, received_at, message
):
    from tests.leads.test_api import LEAD

    value = received_at if isinstance(received_at, str) else (timezone.now() + received_at).isoformat()
    response = client_for(sales_rep).post(reverse("lead-list"), {**LEAD, "received_at": value}, format="json")
    body = assert_error_body(response, 400)
    assert message in " ".join(body["fields"]["received_at"])
    assert not Lead.objects.exists()


def test_a_receipt_time_within_clock_skew_counts_as_now_r_lead_3(sales_rep):
    before = timezone.now()
    lead = services.lead_create(
        actor=sales_rep, data=lead_data(received_at=timezone.now() + timedelta(minutes=3))
    )
    assert before <= lead.received_at <= timezone.now()
    assert lead.first_contact_due_at == lead.received_at + timedelta(hours=24)


def test_a_back_dated_first_contact_is_late_by_the_system_clock_r_lead_3(engineer, sales_rep):
    """R-LEAD-3 (b): a contact recorded after the limit, stating a time inside it, is late."""
    # given a lead received 30 hours ago (its 24-hour limit passed 6 hours ago)
    lead = services.lead_create(
        actor=sales_rep, data=lead_data(received_at=timezone.now() - timedelta(hours=30))
    )
    timer = first_contact_timer(lead)
    # when the first contact is recorded now, stating a conversation 20 hours ago
    record = services.lead_record_first_contact(
        actor=engineer,
        lead=lead,
        data={
            "channel": Channel.PHONE,
            "occurred_at": timezone.now() - timedelta(hours=20),
            "key_points": "Needs MES.",
        },
    )
    # then the limit is judged at the time the system saw the record: late
    timer.refresh_from_db()
    lead.refresh_from_db()
    assert timer.state == TimerState.SATISFIED
    assert timer.satisfied_at == record.created_at > timer.due_at
    assert lead.first_contacted_at == record.created_at


def test_a_first_contact_entered_over_24h_after_the_conversation_is_flagged_late_r_lead_3(
    client_for, engineer, sales_rep
):
    """R-LEAD-3 (a): shown on the record, filterable, and not cleared by editing the time."""
    # given two leads; one first contact is entered 30 hours after the conversation
    late_lead = services.lead_create(
        actor=sales_rep, data=lead_data(received_at=timezone.now() - timedelta(hours=40))
    )
    on_time_lead = services.lead_create(
        actor=sales_rep,
        data=lead_data(company_name="Other Co", phone="021 5555 0000", email="x@other.example"),
    )
    conversation = {"channel": Channel.PHONE, "key_points": "Needs MES."}
    late = services.lead_record_first_contact(
        actor=engineer,
        lead=late_lead,
        data={**conversation, "occurred_at": timezone.now() - timedelta(hours=30)},
    )
    on_time = services.lead_record_first_contact(actor=engineer, lead=on_time_lead, data=conversation)
    # then only the late one is flagged, and the filters find it
    assert (late.entered_late, on_time.entered_late) == (True, False)
    client = client_for(engineer)
    found = client.get(reverse("lead-list"), {"first_contact_late_entry": "true"}).json()["results"]
    assert [x["id"] for x in found] == [late_lead.pk]
    found = client.get(reverse("communication-list"), {"entered_late": "true"}).json()["results"]
    assert [(x["id"], x["entered_late"]) for x in found] == [(late.pk, True)]
    # and moving the stated time closer afterwards does not clear the flag
    services.communication_update(actor=engineer, record=late, data={"occurred_at": timezone.now()})
    assert CommunicationRecord.objects.get(pk=late.pk).entered_late is True
    page = client_for(engineer).get(reverse("communication-detail", args=[late.pk])).json()
    assert page["entered_late"] is True


def test_the_lead_page_shows_a_late_entry(client, engineer, sales_rep):
    lead = services.lead_create(
        actor=sales_rep, data=lead_data(received_at=timezone.now() - timedelta(hours=40))
    )
    services.lead_record_first_contact(
        actor=engineer,
        lead=lead,
        data={
            "channel": Channel.PHONE,
            "key_points": "x",
            "occurred_at": timezone.now() - timedelta(hours=30),
        },
    )
    client.force_login(engineer)
    assert 'data-testid="late-entry"' in client.get(lead.get_absolute_url()).content.decode()


# --- R-SLA-3: a save that changes nothing a timer depends on leaves it alone --------------------


def test_saving_the_lead_form_with_only_the_budget_changed_escalates_once_r_sla_3(
    client, engineer, sales_rep, manager, team
):
    # given a lead whose first contact is overdue and was escalated
    lead = services.lead_create(
        actor=sales_rep,
        data=lead_data(received_at=timezone.now() - timedelta(hours=30), team=team, owner=sales_rep),
    )
    timer = first_contact_timer(lead)
    sweep(now=timezone.now(), enqueue=lambda _id: None)
    sent = Notification.objects.count()
    assert sent >= 2  # the owner and the manager
    # when the web edit form is saved with only the budget changed
    client.force_login(engineer)
    data = lead_form_data(
        team,
        sales_rep,
        company_name=lead.company_name,
        phone=lead.phone,
        email=lead.email,
        contact_name=lead.contact_name,
        received_at=local(lead.received_at),
        budget="900000",
    )
    response = client.post(reverse("leads:lead_edit", args=[lead.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sweep(now=timezone.now() + timedelta(minutes=1), enqueue=lambda _id: None)
    # then the timer is the same one, still overdue, and nobody was escalated again
    assert first_contact_timer(lead) == timer
    assert Lead.objects.get(pk=lead.pk).received_at == lead.received_at
    assert Notification.objects.count() == sent


def test_a_communication_saved_with_the_same_promise_keeps_its_timer_r_sla_3(engineer, team):
    customer = CustomerFactory(team=team)
    due = timezone.now() + timedelta(days=3)
    record = services.communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.PHONE,
            "key_points": "Call.",
            "next_step": "Send quote",
            "next_step_due_at": due,
        },
    )
    timer = Timer.objects.get(kind=COMMUNICATION_FOLLOW_UP, subject_id=record.pk, state=TimerState.OPEN)
    # the same date re-sent without its microseconds, with a text change
    services.communication_update(
        actor=engineer,
        record=record,
        data={"key_points": "Call, corrected.", "next_step_due_at": due.replace(microsecond=0)},
    )
    assert (
        Timer.objects.get(kind=COMMUNICATION_FOLLOW_UP, subject_id=record.pk, state=TimerState.OPEN) == timer
    )
    assert CommunicationRecord.objects.get(pk=record.pk).next_step_due_at == due


# --- item 10: bounded list and text fields (R-CUST-1, R-COMM-1) ----------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"need_tags": [f"tag {n}" for n in range(MAX_NEED_TAGS + 1)]}, "need_tags"),
        ({"need_tags": ["x" * 51]}, "need_tags"),
        ({"notes": "x" * (LONG_TEXT_MAX + 1)}, "notes"),
        ({"grade_reason": "x" * (LONG_TEXT_MAX + 1)}, "grade_reason"),
    ],
)
def test_customer_list_and_text_fields_are_bounded_r_cust_1(client_for, sales_rep, team, payload, field):
    customer = CustomerFactory(team=team, owner=sales_rep)
    response = client_for(sales_rep).patch(
        reverse("customer-detail", args=[customer.pk]), payload, format="json"
    )
    assert field in assert_error_body(response, 400)["fields"]


def test_bounds_hold_in_the_services_too_r_cust_1_r_comm_1(engineer, sales_rep, team):
    customer = CustomerFactory(team=team)
    with pytest.raises(DomainError) as refused:
        services.customer_update(
            actor=engineer, customer=customer, data={}, need_tags=[f"t{n}" for n in range(MAX_NEED_TAGS + 1)]
        )
    assert "need_tags" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        services.lead_create(actor=sales_rep, data=lead_data(background="x" * (LONG_TEXT_MAX + 1)))
    assert "background" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        services.communication_create(
            actor=engineer,
            customer=customer,
            data={"channel": Channel.PHONE, "key_points": "x" * (LONG_TEXT_MAX + 1)},
        )
    assert "key_points" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        services.contact_create(
            actor=engineer,
            customer=customer,
            data={"name": "W", "notes": "x" * (LONG_TEXT_MAX + 1), "source": "referral"},
        )
    assert "notes" in refused.value.fields


def _save_with_tags(engineer, customer, count: int) -> tuple[int, int]:
    """Peak traced memory (bytes) and query count of one customer save with ``count`` tags."""
    tags = [f"need tag number {n:02d}" for n in range(count)]
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        services.customer_update(
            actor=engineer, customer=customer, data={"notes": "备注" * (LONG_TEXT_MAX // 2)}, need_tags=tags
        )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, len(queries)


def test_a_customer_save_with_the_most_tags_and_notes_is_cheap_r_cust_1(engineer, team):
    """Item 10: the tag list is a field of the customer's history, not a copy of every tag row
    per save: a save with 20 tags and 10,000 characters of notes stays small, and costs the
    same number of queries as a save with one tag."""
    customer, small = CustomerFactory(team=team), CustomerFactory(team=team)
    for each in (customer, small):
        services.customer_update(actor=engineer, customer=each, data={}, need_tags=["warm up"])
    peak, queries_most = _save_with_tags(engineer, customer, MAX_NEED_TAGS)
    _, queries_one = _save_with_tags(engineer, small, 1)
    _, queries_again = _save_with_tags(engineer, customer, MAX_NEED_TAGS)
    assert peak < 50 * 1024 * 1024
    # one tag or twenty, the same queries; saving the same tags again writes no tag rows
    assert queries_most == queries_one
    assert queries_again == queries_most - 2
    history = customer.history.order_by("-history_id").first()
    assert history.need_tag_names == [f"need tag number {n:02d}" for n in range(MAX_NEED_TAGS)]
    assert sorted(customer.need_tags.values_list("name", flat=True)) == history.need_tag_names


# --- item 15: plausible dates and phones (R-COMM-1, R-LEAD-1) -------------------------------------


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("2020-06-01T09:00:00+08:00", "in the past"),
        (timedelta(days=800), "within two years"),
        ("0001-01-01", "2000-01-01"),
    ],
)
def test_implausible_next_step_dates_are_refused_r_comm_1(client_for, engineer, team, due, message):
    customer = CustomerFactory(team=team)
    due = due if isinstance(due, str) else (timezone.now() + due).isoformat()
    response = client_for(engineer).post(
        reverse("communication-list"),
        {
            "customer": customer.pk,
            "channel": "phone",
            "key_points": "Call.",
            "next_step": "Quote",
            "next_step_due_at": due,
        },
        format="json",
    )
    body = assert_error_body(response, 400)
    assert message in " ".join(body["fields"]["next_step_due_at"])
    assert not CommunicationRecord.objects.exists()
    assert not Timer.objects.exists()


def test_an_old_promise_stays_valid_when_the_record_text_is_corrected_r_comm_1(engineer, team):
    customer = CustomerFactory(team=team)
    record = services.communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.PHONE,
            "key_points": "Call.",
            "next_step": "Quote",
            "next_step_due_at": timezone.now() + timedelta(hours=1),
        },
    )
    CommunicationRecord.objects.filter(pk=record.pk).update(
        next_step_due_at=timezone.now() - timedelta(days=3)
    )
    services.communication_update(actor=engineer, record=record, data={"key_points": "Call, corrected."})


def test_a_year_one_date_is_refused_with_the_2000_bound_r_lead_3(sales_rep):
    from datetime import datetime

    with pytest.raises(DomainError) as refused:
        services.lead_create(
            actor=sales_rep, data=lead_data(received_at=timezone.make_aware(datetime(1, 1, 2)))
        )
    assert "2000-01-01" in refused.value.fields["received_at"][0]


def test_an_interaction_dated_before_2000_is_refused_r_comm_1(engineer, team):
    with pytest.raises(DomainError) as refused:
        services.communication_create(
            actor=engineer,
            customer=CustomerFactory(team=team),
            data={
                "channel": Channel.PHONE,
                "key_points": "x",
                "occurred_at": timezone.now().replace(year=1999),
            },
        )
    assert "occurred_at" in refused.value.fields


@pytest.mark.parametrize(
    "phone",
    [
        "+86 (21) 6123-4567",
        "139 0000 1111",
        "021-6123 4567 ext. 89",
        "+49 30 1234567 x12",
        "021 6123 4567 转 801",
    ],
)
def test_phone_numbers_in_common_forms_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["abc-!!-电话", "1234", "+1 " + "2" * 21, "12345 ext"])
def test_malformed_phone_numbers_are_refused_on_leads_and_contacts_r_lead_1(
    client_for, sales_rep, engineer, team, phone
):
    from tests.leads.test_api import LEAD

    response = client_for(sales_rep).post(reverse("lead-list"), {**LEAD, "phone": phone}, format="json")
    assert "phone" in assert_error_body(response, 400)["fields"]
    with pytest.raises(DomainError) as refused:
        services.contact_create(
            actor=engineer,
            customer=CustomerFactory(team=team),
            data={"name": "W", "phone": phone, "source": "referral"},
        )
    assert "phone" in refused.value.fields
    assert not Lead.objects.exists()


def test_the_admin_path_meets_the_same_date_rules_r_lead_3():
    """Admin forms run the model's full_clean: a lead received in 2019 is refused there too."""
    lead = Lead(status=LeadStatus.NEW, received_at=timezone.now().replace(year=2019))
    with pytest.raises(ValidationError) as refused:
        lead.full_clean()
    assert "received_at" in refused.value.message_dict

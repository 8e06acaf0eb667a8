"""Visit plans become follow-up timers (R-CUST-7)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.choices import Channel, VisitStatus
from leads.models import CommunicationRecord, VisitPlan
from leads.visits import VISIT_PLAN, visit_plan_cancel, visit_plan_create, visit_plan_done
from presales.core.errors import NotAllowed, NotFound
from presales.sla.models import Timer, TimerState
from tests.factories import ContactFactory, CustomerFactory, CustomerPresalesFactory

pytestmark = pytest.mark.django_db


def visit_timer(plan):
    return Timer.objects.get(
        kind=VISIT_PLAN, subject_type=ContentType.objects.get_for_model(VisitPlan), subject_id=plan.pk
    )


@pytest.fixture
def customer(engineer, team):
    customer = CustomerFactory(team=team)
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    return customer


def test_visit_plan_timer_done_records_communication_r_cust_7(engineer, sales_rep, customer):
    # given a planned visit with a contact and a colleague
    contact = ContactFactory(customer=customer)
    when = timezone.now() + timedelta(days=3)
    plan = visit_plan_create(
        actor=engineer,
        customer=customer,
        data={
            "planned_at": when,
            "purpose": "Site survey",
            "contacts": [contact],
            "participants": [sales_rep],
        },
    )
    # then a timer runs on the planner, due at the planned time
    timer = visit_timer(plan)
    assert timer.owner_id == engineer.pk and timer.due_at == when and timer.state == TimerState.OPEN
    # when the visit is marked done
    plan = visit_plan_done(actor=engineer, plan=plan, outcome="They want a pilot line.")
    # then a communication record holds it, with the people, and the timer is satisfied
    record = CommunicationRecord.objects.get(pk=plan.communication_id)
    assert record.channel == Channel.SITE_VISIT and record.key_points == "They want a pilot line."
    assert set(record.participant_users.all()) == {engineer, sales_rep}
    assert list(record.participant_contacts.all()) == [contact]
    assert plan.status == VisitStatus.DONE
    assert visit_timer(plan).state == TimerState.SATISFIED


def test_cancel_cancels_timer_r_cust_7(engineer, customer):
    plan = visit_plan_create(
        actor=engineer,
        customer=customer,
        data={"planned_at": timezone.now() + timedelta(days=1), "purpose": "Demo"},
    )
    # when cancelled
    visit_plan_cancel(actor=engineer, plan=plan, reason="Customer postponed.")
    # then the timer is cancelled
    assert visit_timer(plan).state == TimerState.CANCELLED


def test_visit_api_and_scope_r_cust_7(client_for, engineer, other_engineer, customer):
    api = client_for(engineer)
    when = (timezone.now() + timedelta(days=2)).isoformat()
    # when a visit is planned through the API
    answer = api.post(
        reverse("visit-plan-list"),
        {"customer": customer.pk, "planned_at": when, "purpose": "Kick-off"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    # then it is listed, and done through the action
    assert [row["id"] for row in api.get(reverse("visit-plan-list")).json()["results"]] == [pk]
    answer = api.post(reverse("visit-plan-done", args=[pk]), {"outcome": "Agreed scope."}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == VisitStatus.DONE
    # and bad input is a 400, not a 500
    assert api.post(reverse("visit-plan-list"), {"customer": customer.pk}, format="json").status_code == 400
    # and another team's engineer does not see it (404)
    outsider = client_for(other_engineer)
    assert outsider.get(reverse("visit-plan-detail", args=[pk])).status_code == 404
    assert outsider.get(reverse("visit-plan-list")).json()["results"] == []


def test_visit_outside_scope_refused_in_service_r_cust_7(other_engineer, customer):
    with pytest.raises((NotAllowed, NotFound)):
        visit_plan_create(
            actor=other_engineer,
            customer=customer,
            data={"planned_at": timezone.now() + timedelta(days=1), "purpose": "x"},
        )
    assert not VisitPlan.objects.exists()


def test_web_plan_and_my_visits_query_count_r_cust_7(client, engineer, customer):
    client.force_login(engineer)
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    # when a visit is planned on the customer page's form
    answer = client.post(
        reverse("leads:visit_create", args=[customer.pk]), {"planned_at": when, "purpose": "Workshop"}
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("leads:my_visits"))
    for n in range(5):
        visit_plan_create(
            actor=engineer,
            customer=customer,
            data={"planned_at": timezone.now() + timedelta(days=n + 3), "purpose": f"Visit {n}"},
        )
    # then "My visits" lists them in the same number of queries as one
    with CaptureQueriesContext(connection) as six:
        page = client.get(reverse("leads:my_visits"))
    assert page.status_code == 200
    assert page.content.decode().count("data-visit=") == 6
    assert len(six) == len(one)

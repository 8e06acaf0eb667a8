"""Contact cadence timers (R-CUST-7)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from leads import services
from leads.cadence import CUSTOMER_CADENCE, DECISION_MAKER_CADENCE, cadence_backfill
from leads.choices import CadenceScope, Channel, DecisionRole, Grade, Industry, Tier
from leads.models import CadencePolicy, Customer
from presales.sla.models import Timer, TimerState
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def open_timer(customer, kind=CUSTOMER_CADENCE):
    return Timer.objects.filter(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(Customer),
        subject_id=customer.pk,
        state=TimerState.OPEN,
    ).first()


def create_customer(engineer, team, **extra):
    data = {"name": "华东精密制造有限公司", "industry": Industry.MANUFACTURING, "team": team, **extra}
    return services.customer_create(actor=engineer, data=data)


@pytest.mark.parametrize(
    ("fit", "value", "grade", "days"),
    [(5, 5, Grade.A, 30), (3, 3, Grade.B, 60), (1, 1, Grade.C, 180)],
)
def test_cadence_timer_starts_per_grade_r_cust_7(engineer, team, fit, value, grade, days):
    # when a customer is created with a grade
    customer = create_customer(engineer, team, fit_score=fit, value_score=value)
    # then a cadence timer runs on its owner, due at creation + the grade's cadence
    assert customer.grade == grade
    timer = open_timer(customer)
    assert timer.owner_id == customer.owner_id
    assert timer.due_at == customer.created_at + timedelta(days=days)
    # and no decision-maker timer without a decision maker
    assert open_timer(customer, DECISION_MAKER_CADENCE) is None


def test_communication_restarts_cadence_r_cust_7(engineer, team):
    # given a B customer
    customer = create_customer(engineer, team, fit_score=3, value_score=3)
    first = open_timer(customer)
    # when an interaction is recorded
    at = timezone.now() - timedelta(hours=1)
    services.communication_create(
        actor=engineer,
        customer=customer,
        data={"channel": Channel.PHONE, "key_points": "Call.", "occurred_at": at},
    )
    # then the timer restarts from that interaction
    first.refresh_from_db()
    assert first.state == TimerState.CANCELLED
    assert open_timer(customer).due_at == at + timedelta(days=60)


def test_tier_shortens_cadence_and_grade_change_recomputes_r_cust_7(engineer, team):
    # given a C customer (180 days)
    customer = create_customer(engineer, team, fit_score=1, value_score=1)
    assert open_timer(customer).due_at == customer.created_at + timedelta(days=180)
    # when its grade becomes A
    customer = services.customer_update(
        actor=engineer, customer=customer, data={"fit_score": 5, "value_score": 5}
    )
    # then the cadence is monthly
    assert open_timer(customer).due_at == customer.created_at + timedelta(days=30)
    # when a C customer is strategic (with a reason), the tier shortens it to 30 days
    customer = services.customer_update(
        actor=engineer, customer=customer, data={"fit_score": 1, "value_score": 1}
    )
    assert open_timer(customer).due_at == customer.created_at + timedelta(days=180)
    customer = services.customer_update(
        actor=engineer,
        customer=customer,
        data={"tier": Tier.STRATEGIC, "tier_override_reason": "Group headquarters."},
    )
    assert open_timer(customer).due_at == customer.created_at + timedelta(days=30)


def test_cadence_policy_rows_override_defaults_r_cust_7(engineer, team):
    # given an admin-edited cadence for B customers
    CadencePolicy.objects.create(scope=CadenceScope.GRADE, value=Grade.B, days=45)
    # when a B customer is created
    customer = create_customer(engineer, team, fit_score=3, value_score=3)
    # then the row's cadence applies
    assert open_timer(customer).due_at == customer.created_at + timedelta(days=45)


def test_decision_maker_timer_restarted_by_their_participation_r_cust_7(engineer, team):
    # given a customer with a decision maker and another contact
    customer = create_customer(engineer, team, fit_score=1, value_score=1)
    boss = services.contact_create(
        actor=engineer,
        customer=customer,
        data={"name": "Boss", "decision_role": DecisionRole.DECISION_MAKER, "source": "business_card"},
    )
    clerk = services.contact_create(
        actor=engineer, customer=customer, data={"name": "Clerk", "source": "business_card"}
    )
    timer = open_timer(customer, DECISION_MAKER_CADENCE)
    # then the decision makers' timer is quarterly from the decision maker's creation
    assert timer.due_at == boss.created_at + timedelta(days=90)
    # when an interaction involves only the clerk
    services.communication_create(
        actor=engineer,
        customer=customer,
        data={"channel": Channel.PHONE, "key_points": "Call.", "participant_contacts": [clerk]},
    )
    # then the decision makers' timer stays
    assert open_timer(customer, DECISION_MAKER_CADENCE).pk == timer.pk
    # when the decision maker takes part
    at = timezone.now() - timedelta(minutes=5)
    services.communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.PHONE,
            "key_points": "Call.",
            "participant_contacts": [boss],
            "occurred_at": at,
        },
    )
    # then it restarts from that interaction
    assert open_timer(customer, DECISION_MAKER_CADENCE).due_at == at + timedelta(days=90)


def test_backfill_is_idempotent_r_cust_7(db):
    # given customers without timers (made before the rule)
    customers = CustomerFactory.create_batch(2, grade=Grade.A)
    ContactFactory(customer=customers[0], decision_role=DecisionRole.DECISION_MAKER)
    # when the backfill runs twice (the command, then the beat's service)
    call_command("backfill_cadence")
    assert cadence_backfill() == 2
    # then each has exactly one timer per kind, the same ones
    kinds = Timer.objects.filter(state=TimerState.OPEN).values_list("kind", flat=True)
    assert sorted(kinds) == sorted([CUSTOMER_CADENCE, CUSTOMER_CADENCE, DECISION_MAKER_CADENCE])
    assert not Timer.objects.filter(state=TimerState.CANCELLED).exists()


def test_customer_page_shows_next_contact_due_r_cust_7(client, engineer, team):
    # given a customer of the engineer
    customer = create_customer(engineer, team, fit_score=5, value_score=5)
    client.force_login(engineer)
    # when the page is opened
    page = client.get(customer.get_absolute_url())
    # then the next contact due shows
    due = timezone.localtime(customer.created_at + timedelta(days=30)).date().isoformat()
    assert due in page.content.decode()

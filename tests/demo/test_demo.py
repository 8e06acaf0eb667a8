"""The demo data (``manage.py load_demo``): idempotent, realistic, and built through services."""

from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from demo.leads import CHINA, Planner
from leads.choices import DecisionRole, DisqualifyReason, Grade, LeadStatus
from leads.models import CommunicationRecord, Contact, Customer, CustomerPresales, Lead, MergeRecord
from opportunities.choices import InitiationStatus, Stage
from opportunities.models import Opportunity, ProjectInitiation
from presales.accounts.models import User
from presales.sla.defaults import INITIATION_REVIEW, REVIEW_STEP
from presales.sla.models import Notification, TimerState
from presales.sla.notifications import ESCALATION
from presales.sla.selectors import timers_for
from reviews.choices import ReviewStatus, TaskState
from reviews.models import ReviewTask
from reviews.selectors import inbox_for, reviews_for_subject

# The demo is loaded once for this module (every test that needs it lives here), and once
# more by the idempotency test.
pytestmark = pytest.mark.django_db

FLAGSHIP = "苏州瑞科智能制造科技有限公司 Suzhou Ruike Smart Manufacturing Technology Co., Ltd."


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (a load takes seconds), inside a transaction that
    is rolled back afterwards; each test still runs in its own savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_loading_the_demo_twice_gives_identical_counts_for_every_model(demo):
    """Idempotent: a second load adds no record, no history row, no timer, no notification
    or delivery (the sweep run at load time sends nothing new)."""
    # given the demo loaded once
    first = _counts()
    # when it is loaded again
    call_command("load_demo", verbosity=0)
    # then no model (history tables included) gained or lost a row
    assert _counts() == first
    assert first["leads.Customer"] >= 55
    assert first["leads.Lead"] >= 140


def test_demo_plan_does_not_depend_on_the_day_it_is_loaded():
    """The natural keys are the same whatever ``now`` is, so a later load adds nothing."""

    def keys(now):
        customers, leads, duplicates = Planner(now).build()
        return (
            [(c.company.name, [p.name for p in c.contacts]) for c in customers],
            [
                (x.company_label or x.company.name, x.person.name, x.source, x.target)
                for x in leads + duplicates
            ],
        )

    # given two loads a month and a half apart; then they plan the same records
    now = timezone.now()
    assert keys(now) == keys(now + timedelta(days=45, hours=7))


def test_demo_covers_every_lead_status_and_both_first_contact_states(demo):
    """R-LEAD-3 / R-LEAD-4: lists and filters have something in every state."""
    # given the demo
    # then every status has leads, several of them
    by_status = dict(Lead.objects.values_list("status").annotate(n=Count("id")))
    assert set(by_status) == set(LeadStatus.values)
    assert min(by_status.values()) >= 10
    # and new leads are split between a first contact still due and one overdue
    assert Lead.objects.first_contact_due().count() >= 5
    assert Lead.objects.first_contact_overdue().count() >= 5
    # and every disqualified lead says why, with several different reasons
    disqualified = Lead.objects.filter(status=LeadStatus.DISQUALIFIED)
    assert not disqualified.filter(disqualify_reason="").exists()
    assert disqualified.values("disqualify_reason").distinct().count() >= 5
    assert set(disqualified.values_list("disqualify_reason", flat=True)) <= set(DisqualifyReason.values)
    # and merged leads point to a surviving lead, with a merge record each (R-LEAD-2)
    merged = Lead.objects.filter(status=LeadStatus.MERGED)
    assert not merged.filter(merged_into__isnull=True).exists()
    assert MergeRecord.objects.filter(kind=MergeRecord.Kind.LEAD).count() == merged.count()
    # and qualified leads are linked to a customer with the five-aspect evaluation
    qualified = Lead.objects.filter(status=LeadStatus.QUALIFIED)
    assert not qualified.filter(customer__isnull=True).exists()
    assert not qualified.filter(Q(eval_budget="") | Q(eval_competition="") | Q(eval_timeline="")).exists()
    # and every contacted lead has its first-contact record (R-LEAD-3)
    for lead in Lead.objects.filter(status=LeadStatus.CONTACTED):
        assert lead.communications.filter(is_first_contact=True).exists(), lead
    # and both teams own leads
    assert Lead.objects.values("team").distinct().count() == 2


def test_demo_customers_have_one_primary_presales_contacts_and_history(demo):
    """R-CUST-1, R-CUST-2, R-CUST-5, R-COMM-1 on the demo accounts."""
    # given the demo
    customers = Customer.objects.all()
    # then every customer has exactly one primary presales engineer, and some have assistants
    primaries = dict(
        CustomerPresales.objects.filter(is_primary=True).values_list("customer").annotate(n=Count("id"))
    )
    assert set(primaries) == set(customers.values_list("pk", flat=True))
    assert set(primaries.values()) == {1}
    assert CustomerPresales.objects.filter(is_primary=False).exists()
    # and all three grades, several industries and both teams appear
    assert set(customers.values_list("grade", flat=True)) == set(Grade.values)
    assert customers.values("industry").distinct().count() >= 6
    assert customers.values("team").distinct().count() == 2
    # and contacts carry decision roles, with a decision maker at most customers
    assert Contact.objects.filter(decision_role=DecisionRole.DECISION_MAKER).count() >= 45
    # and communications have next steps, some follow-ups upcoming and some overdue
    now = timezone.now()
    follow_ups = CommunicationRecord.objects.filter(next_step_due_at__isnull=False)
    assert follow_ups.filter(next_step_due_at__gt=now).exists()
    assert CommunicationRecord.objects.follow_ups_due(now).exists()
    assert not follow_ups.filter(next_step="").exists()
    # and the rows were written by services: history rows name the actor
    assert Customer.history.filter(history_user__isnull=False).count() >= customers.count()
    assert Lead.history.filter(history_type="+", history_user__isnull=False).count() == Lead.objects.count()
    assert not CommunicationRecord.history.filter(history_user__isnull=True).exists()


def test_demo_holds_the_sample_customer_of_the_sales_manual(demo):
    """The customer table row of seeds/003: manufacturing, 500 staff, ¥100M, grade A."""
    # given the demo
    # then the sample customer is there as the manual describes it
    customer = Customer.objects.get(name=FLAGSHIP)
    assert (customer.industry, customer.employees, int(customer.annual_revenue)) == (
        "manufacturing",
        500,
        100_000_000,
    )
    assert customer.grade == Grade.A
    assert set(customer.need_tags.values_list("name", flat=True)) == {
        "production efficiency 生产效率",
        "cost control 成本控制",
    }
    director = customer.contacts.get(name="王建国")
    assert director.title.startswith("生产总监")
    # and its first contact happened on 2024-03-15 and the visit on 2024-04-02
    first = customer.communications.get(is_first_contact=True)
    assert first.occurred_at.astimezone(CHINA).date() == datetime(2024, 3, 15).date()
    visit = customer.communications.get(channel="site_visit")
    assert visit.occurred_at.astimezone(CHINA).date() == datetime(2024, 4, 2).date()
    assert customer.primary_presales.username == "engineer"


def test_demo_pipeline_covers_every_stage(demo):
    """Every stage has an opportunity; initiations approved / in review / rejected (R-OPP-2)."""
    assert set(Opportunity.objects.values_list("stage", flat=True)) == set(Stage.values)
    # one request waits in the sales manager's inbox, one was rejected with comments
    sales_manager = User.objects.get(username="sales_manager")
    assert [r.kind for r in inbox_for(sales_manager)] == ["initiation"]
    rejected = ProjectInitiation.objects.get(status=InitiationStatus.REJECTED)
    assert reviews_for_subject(rejected).get().outcome_note
    # everything past lead intake went through an approved initiation and formed a team
    for opportunity in Opportunity.objects.exclude(stage=Stage.LEAD_INTAKE):
        assert opportunity.initiation.status == InitiationStatus.APPROVED
        assert opportunity.members.count() >= 2
    # lost and abandoned ones carry their reasons; the skipped bid its reason
    lost = Opportunity.objects.get(stage=Stage.LOST)
    assert lost.close_reason and lost.winning_competitor


def test_demo_reviews_carry_their_timers_and_one_sweep_fills_the_bells(demo):
    """After the demo, the review waiting for the sales manager has its step timer, its
    author's wait is on, and the sweep run at load time sent the reminders and escalations
    due now (R-SLA-1, R-SLA-3)."""
    # every pending task of a review in progress has its approver's open timer
    pending = ReviewTask.objects.filter(state=TaskState.PENDING, review__status=ReviewStatus.IN_PROGRESS)
    assert pending.exists()
    for task in pending:
        (timer,) = [t for t in timers_for(task) if t.state == TimerState.OPEN]
        assert (timer.kind, timer.owner_id) == (REVIEW_STEP, task.approver_id)
    waiting = ProjectInitiation.objects.get(status=InitiationStatus.IN_REVIEW)
    assert [t.kind for t in timers_for(waiting) if t.state == TimerState.OPEN] == [INITIATION_REVIEW]
    # and the bells hold what was due at load time
    assert Notification.objects.filter(kind=ESCALATION).exists()


def test_an_old_demo_database_gets_the_current_demo_password_but_changed_ones_stay(db):
    """Issue 8: a demo built with a retired password (``demo1234``) is moved to the README's
    password on the next load; a password the user chose is left alone."""
    from demo import people
    from demo.builders import DemoContext

    people.build(DemoContext())
    for user in User.objects.all():  # an old demo: every login had the retired password
        user.set_password("demo1234")
        user.save()
    engineer = User.objects.get(username="engineer")
    engineer.set_password("my-own-Secret-77")
    engineer.save()
    # when the demo is loaded again
    people.build(DemoContext())
    # then
    assert User.objects.get(username="admin").check_password(people.PASSWORD)
    assert User.objects.get(username="engineer").check_password("my-own-Secret-77")

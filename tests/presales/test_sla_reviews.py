"""Review and initiation deadlines, driven inside the review engine's transactions
(R-REV-1, R-SLA-1, R-SLA-2, R-SLA-3, R-OPP-2), and the timers shown on record pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.choices import Channel
from leads.services import communication_create
from opportunities.choices import CloseReason
from opportunities.services import initiation_save, initiation_submit, initiation_withdraw, opportunity_move
from presales.core.errors import Conflict, NotAllowed
from presales.core.roles import Role
from presales.sla.calendar import library_years
from presales.sla.defaults import (
    COMMUNICATION_FOLLOW_UP,
    CONTRACT_ARCHIVE,
    INITIATION_REVIEW,
    LEAD_FIRST_CONTACT,
    REVIEW_STEP,
)
from presales.sla.models import CalendarYear, Notification, Timer, TimerState
from presales.sla.notifications import CALENDAR_UNKNOWN
from presales.sla.selectors import timers_for
from presales.sla.services import sla_policy_update, timer_restart, timer_start
from presales.sla.sweep import sweep
from reviews import timers as review_timers
from reviews.choices import StepMode, TaskState
from reviews.models import Review, ReviewTask
from reviews.selectors import reviews_for_subject
from reviews.services import review_cancel, review_decide
from reviews.timers import start_review_step_timer
from tests.factories import (
    CustomerFactory,
    LeadFactory,
    OpportunityFactory,
    ReviewChainFactory,
    ReviewChainStepFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")

REQUEST = {
    "background": "500 staff, ¥100M revenue; two production lines to upgrade.",
    "sales_strategy": "Lead with the production-efficiency case.",
    "expected_goals": "Win phase 1.",
}


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")


@pytest.fixture
def hour_limits(admin):
    """Review and initiation limits in calendar hours, so due times do not depend on the
    day the suite runs (the working-day calendar has its own tests)."""
    for kind in (REVIEW_STEP, INITIATION_REVIEW):
        sla_policy_update(
            actor=admin, kind=kind, data={"limit_value": 48, "limit_unit": "hours", "reminder_hours": [4]}
        )


@pytest.fixture
def sm1(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sm1")


@pytest.fixture
def sm2(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sm2")


@pytest.fixture
def legal_team(make_user):
    """The legal department: its own team and manager (the approver's manager, R-SLA-3)."""
    team = TeamFactory(name="Legal department")
    head = make_user(Role.DEPARTMENT_HEAD, team=team, username="legal_head")
    team.manager = head
    team.save()
    return team


@pytest.fixture
def legal(make_user, legal_team):
    return make_user(Role.LEGAL, team=legal_team, username="legal")


@pytest.fixture
def opportunity(team, engineer, sales_rep, manager):
    return OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)


@pytest.fixture
def make_chain(db):
    """``make_chain(step, step, ...)``: the active initiation chain with those steps
    (``{"approver_role": ..., "mode": ...}`` or ``{"approver_user": ...}``), in order."""

    def make(*steps):
        chain = ReviewChainFactory(kind="initiation")
        for order, spec in enumerate(steps, start=1):
            spec = {"order": order, **spec}
            if "approver_user" in spec:
                spec.setdefault("approver_role", "")
            ReviewChainStepFactory(chain=chain, **spec)
        return chain

    return make


ANY_SALES = {"approver_role": Role.SALES_MANAGER, "mode": StepMode.ANY}
ALL_SALES = {"approver_role": Role.SALES_MANAGER, "mode": StepMode.ALL}


def submit(engineer, opportunity):
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    return initiation_submit(actor=engineer, initiation=initiation)


def review_of(initiation) -> Review:
    return reviews_for_subject(initiation).first()


def task_of(review: Review, user) -> ReviewTask:
    return ReviewTask.objects.get(review=review, approver=user, step_order=review.current_step_order)


def step_timers(**filters):
    return Timer.objects.filter(kind=REVIEW_STEP, **filters)


def snapshot():
    """Everything about every timer that a decision could change."""
    return list(
        Timer.objects.order_by("pk").values_list(
            "pk",
            "kind",
            "state",
            "owner_id",
            "satisfied_at",
            "cancelled_at",
            "cancel_reason",
            "next_action_at",
        )
    )


# --- review steps (R-REV-1, R-SLA-1) --------------------------------------------------------


def test_an_opened_step_starts_one_timer_per_approver_R_REV_1_R_SLA_1(
    make_chain, hour_limits, engineer, sm1, sm2, legal, opportunity
):
    # given a chain: sales managers (any of them), then legal
    make_chain(ANY_SALES, {"approver_role": Role.LEGAL})
    # when the engineer sends the initiation to review
    review = review_of(submit(engineer, opportunity))
    # then each pending approver of the first step owes a decision, on their own task
    timers = list(step_timers().select_related("owner"))
    assert sorted(t.owner.username for t in timers) == ["sm1", "sm2"]
    for timer in timers:
        task = task_of(review, timer.owner)
        assert timer.subject == task and timer.state == TimerState.OPEN
        assert timer.team == timer.owner.team
        assert timer.started_at == task.opened_at
        assert timer.due_at == task.opened_at + timedelta(hours=48)
        assert timer.context == {"review": review.pk, "step": 1}
    # and legal, whose step is not open yet, owes nothing yet
    assert not step_timers(owner=legal).exists()


def test_a_decision_satisfies_the_deciders_timer_only_R_REV_1(
    make_chain, hour_limits, engineer, sm1, sm2, opportunity
):
    # given an ALL step waiting for two sales managers
    make_chain(ALL_SALES)
    review = review_of(submit(engineer, opportunity))
    # when the first approves
    review_decide(actor=sm1, review=review, decision="approve")
    # then their timer is satisfied at the decision; the other is still owed
    mine = step_timers().get(owner=sm1)
    assert mine.state == TimerState.SATISFIED
    assert mine.satisfied_at == task_of(review, sm1).decided_at
    assert mine.next_action_at is None
    assert step_timers().get(owner=sm2).state == TimerState.OPEN


def test_any_step_approved_cancels_the_other_approvers_timers_R_REV_1(
    make_chain, hour_limits, engineer, sm1, sm2, legal, opportunity
):
    # given an ANY step of two sales managers, then legal
    make_chain(ANY_SALES, {"approver_role": Role.LEGAL})
    review = review_of(submit(engineer, opportunity))
    # when one of them approves
    review_decide(actor=sm1, review=review, decision="approve")
    # then theirs is satisfied, the other's is cancelled with the reason ...
    assert step_timers().get(owner=sm1).state == TimerState.SATISFIED
    other = step_timers().get(owner=sm2)
    assert (other.state, other.cancel_reason) == (TimerState.CANCELLED, "Another approver approved the step")
    assert other.next_action_at is None
    # ... and legal's step opened with its own timer
    assert step_timers(state=TimerState.OPEN).get().owner == legal


def test_the_next_steps_timers_start_when_the_previous_step_completes_R_REV_1(
    make_chain, hour_limits, engineer, sm1, sm2, legal, opportunity
):
    # given an ALL step of two sales managers, then legal
    make_chain(ALL_SALES, {"approver_role": Role.LEGAL})
    review = review_of(submit(engineer, opportunity))
    # when only the first approves, legal's step is not open and legal owes nothing
    review_decide(actor=sm1, review=review, decision="approve")
    assert not step_timers(owner=legal).exists()
    # when the second approves
    review_decide(actor=sm2, review=review, decision="approve")
    # then legal's timer starts when the step opened
    timer = step_timers().get(owner=legal)
    task = ReviewTask.objects.get(review=review, approver=legal)
    assert (timer.state, timer.subject, timer.started_at) == (TimerState.OPEN, task, task.opened_at)
    assert task.state == TaskState.PENDING


def test_a_rejection_cancels_the_pending_timers_and_ends_the_initiation_wait_R_REV_5(
    make_chain, hour_limits, engineer, sm1, sm2, opportunity
):
    # given an ALL step of two sales managers
    make_chain(ALL_SALES)
    initiation = submit(engineer, opportunity)
    review = review_of(initiation)
    # when one of them rejects
    review_decide(actor=sm1, review=review, decision="reject", comment="Explain the budget.")
    # then the rejecter's timer is satisfied (a decision), the other's cancelled
    assert step_timers().get(owner=sm1).state == TimerState.SATISFIED
    other = step_timers().get(owner=sm2)
    assert (other.state, other.cancel_reason) == (TimerState.CANCELLED, "The review was rejected")
    # and the author's wait for a decision is over
    wait = Timer.objects.get(kind=INITIATION_REVIEW)
    assert wait.state == TimerState.SATISFIED
    initiation.refresh_from_db()
    assert wait.satisfied_at == initiation.rejected_at
    assert not Timer.objects.open().exists()


def test_a_withdrawn_review_cancels_every_timer_R_REV_5(
    make_chain, hour_limits, engineer, sm1, sm2, opportunity
):
    # given a request in review
    make_chain(ALL_SALES)
    initiation = submit(engineer, opportunity)
    # when the author withdraws it
    initiation_withdraw(actor=engineer, initiation=initiation, reason="The customer changed the scope.")
    # then the approvers' and the author's timers are all cancelled, with why
    reasons = set(Timer.objects.values_list("kind", "state", "cancel_reason"))
    assert reasons == {
        (REVIEW_STEP, TimerState.CANCELLED, "The review was withdrawn"),
        (INITIATION_REVIEW, TimerState.CANCELLED, "The customer changed the scope."),
    }
    assert Timer.objects.count() == 3


def test_a_review_cancelled_on_its_page_cancels_its_timers(
    make_chain, hour_limits, engineer, sm1, opportunity
):
    make_chain(ANY_SALES)
    review = review_of(submit(engineer, opportunity))
    # when the author withdraws the review itself
    review_cancel(actor=engineer, review=review, reason="Sent by mistake.")
    # then nothing is owed any more
    assert not Timer.objects.open().exists()
    assert set(Timer.objects.values_list("state", flat=True)) == {TimerState.CANCELLED}


def test_closing_the_opportunity_calls_off_the_initiation_timers_R_OPP_3(
    make_chain, hour_limits, engineer, sm1, opportunity
):
    # given a request in review
    make_chain(ANY_SALES)
    submit(engineer, opportunity)
    # when the opportunity is lost
    opportunity_move(
        actor=engineer,
        opportunity=opportunity,
        move="mark_lost",
        reason=CloseReason.PRICE,
        note="Too expensive.",
    )
    # then its review was withdrawn and every timer of it cancelled
    # the retrospective of the closed opportunity is due now (R-POST-2), nothing else
    assert list(Timer.objects.open().values_list("kind", flat=True)) in ([], ["retrospective_due"])
    assert Timer.objects.get(kind=INITIATION_REVIEW).cancel_reason.startswith("The opportunity was closed")


def test_approval_satisfies_every_timer_of_the_review_R_OPP_2(
    make_chain, hour_limits, engineer, sm1, opportunity, team
):
    # given a request in review
    make_chain(ANY_SALES)
    initiation = submit(engineer, opportunity)
    # then the author owns a timer of the request waiting for its decision
    wait = Timer.objects.get(kind=INITIATION_REVIEW)
    assert (wait.owner, wait.team, wait.subject, wait.state) == (engineer, team, initiation, TimerState.OPEN)
    assert wait.started_at == initiation.submitted_at
    assert wait.due_at == initiation.submitted_at + timedelta(hours=48)
    # when the sales manager approves it
    review_decide(actor=sm1, review=review_of(initiation), decision="approve")
    # then the wait and the approver's timer are satisfied; nothing is owed
    initiation.refresh_from_db()
    wait.refresh_from_db()
    assert (wait.state, wait.satisfied_at) == (TimerState.SATISFIED, initiation.approved_at)
    assert step_timers().get().state == TimerState.SATISFIED
    assert not Timer.objects.open().exists()


def test_a_resubmitted_request_starts_a_new_wait(make_chain, hour_limits, engineer, sm1, opportunity):
    make_chain(ANY_SALES)
    initiation = submit(engineer, opportunity)
    review_decide(actor=sm1, review=review_of(initiation), decision="reject", comment="Budget?")
    # when the changed request goes to review again
    initiation = initiation_save(
        actor=engineer, opportunity=opportunity, data={**REQUEST, "background": "Budget: ¥1.5M approved."}
    )
    initiation_submit(actor=engineer, initiation=initiation)
    # then a new wait and a new approver timer are open beside the closed ones
    assert Timer.objects.filter(kind=INITIATION_REVIEW, state=TimerState.OPEN).count() == 1
    assert step_timers(state=TimerState.OPEN).count() == 1
    assert Timer.objects.count() == 4


# --- refusals and rollbacks ------------------------------------------------------------------


def test_refused_decisions_leave_the_timers_untouched_R_REV_5(
    make_chain, hour_limits, engineer, sm1, sm2, legal, opportunity
):
    # given a review waiting for the sales managers, legal next
    make_chain(ALL_SALES, {"approver_role": Role.LEGAL})
    review = review_of(submit(engineer, opportunity))
    review_decide(actor=sm1, review=review, decision="approve")
    before = snapshot()
    # when legal decides out of turn, the author approves their own request, sm1 decides again
    with pytest.raises(NotAllowed):
        review_decide(actor=legal, review=review, decision="approve")
    with pytest.raises(NotAllowed):
        review_decide(actor=engineer, review=review, decision="approve")
    with pytest.raises(Conflict):
        review_decide(actor=sm1, review=review, decision="approve")
    # then no timer changed
    assert snapshot() == before


def test_a_rolled_back_decision_leaves_no_timer_change(
    make_chain, hour_limits, engineer, sm1, sm2, opportunity
):
    # given a review waiting for two sales managers (ANY)
    make_chain(ANY_SALES)
    review = review_of(submit(engineer, opportunity))
    before = snapshot()
    # when the decision's transaction fails after the decision was recorded
    with pytest.raises(RuntimeError), transaction.atomic():
        review_decide(actor=sm1, review=review, decision="approve")
        assert step_timers(state=TimerState.OPEN).count() == 0  # inside: both closed
        raise RuntimeError("the request failed later")
    # then the timers are as they were: started and stopped with the event, not after it
    assert snapshot() == before


def test_a_failing_timer_start_refuses_the_decision_R_REV_1_R_SLA_1(
    make_chain, hour_limits, engineer, sm1, sm2, legal, opportunity, monkeypatch
):
    """The engine calls the approvers' timers explicitly, in the deciding transaction
    (reviews.services._tasks_changed → reviews.timers.review_tasks_changed): when the next
    approver's timer cannot start, the decision is refused and no timer changed."""
    # given sales managers (any of them), then legal
    make_chain(ANY_SALES, {"approver_role": Role.LEGAL})
    review = review_of(submit(engineer, opportunity))
    before = snapshot()

    def broken(task, *, start):
        raise RuntimeError("the timer could not start")

    monkeypatch.setattr(review_timers, "start_review_step_timer", broken)
    # when sm1 approves, which opens legal's step
    with pytest.raises(RuntimeError):
        review_decide(actor=sm1, review=review, decision="approve")
    # then neither the decision nor any timer changed, and legal owes nothing yet
    assert snapshot() == before
    assert task_of(review, sm1).state == TaskState.PENDING
    assert Review.objects.get(pk=review.pk).current_step_order == 1


# --- escalation (R-SLA-3) --------------------------------------------------------------------


def test_an_overdue_review_step_escalates_to_the_approvers_manager_R_SLA_3(
    make_chain, admin, engineer, legal, legal_team, manager, opportunity
):
    # given legal owes a decision (their own team is the legal department), no reminders
    sla_policy_update(
        actor=admin, kind=REVIEW_STEP, data={"limit_value": 24, "limit_unit": "hours", "reminder_hours": []}
    )
    make_chain({"approver_role": Role.LEGAL})
    review = review_of(submit(engineer, opportunity))
    timer = step_timers().get()
    assert timer.team == legal_team
    # when the sweep runs before it is due, nothing is sent
    sweep(now=timer.due_at - timedelta(minutes=1), enqueue=lambda pk: None)
    assert not Notification.objects.filter(timer=timer).exists()
    # when it runs once it is overdue
    result = sweep(now=timer.due_at + timedelta(minutes=1), enqueue=lambda pk: None)
    # then legal and legal's manager are told, not the subject team's manager
    assert result.escalations >= 1
    told = set(Notification.objects.filter(timer=timer).values_list("recipient__username", flat=True))
    assert told == {"legal", "legal_head"}
    note = Notification.objects.get(timer=timer, recipient__username="legal_head")
    assert note.key == f"timer:{timer.pk}:escalate:1:{legal_team.manager_id}"
    assert review.subject_summary in note.title and note.url == review.get_absolute_url()
    # and a second sweep sends nothing again
    sweep(now=timer.due_at + timedelta(minutes=2), enqueue=lambda pk: None)
    assert Notification.objects.filter(timer=timer).count() == 2


def test_sweeping_review_timers_costs_the_same_queries_for_one_or_many(
    make_chain, hour_limits, engineer, sm1, team, make_user
):
    """The task's label names its review: fetched with the task, not one query per timer."""
    make_chain(ANY_SALES)

    def overdue_requests(n: int) -> int:
        for _ in range(n):
            submit(engineer, OpportunityFactory(team=team, presales_owner=engineer))
        due = max(step_timers(state=TimerState.OPEN).values_list("due_at", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            sweep(now=due + timedelta(minutes=1), enqueue=lambda pk: None, recover=False)
        return len(ctx.captured_queries)

    assert overdue_requests(1) == overdue_requests(4)


# --- working days and an unknown year (R-SLA-2) ----------------------------------------------


def test_review_timers_estimate_an_unknown_year_and_tell_the_admins_R_SLA_2(
    make_chain, engineer, sm1, admin, opportunity
):
    """A decision is not refused because next year's holidays are not entered yet: its
    deadline counts weekends only, says so, and the administrators are told once per timer."""
    # given the default policy (2 working days) and a year nobody has entered
    unknown = max(library_years()) + 1
    assert not CalendarYear.objects.filter(year=unknown).exists()
    make_chain(ANY_SALES)
    task = task_of(review_of(submit(engineer, opportunity)), sm1)
    Timer.objects.filter(kind=REVIEW_STEP).delete()
    start = datetime(unknown, 3, 5, 10, 0, tzinfo=SH)  # a Friday
    # when a timer of that year starts (and is started again: a retry)
    timer = start_review_step_timer(task, start=start)
    assert start_review_step_timer(task, start=start) == timer
    # then Monday and Tuesday count, the timer says it is estimated ...
    assert timezone.localtime(timer.due_at, SH) == datetime(unknown, 3, 9, 23, 59, 59, tzinfo=SH)
    assert timer.context["due_estimated"] == [unknown] and timer.due_estimated
    # ... and the admin is told about it once, and once more for another estimated timer
    other = timer_start(kind=REVIEW_STEP, subject=opportunity, owner=sm1, start=start)
    alerts = Notification.objects.filter(kind=CALENDAR_UNKNOWN).order_by("pk")
    assert list(alerts.values_list("recipient__username", "key", "timer")) == [
        ("admin", f"calendar:{unknown}:timer:{timer.pk}:{admin.pk}", timer.pk),
        ("admin", f"calendar:{unknown}:timer:{other.pk}:{admin.pk}", other.pk),
    ]
    assert str(unknown) in alerts.first().title and alerts.first().url == reverse("sla:calendar")


def test_every_working_day_timer_estimates_an_unknown_year_R_SLA_2(engineer, team, admin):
    """No working-day timer is refused for an unknown year: every kind estimates, flagged."""
    lead = LeadFactory(team=team, owner=engineer)
    start = datetime(max(library_years()) + 1, 3, 5, 10, 0, tzinfo=SH)  # a Friday
    timer = timer_start(kind=CONTRACT_ARCHIVE, subject=lead, owner=engineer, start=start)
    assert timezone.localtime(timer.due_at, SH) == datetime(start.year, 3, 10, 23, 59, 59, tzinfo=SH)
    assert timer.estimated_years == [start.year]
    assert Notification.objects.filter(kind=CALENDAR_UNKNOWN, timer=timer).count() == 1


# --- timers on record pages ------------------------------------------------------------------


def test_timers_for_gathers_a_record_and_the_records_shown_with_it(django_assert_num_queries, engineer, team):
    lead = LeadFactory(team=team, owner=engineer)
    timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=lead.received_at)
    records = [follow_up(engineer, day, lead=lead) for day in (1, 2)]
    other = LeadFactory(team=team, owner=engineer)
    timer_start(kind=LEAD_FIRST_CONTACT, subject=other, owner=engineer, start=other.received_at)
    # when; then one query, the lead's and its communications' timers only, newest first
    with django_assert_num_queries(1):
        timers = timers_for(lead, records)
    assert {(t.kind, t.subject_id) for t in timers} == {
        (LEAD_FIRST_CONTACT, lead.pk),
        (COMMUNICATION_FOLLOW_UP, records[0].pk),
        (COMMUNICATION_FOLLOW_UP, records[1].pk),
    }
    assert [t.started_at for t in timers] == sorted((t.started_at for t in timers), reverse=True)
    assert timers_for(None, None) == [] and timers_for(other, []) == timers_for(other)


def page_queries(client, url) -> tuple[int, str]:
    """The page's query count, after a first request (which warms per-process caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def shown_timers(html: str) -> int:
    return html.count("data-timer=")


def reschedule(kind: str, subject, owner, times: int = 3) -> None:
    """More timers on the same record (each restart cancels one and starts one), so a page
    can be compared with itself holding more timers and nothing else more."""
    due_at = getattr(subject, "next_step_due_at", None)  # a follow-up's date comes with it
    for _ in range(times):
        timer_restart(kind=kind, subject=subject, owner=owner, due_at=due_at, reason="Rescheduled")


def follow_up(actor, day: int, **target):
    return communication_create(
        actor=actor,
        **target,
        data={
            "channel": Channel.PHONE,
            "key_points": f"Call {day}",
            "next_step": "Send the case study",
            "next_step_due_at": timezone.now() + timedelta(days=day),
        },
    )


def test_lead_page_shows_its_timers_and_follow_ups_in_constant_queries(client, engineer, team):
    # given a lead with its first-contact timer and a communication promising a follow-up
    lead = LeadFactory(team=team, owner=engineer)
    timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=engineer, start=lead.received_at)
    record = follow_up(engineer, 1, lead=lead)
    client.force_login(engineer)
    url = lead.get_absolute_url()
    # then the page shows both, with their state
    two, html = page_queries(client, url)
    assert 'data-testid="timers-panel"' in html and shown_timers(html) == 2
    assert "First contact with a new lead" in html and "Promised follow-up" in html
    # when both were rescheduled three times (eight timers)
    reschedule(LEAD_FIRST_CONTACT, lead, engineer)
    reschedule(COMMUNICATION_FOLLOW_UP, record, engineer)
    # then the page shows all eight for the same number of queries
    eight, html = page_queries(client, url)
    assert shown_timers(html) == 8 and html.count('data-state="cancelled"') == 6
    assert eight == two


def test_customer_page_shows_the_follow_ups_of_its_communications(client, engineer, team):
    customer = CustomerFactory(team=team, owner=engineer)
    client.force_login(engineer)
    url = customer.get_absolute_url()
    _, html = page_queries(client, url)
    assert shown_timers(html) == 0 and "No deadlines on this record." in html
    # when a meeting promises a follow-up
    record = follow_up(engineer, 2, customer=customer)
    one, html = page_queries(client, url)
    timer = Timer.objects.get(kind=COMMUNICATION_FOLLOW_UP)
    assert f'data-timer="{timer.pk}"' in html and "Promised follow-up" in html
    # and with more timers on it, the same number of queries
    reschedule(COMMUNICATION_FOLLOW_UP, record, engineer)
    four, html = page_queries(client, url)
    # the follow-ups and the contact cadence the communication restarted (R-CUST-7)
    assert shown_timers(html) == 5 and four == one


def test_opportunity_page_shows_the_initiation_wait(
    client, make_chain, hour_limits, engineer, sm1, opportunity
):
    make_chain(ANY_SALES)
    client.force_login(engineer)
    url = opportunity.get_absolute_url()
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    _, html = page_queries(client, url)
    assert shown_timers(html) == 0
    # when the request waits in review
    initiation_submit(actor=engineer, initiation=initiation)
    one, html = page_queries(client, url)
    wait = Timer.objects.get(kind=INITIATION_REVIEW)
    assert f'data-timer="{wait.pk}"' in html and "Project initiation review pending" in html
    # and with more timers on it, the same number of queries
    reschedule(INITIATION_REVIEW, initiation, engineer)
    four, html = page_queries(client, url)
    assert shown_timers(html) == 4 and four == one


def test_review_page_shows_each_approvers_timer_in_constant_queries(
    client, make_chain, hour_limits, engineer, sm1, sm2, team, make_user, opportunity
):
    # given an ALL step of sales managers
    make_chain(ALL_SALES)
    review = review_of(submit(engineer, opportunity))
    client.force_login(engineer)
    url = review.get_absolute_url()
    two, html = page_queries(client, url)
    # then each approver's timer is on the review's page, with its state
    for timer in step_timers():
        assert f'data-timer="{timer.pk}"' in html
    assert html.count('data-state="open"') == 2
    # and with more timers on its tasks, the same number of queries
    for user in (sm1, sm2):
        reschedule(REVIEW_STEP, task_of(review, user), user)
    eight, html = page_queries(client, url)
    assert shown_timers(html) == 8 and eight == two
    # and a review with twice the approvers too
    make_user(Role.SALES_MANAGER, team=team, username="sm3")
    make_user(Role.SALES_MANAGER, team=team, username="sm4")
    bigger = review_of(submit(engineer, OpportunityFactory(team=team, presales_owner=engineer)))
    four, html = page_queries(client, bigger.get_absolute_url())
    assert shown_timers(html) == 4 and four == two


def test_review_page_timers_follow_the_decisions(
    client, make_chain, hour_limits, engineer, sm1, sm2, opportunity
):
    make_chain(ANY_SALES)
    review = review_of(submit(engineer, opportunity))
    review_decide(actor=sm1, review=review, decision="approve")
    client.force_login(sm2)
    _, html = page_queries(client, review.get_absolute_url())
    assert 'data-state="satisfied"' in html and 'data-state="cancelled"' in html


def test_a_review_timer_page_is_guarded_by_the_reviews_visibility(
    client, make_chain, hour_limits, engineer, sm1, other_engineer, legal, opportunity
):
    make_chain(ANY_SALES)
    review = review_of(submit(engineer, opportunity))
    client.force_login(other_engineer)
    assert client.get(review.get_absolute_url()).status_code == 404
    client.force_login(sm1)
    assert 'data-testid="timers-panel"' in client.get(review.get_absolute_url()).content.decode()


def test_the_deadlines_page_and_api_label_review_timers_in_constant_queries(
    client, client_for, make_chain, hour_limits, engineer, sm1, team
):
    make_chain(ANY_SALES)
    submit(engineer, OpportunityFactory(team=team, presales_owner=engineer))
    client.force_login(sm1)
    one, html = page_queries(client, reverse("sla:deadlines"))
    review = Review.objects.get()
    assert review.subject_summary in html and review.get_absolute_url() in html
    api = client_for(sm1)

    def api_queries() -> tuple[int, list]:
        api.get("/api/v1/timers/")
        with CaptureQueriesContext(connection) as ctx:
            results = api.get("/api/v1/timers/").json()["results"]
        return len(ctx.captured_queries), results

    api_one, (item,) = api_queries()
    assert item["subject"]["url"] == review.get_absolute_url()
    assert review.subject_summary in item["subject"]["label"]
    for _ in range(3):
        submit(engineer, OpportunityFactory(team=team, presales_owner=engineer))
    four, html = page_queries(client, reverse("sla:deadlines"))
    api_four, results = api_queries()
    assert len(results) == 4 and four == one and api_four == api_one


# --- demo ------------------------------------------------------------------------------------


def test_demo_gives_reviews_loaded_before_the_timers_existed_their_timers(
    make_chain, hour_limits, engineer, sm1, sm2, opportunity
):
    from demo.timers import _ensure_review_timers

    # given a review in progress whose timers are missing (a database from before them)
    make_chain(ANY_SALES)
    initiation = submit(engineer, opportunity)
    Timer.objects.all().delete()
    # when the demo's timers builder runs, twice
    assert _ensure_review_timers() == 3
    assert _ensure_review_timers() == 0
    # then each approver and the author have their open timer, from when the wait began
    open_timers = Timer.objects.open()
    assert sorted(open_timers.values_list("kind", "owner__username")) == [
        (INITIATION_REVIEW, "engineer"),
        (REVIEW_STEP, "sm1"),
        (REVIEW_STEP, "sm2"),
    ]
    assert open_timers.get(kind=INITIATION_REVIEW).started_at == initiation.submitted_at

"""The engine's explicit follow-up of task changes (R-REV-1): ``reviews.services`` calls
``reviews.timers.review_tasks_changed`` with which tasks opened, were decided or closed,
inside the deciding transaction, for any subject. No hook list: the call is in the code."""

import pytest
from django.db import connection

from presales.core.errors import NotAllowed
from presales.core.roles import Role
from presales.sla.defaults import REVIEW_STEP
from presales.sla.models import Timer
from reviews import services, timers
from reviews.choices import ReviewStatus, StepMode, TaskCloseReason, TaskState
from reviews.models import Review, ReviewTask
from reviews.services import review_cancel, review_decide, review_start
from tests.reviews.conftest import KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(monkeypatch):
    """Each TaskChanges the engine hands to the approvers' timers, as plain values, with the
    state of the review row as stored at that moment and whether a transaction was open.
    The real timers still run."""
    events = []
    real = services.review_tasks_changed

    def record(changes):
        stored = Review.objects.filter(pk=changes.review.pk).values_list("status", flat=True).get()
        events.append(
            {
                "opened": sorted((t.approver.username, t.state) for t in changes.opened),
                "decided": sorted((t.approver.username, t.state) for t in changes.decided),
                "closed": sorted((t.approver.username, t.state) for t in changes.closed),
                "because": changes.closed_because,
                "stored": stored,
                "in_transaction": connection.in_atomic_block,
                "at_is_set": changes.at is not None,
            }
        )
        real(changes)

    monkeypatch.setattr(services, "review_tasks_changed", record)
    return events


@pytest.fixture
def managers(make_user, team, manager):
    return manager, make_user(Role.PRESALES_MANAGER, team=team, username="manager2")


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


def test_start_reports_the_first_steps_pending_tasks_only(
    make_chain, lead, author, managers, sales_manager, seen
):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    # when
    review_start(actor=author, subject=lead, kind=KIND)
    # then the first step's approvers are reported as opened, inside the transaction
    assert seen == [
        {
            "opened": [("manager", TaskState.PENDING), ("manager2", TaskState.PENDING)],
            "decided": [],
            "closed": [],
            "because": "",
            "stored": ReviewStatus.IN_PROGRESS,
            "in_transaction": True,
            "at_is_set": True,
        }
    ]


def test_an_any_step_reports_the_decision_the_superseded_and_the_next_step(
    make_chain, lead, author, managers, sales_manager, seen
):
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.SALES_MANAGER},
        ]
    )
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when one manager approves
    review_decide(actor=managers[0], review=review, decision="approve")
    # then one event: their decision, the other manager's task closed, the next step opened
    event = seen[-1]
    assert event["decided"] == [("manager", TaskState.APPROVED)]
    assert event["closed"] == [("manager2", TaskState.SUPERSEDED)]
    assert event["because"] == TaskCloseReason.STEP_DECIDED
    assert event["opened"] == [("sales_manager", TaskState.PENDING)]


def test_an_all_step_reports_each_decision_and_opens_nothing_until_complete(
    make_chain, lead, author, managers, sales_manager, seen
):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=managers[0], review=review, decision="approve")
    assert (seen[-1]["decided"], seen[-1]["opened"], seen[-1]["closed"]) == (
        [("manager", TaskState.APPROVED)],
        [],
        [],
    )
    review_decide(actor=managers[1], review=review, decision="approve")
    assert seen[-1]["opened"] == [("sales_manager", TaskState.PENDING)]
    # and the last approval reports the decision with the review approved as stored
    review_decide(actor=sales_manager, review=review, decision="approve")
    assert (seen[-1]["decided"], seen[-1]["stored"]) == ([("sales_manager", TaskState.APPROVED)], "approved")


def test_a_rejection_closes_the_other_pending_tasks_but_not_the_waiting_ones(
    make_chain, lead, author, managers, sales_manager, seen
):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=managers[0], review=review, decision="reject", comment="No.")
    event = seen[-1]
    assert event["decided"] == [("manager", TaskState.REJECTED)]
    # the sales manager's task was only waiting: nothing of theirs was open
    assert event["closed"] == [("manager2", TaskState.SUPERSEDED)]
    assert (event["because"], event["stored"]) == (TaskCloseReason.REVIEW_REJECTED, "rejected")


def test_a_withdrawal_closes_the_pending_tasks(make_chain, lead, author, managers, sales_manager, seen):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_cancel(actor=author, review=review, reason="Changed.")
    event = seen[-1]
    assert event["closed"] == [("manager", TaskState.SUPERSEDED), ("manager2", TaskState.SUPERSEDED)]
    assert (event["opened"], event["decided"]) == ([], [])
    assert (event["because"], event["stored"]) == (TaskCloseReason.REVIEW_CANCELLED, "cancelled")


def test_a_refused_decision_reports_nothing(make_chain, lead, author, managers, sales_manager, seen):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    before = len(seen)
    with pytest.raises(NotAllowed):
        review_decide(actor=sales_manager, review=review, decision="approve")
    assert len(seen) == before


def test_a_broken_timer_start_refuses_the_decision_and_rolls_everything_back_R_REV_1(
    make_chain, lead, author, managers, sales_manager, monkeypatch
):
    """The approvers' timers are written in the deciding transaction: when opening the next
    step's timer fails, the decision is refused and nothing of it stays (R-REV-1, R-REV-5)."""
    # given a review whose first step (any manager) is pending, the sales manager next
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.SALES_MANAGER},
        ]
    )
    review = review_start(actor=author, subject=lead, kind=KIND)

    def state():
        return (
            list(Review.objects.filter(pk=review.pk).values_list("status", "current_step_order", "version")),
            list(ReviewTask.objects.filter(review=review).order_by("pk").values_list("state", "decided_at")),
            list(Timer.objects.filter(kind=REVIEW_STEP).order_by("pk").values_list("state", "owner_id")),
        )

    before = state()

    def broken(task, *, start):
        raise RuntimeError("the timer could not start")

    monkeypatch.setattr(timers, "start_review_step_timer", broken)
    # when a manager approves, which opens the sales manager's step
    with pytest.raises(RuntimeError):
        review_decide(actor=managers[0], review=review, decision="approve")
    # then the decision, the tasks and the timers are all as they were
    assert state() == before
    assert ReviewTask.objects.get(review=review, approver=managers[0]).state == TaskState.PENDING

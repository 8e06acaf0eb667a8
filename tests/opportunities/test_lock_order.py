"""One lock order for an opportunity and its reviewed initiation, whoever comes first
(R-OPP-2, R-OPP-3, R-REV-5), against the real PostgreSQL row locks, through the API.

Withdrawing the initiation, or closing the opportunity, races the sales manager's approval
of the initiation. The first request to arrive takes its first row lock and holds it until
PostgreSQL shows the other request blocked on a lock (tests/concurrency.py); only then does
it go on. With one lock order (opportunity → initiation → review → tasks, see
opportunities/locks.py) the second simply waits for the first and then finds the new state:
one decision wins and the other is refused with its own 409. With two orders the first
would now wait for a row the blocked one holds: PostgreSQL detects a deadlock and kills one
of them, which these tests see as a database error answered as "conflict", not as the
domain refusal they expect.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from opportunities.choices import CloseReason, InitiationStatus, ProjectRole, Stage
from opportunities.models import Opportunity, ProjectInitiation, ProjectMember, StageChange
from opportunities.services import initiation_save, initiation_submit, initiation_withdraw, opportunity_move
from presales.core.roles import Role
from reviews.choices import ReviewStatus
from reviews.defaults import ensure_default_chains
from reviews.models import Review
from reviews.selectors import reviews_for_subject
from reviews.services import review_cancel, review_decide
from tests.concurrency import PauseAfterFirstLock, assert_lock_order, recorded_row_locks, run_in_threads
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = {
    "background": "500 staff; two production lines to upgrade.",
    "sales_strategy": "Lead with the production-efficiency case.",
    "expected_goals": "Win phase 1.",
}


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


@pytest.fixture
def initiation(team, engineer, sales_rep, sales_manager) -> ProjectInitiation:
    """A request in review, waiting for the sales manager (the only approver)."""
    ensure_default_chains()
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    return initiation_submit(actor=engineer, initiation=initiation)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _approve(sales_manager, review: Review):
    return lambda: _client(sales_manager).post(
        reverse("review-decide", args=[review.pk]), {"decision": "approve", "comment": "Go."}, format="json"
    )


def _withdraw(engineer, opportunity: Opportunity):
    return lambda: _client(engineer).post(
        reverse("opportunity-initiation-withdraw", args=[opportunity.pk]),
        {"reason": "The amount changed."},
        format="json",
    )


def _abandon(engineer, opportunity: Opportunity):
    return lambda: _client(engineer).post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"move": "abandon", "reason": CloseReason.BUDGET},
        format="json",
    )


def _race(first, second) -> tuple:
    """``first`` takes its first row lock and holds it until ``second`` (started only then)
    is blocked on a lock. Returns both responses and whether that blocking was seen."""
    pause = PauseAfterFirstLock()

    def run_first():
        with pause.installed():
            return first()

    def run_second():
        pause.holding.wait(timeout=30)
        return second()

    first_response, second_response = run_in_threads(run_first, run_second)
    return first_response, second_response, pause.waited


def _status(response) -> tuple[int, str | None]:
    """(status, error code) of a response; an exception (a 500 escaping the view) fails."""
    assert not isinstance(response, Exception), repr(response)
    body = response.json()
    return response.status_code, body.get("code") if response.status_code >= 400 else None


def _assert_withdrawn(initiation: ProjectInitiation, review: Review) -> None:
    """The withdrawal won: review cancelled, request a draft, no team, no stage move."""
    review.refresh_from_db()
    initiation.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    assert initiation.status == InitiationStatus.DRAFT
    assert not ProjectMember.objects.filter(opportunity_id=initiation.opportunity_id).exists()
    assert not StageChange.objects.filter(move="start_needs_analysis").exists()


def _assert_approved(initiation: ProjectInitiation, review: Review, engineer, sales_rep) -> None:
    """The approval won: review and request approved, the team formed, needs analysis
    started (R-OPP-2)."""
    review.refresh_from_db()
    initiation.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert initiation.status == InitiationStatus.APPROVED
    assert set(
        ProjectMember.objects.filter(opportunity_id=initiation.opportunity_id).values_list("user", "role")
    ) == {(sales_rep.pk, ProjectRole.SALES_OWNER), (engineer.pk, ProjectRole.PRESALES_OWNER)}
    assert StageChange.objects.filter(
        opportunity_id=initiation.opportunity_id, move="start_needs_analysis"
    ).exists()


# --- withdraw vs approve -----------------------------------------------------------------


def test_withdraw_first_then_approve_waits_and_is_refused_R_REV_5(initiation, engineer, sales_manager):
    """R-REV-5: the author withdraws the request while the sales manager approves it; the
    withdrawal holds the opportunity first: the approval waits, then finds the review
    withdrawn. No deadlock, no 500, and no half-approved request."""
    # given a request in review
    review = reviews_for_subject(initiation).get()
    # when the withdrawal locks first and the approval arrives while it holds the lock
    withdrawn, approved, waited = _race(
        _withdraw(engineer, initiation.opportunity), _approve(sales_manager, review)
    )
    # then the approval really waited, the withdrawal won, the approval got its own refusal
    assert waited == [True]
    assert _status(withdrawn) == (200, None)
    assert _status(approved) == (409, "review_closed")
    _assert_withdrawn(initiation, review)


def test_approve_first_then_withdraw_waits_and_is_refused_R_OPP_2(
    initiation, engineer, sales_rep, sales_manager
):
    """R-OPP-2: the approval locks first; the withdrawal waits, then finds the request
    approved (the team formed) and is refused: there is nothing left to withdraw."""
    review = reviews_for_subject(initiation).get()
    approved, withdrawn, waited = _race(
        _approve(sales_manager, review), _withdraw(engineer, initiation.opportunity)
    )
    assert waited == [True]
    assert _status(approved) == (200, None)
    assert _status(withdrawn) == (409, "gate_refused")
    _assert_approved(initiation, review, engineer, sales_rep)


# --- close vs approve --------------------------------------------------------------------


def test_close_first_then_approve_waits_and_is_refused_R_OPP_3(initiation, engineer, sales_manager):
    """R-OPP-3: the opportunity is abandoned while its initiation is being approved; the
    close locks first and withdraws the pending review: the approval waits, then finds the
    review withdrawn. The opportunity is abandoned and nothing of the approval remains."""
    review = reviews_for_subject(initiation).get()
    closed, approved, waited = _race(
        _abandon(engineer, initiation.opportunity), _approve(sales_manager, review)
    )
    assert waited == [True]
    assert _status(closed) == (200, None)
    assert _status(approved) == (409, "review_closed")
    _assert_withdrawn(initiation, review)
    assert Opportunity.objects.get(pk=initiation.opportunity_id).stage == Stage.ABANDONED


def test_approve_first_then_close_waits_and_closes_after_it_R_OPP_3(
    initiation, engineer, sales_rep, sales_manager
):
    """R-OPP-2, R-OPP-3: the approval locks first; the close waits for it, then closes the
    opportunity from needs analysis (a valid later move): the approval stands whole, team
    formed, and the stage history shows the two moves in that order."""
    review = reviews_for_subject(initiation).get()
    approved, closed, waited = _race(
        _approve(sales_manager, review), _abandon(engineer, initiation.opportunity)
    )
    assert waited == [True]
    assert _status(approved) == (200, None)
    assert _status(closed) == (200, None)
    _assert_approved(initiation, review, engineer, sales_rep)
    moves = list(
        StageChange.objects.filter(opportunity_id=initiation.opportunity_id)
        .order_by("at", "pk")
        .values_list("from_stage", "move")
    )
    assert moves == [(Stage.LEAD_INTAKE, "start_needs_analysis"), (Stage.NEEDS_ANALYSIS, "abandon")]


# --- the order each use case takes its locks in (no threads needed) -----------------------

# opportunities/locks.py: opportunity → initiation → review (→ tasks, written under it) →
# leaves (the SLA timers).
LOCK_ORDER = ["presales_opportunity", "presales_projectinitiation", "reviews_review", "presales_timer"]


def _decide(decision):
    def run(initiation, engineer, sales_manager):
        review_decide(
            actor=sales_manager,
            review=reviews_for_subject(initiation).get(),
            decision=decision,
            comment="Not yet." if decision == "reject" else "",
        )

    return run


USE_CASES = {
    "approve": _decide("approve"),
    "reject": _decide("reject"),
    "withdraw": lambda initiation, engineer, sales_manager: initiation_withdraw(
        actor=engineer, initiation=initiation, reason="The amount changed."
    ),
    "cancel on the review's page": lambda initiation, engineer, sales_manager: review_cancel(
        actor=engineer, review=reviews_for_subject(initiation).get(), reason="The amount changed."
    ),
    "abandon the opportunity": lambda initiation, engineer, sales_manager: opportunity_move(
        actor=engineer, opportunity=initiation.opportunity, move="abandon", reason=CloseReason.BUDGET
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("use_case", USE_CASES)
def test_every_use_case_locks_in_the_one_order_R_REV_5(initiation, engineer, sales_manager, use_case):
    """R-REV-5, R-OPP-3: each use case that touches a reviewed initiation locks the
    opportunity, then the initiation, then the review (then timers): never the review first."""
    # when the use case runs on a request in review
    with recorded_row_locks() as tables:
        USE_CASES[use_case](initiation, engineer, sales_manager)
    # then it reached the review, and first locked each table in the order (re-locking rows
    # it already holds, as the engine's callbacks do, is free)
    assert list(dict.fromkeys(tables))[:3] == LOCK_ORDER[:3], tables
    assert_lock_order(tables, LOCK_ORDER)


@pytest.mark.django_db
def test_submitting_locks_in_the_one_order_R_OPP_2(team, engineer, sales_rep, sales_manager):
    """R-OPP-2: sending the request to review locks the opportunity, then the request; the
    review it starts is new (its uniqueness is the database's), then the timers."""
    ensure_default_chains()
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    with recorded_row_locks() as tables:
        initiation_submit(actor=engineer, initiation=initiation)
    assert list(dict.fromkeys(tables))[:2] == LOCK_ORDER[:2], tables
    assert_lock_order(tables, LOCK_ORDER)

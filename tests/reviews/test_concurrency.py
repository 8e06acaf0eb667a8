"""Two decisions at the same moment yield exactly one winner (R-REV-5: approving twice is
refused), against the real PostgreSQL row locks.

Each thread has its own database connection. The winner's ``on_approved`` callback runs
while it holds the subject's and the review's locks; it waits until PostgreSQL shows the other
connection blocked on a lock (tests/concurrency.py), so the second decision is certainly
concurrent, not merely later. Without the locks the second thread would read the step as
still open and win too.
"""

import pytest

from presales.core.errors import Conflict
from presales.core.roles import Role
from reviews.choices import ReviewStatus, StepMode, TaskState
from reviews.models import Review, ReviewTask
from reviews.services import review_decide, review_start
from tests.concurrency import run_in_threads, wait_until_blocked
from tests.reviews.conftest import KIND

pytestmark = pytest.mark.django_db(transaction=True)


def _race(decisions):
    """Run each (actor, review) approval in its own thread, released together."""
    return run_in_threads(
        *[
            lambda actor=actor, review=review: review_decide(actor=actor, review=review, decision="approve")
            for actor, review in decisions
        ],
        together=True,
    )


def _patch_on_approved(subject_type, func):
    object.__setattr__(subject_type, "on_approved", func)


@pytest.fixture
def waiting_winner(calls, lead_subject_type):
    waited: list[bool] = []
    original = lead_subject_type.on_approved

    def on_approved(**kwargs):
        waited.append(wait_until_blocked())
        original(**kwargs)

    _patch_on_approved(lead_subject_type, on_approved)
    yield waited
    _patch_on_approved(lead_subject_type, original)


def test_two_approvers_of_an_any_step_yield_one_winner(
    make_chain, lead, author, team, make_user, calls, waiting_winner
):
    """R-REV-5: two reviewers approving one ANY step at the same moment: one wins."""
    # given an ANY step with two approvers
    first = make_user(Role.PRESALES_MANAGER, team=team)
    second = make_user(Role.PRESALES_MANAGER, team=team)
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when both approve at once
    outcomes = _race([(first, Review.objects.get(pk=review.pk)), (second, Review.objects.get(pk=review.pk))])
    # then exactly one decision won and the other was refused
    winners = [o for o in outcomes if isinstance(o, Review)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert waiting_winner == [True]  # the loser really was blocked behind the winner's lock
    # and the state is consistent: approved once, one approval, one superseded task
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and review.version == 2
    assert sorted(ReviewTask.objects.filter(review=review).values_list("state", flat=True)) == [
        TaskState.APPROVED,
        TaskState.SUPERSEDED,
    ]
    assert len(calls.approved) == 1


def test_the_same_approver_deciding_twice_at_once_yields_one_decision(
    make_chain, lead, author, manager, calls, waiting_winner
):
    """R-REV-5: a double click (two requests from one approver) records one decision."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    outcomes = _race(
        [(manager, Review.objects.get(pk=review.pk)), (manager, Review.objects.get(pk=review.pk))]
    )
    assert sum(isinstance(o, Review) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    assert waiting_winner == [True]
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and review.version == 2
    assert list(ReviewTask.objects.filter(review=review).values_list("state", flat=True)) == [
        TaskState.APPROVED
    ]
    assert len(calls.approved) == 1

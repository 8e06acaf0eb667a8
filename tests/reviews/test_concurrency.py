"""Two decisions at the same moment yield exactly one winner (R-REV-5: approving twice is
refused), against the real PostgreSQL row locks.

Each thread has its own database connection. The winner's ``on_approved`` callback runs
while it holds the review's lock; it waits until PostgreSQL shows the other connection
blocked on a lock, so the second decision is certainly concurrent, not merely later.
Without the lock the second thread would read the step as still open and win too.
"""

import threading
import time

import pytest
from django.db import connection, connections

from presales.core.errors import Conflict
from presales.core.roles import Role
from reviews.choices import ReviewStatus, StepMode, TaskState
from reviews.models import Review, ReviewTask
from reviews.services import review_decide, review_start
from tests.reviews.conftest import KIND

pytestmark = pytest.mark.django_db(transaction=True)


def _another_connection_waits_for_a_lock(deadline_seconds: float = 30.0) -> bool:
    """Poll pg_stat_activity (this database only) until another backend waits on a lock.

    Inside a transaction PostgreSQL serves the activity view from a snapshot taken at the
    first read; it is cleared before each poll so a later wait is seen."""
    end = time.monotonic() + deadline_seconds
    with connection.cursor() as cursor:
        while time.monotonic() < end:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                  AND pid <> pg_backend_pid()
                """
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


def _race(decisions):
    """Run each (actor, review) approval in its own thread, released together."""
    barrier = threading.Barrier(len(decisions))
    outcomes: list = [None] * len(decisions)

    def run(index, actor, review):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = review_decide(actor=actor, review=review, decision="approve")
        except Exception as exc:  # the loser's refusal is the expected outcome
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *d)) for i, d in enumerate(decisions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


def _patch_on_approved(subject_type, func):
    object.__setattr__(subject_type, "on_approved", func)


@pytest.fixture
def waiting_winner(calls, lead_subject_type):
    waited: list[bool] = []
    original = lead_subject_type.on_approved

    def on_approved(**kwargs):
        waited.append(_another_connection_waits_for_a_lock())
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

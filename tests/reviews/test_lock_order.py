"""The review engine locks a review's subject before the review (R-REV-5; reviews/locks.py).

A subject's own services lock the subject and then withdraw its review; the engine's
decisions call back into the subject. Both must take the rows in one order, subject first,
or a withdrawal and a decision arriving together deadlock. These tests record the row locks
each engine service takes, with the stand-in subject of tests/reviews/conftest.py (a lead,
whose ``lock`` hook locks the lead row); the races themselves, on the real initiation
subject, are in tests/opportunities/test_lock_order.py.
"""

from __future__ import annotations

import pytest

from presales.core.errors import Conflict
from presales.core.roles import Role
from reviews.choices import ReviewStatus
from reviews.services import review_cancel, review_cancel_for_subject, review_decide, review_start
from tests.concurrency import assert_lock_order, recorded_row_locks
from tests.reviews.conftest import KIND

pytestmark = pytest.mark.django_db

ORDER = ["leads_lead", "reviews_review", "presales_timer"]


@pytest.fixture
def review(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    return review_start(actor=author, subject=lead, kind=KIND)


def test_start_locks_the_subject_R_REV_5(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    with recorded_row_locks() as tables:
        review_start(actor=author, subject=lead, kind=KIND)
    assert tables[0] == "leads_lead", tables
    assert_lock_order(tables, ORDER)


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (
            lambda review, author, manager: review_decide(actor=manager, review=review, decision="approve"),
            "approved",
        ),
        (
            lambda review, author, manager: review_decide(
                actor=manager, review=review, decision="reject", comment="Not yet."
            ),
            "rejected",
        ),
        (
            lambda review, author, manager: review_cancel(actor=author, review=review, reason="Changed."),
            "cancelled",
        ),
        (
            lambda review, author, manager: review_cancel_for_subject(
                actor=author, subject=review.subject, reason="Changed."
            ),
            "cancelled",
        ),
    ],
    ids=["approve", "reject", "cancel", "cancel_for_subject"],
)
def test_deciding_and_cancelling_lock_the_subject_then_the_review_R_REV_5(
    review, author, manager, calls, service, expected
):
    # when the engine decides or withdraws the review
    with recorded_row_locks() as tables:
        service(review, author, manager)
    # then it locked the subject first, then the review, never the other way round
    assert tables[:2] == ["leads_lead", "reviews_review"], tables
    assert_lock_order(tables, ORDER)
    review.refresh_from_db()
    assert review.status == expected
    # and the subject's callback ran once, on that subject
    bucket = {"approved": calls.approved, "rejected": calls.rejected, "cancelled": calls.cancelled}[expected]
    assert [entry[0] for entry in bucket] == [review.object_id]


def test_a_review_decided_while_the_subject_lock_was_awaited_is_re_checked_R_REV_5(review, author, manager):
    """The review is locked and re-read after the subject: a decision made meanwhile by
    someone else (here: a cancellation, already committed) is seen, and the late decision
    is refused instead of overwriting it."""
    review_cancel(actor=author, review=review, reason="Changed.")
    stale = review  # the caller's copy still says "in progress"
    assert stale.status == ReviewStatus.IN_PROGRESS
    with pytest.raises(Conflict) as refused:
        review_decide(actor=manager, review=stale, decision="approve")
    assert refused.value.code == "review_closed"

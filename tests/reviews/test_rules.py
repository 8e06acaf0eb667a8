"""The engine's side of R-REV-5 (everyone who wrote or owns a subject) and R-REV-4 (amounts
compared in CNY), on the stand-in lead subject of tests/reviews/conftest.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from presales.core.errors import DomainError, NotAllowed
from presales.core.money import Money
from presales.core.roles import Role
from reviews.choices import StepMode, TaskState
from reviews.models import Review, ReviewTask
from reviews.registry import register_subject_type
from reviews.services import review_decide, review_start
from tests.reviews.conftest import KIND

pytestmark = pytest.mark.django_db


def test_everyone_the_subject_names_is_left_out_and_refused_R_REV_5(
    lead_subject_type, make_chain, lead, author, manager, make_user, team
):
    """R-REV-5: ``authors_of`` names the writers and owners; they get no task, and one who
    joins them after the start (an owner changed) is refused, approve or reject."""
    co_writer = make_user(Role.PRESALES_MANAGER, team=team, username="co_writer")
    owners = {author.pk, co_writer.pk}
    register_subject_type(replace(lead_subject_type, authors_of=lambda subject: set(owners)))
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    assert [t.approver for t in review.tasks.all()] == [manager]
    # when the manager becomes an owner during the review
    owners.add(manager.pk)
    for decision in ("approve", "reject"):
        with pytest.raises(NotAllowed) as exc:
            review_decide(actor=manager, review=review, decision=decision, comment="no")
        assert exc.value.code == "own_subject"
    assert ReviewTask.objects.get(review=review).state == TaskState.PENDING


def test_a_foreign_amount_is_converted_or_refused_without_a_rate_R_REV_4(
    lead_subject_type, make_chain, lead, author, manager, general_manager
):
    """R-REV-4: ``amount_of`` may return Money; the review stores the CNY amount used and
    what it came from; without a rate the start is refused (400) and nothing is written."""
    money = {"value": Money(Decimal("1500"), "USD", Decimal("7.1"), date(2026, 12, 1))}
    register_subject_type(replace(lead_subject_type, amount_of=lambda subject: money["value"]))
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.GENERAL_MANAGER, "mode": StepMode.ANY, "condition_min_amount": 10000},
        ]
    )
    review = review_start(actor=author, subject=lead, kind=KIND)
    assert (review.amount, review.original_amount, review.currency, review.fx_rate_display) == (
        Decimal("10650.00"),
        Decimal("1500"),
        "USD",
        "7.1",
    )
    assert ReviewTask.objects.get(review=review, step_order=2).approver == general_manager
    review.delete()
    money["value"] = Money(Decimal("1500"), "USD")
    with pytest.raises(DomainError) as exc:
        review_start(actor=author, subject=lead, kind=KIND)
    assert (exc.value.status_code, exc.value.code) == (400, "fx_rate_missing")
    assert not Review.objects.exists()
    del manager

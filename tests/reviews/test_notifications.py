"""The engine tells each approver when their step opens, and the author when the review ends
(R-REV-1, R-REV-5), for any subject type: here the stand-in lead subject of conftest.py."""

from __future__ import annotations

import pytest

from presales.core.errors import DomainError
from presales.core.roles import Role
from presales.sla.models import Notification
from reviews.notifications import REVIEW_OUTCOME, REVIEW_WAITING
from reviews.services import review_cancel, review_decide, review_start
from tests.reviews.conftest import KIND

pytestmark = pytest.mark.django_db


def _recipients(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_every_approver_of_each_step_is_told_when_it_opens_R_REV_1(
    make_chain, lead, author, team, make_user, general_manager
):
    # given a chain: two presales managers who must both approve, then the general manager
    a = make_user(Role.PRESALES_MANAGER, team=team, username="a")
    b = make_user(Role.PRESALES_MANAGER, team=team, username="b")
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.GENERAL_MANAGER}])
    # when the author starts the review
    review = review_start(actor=author, subject=lead, kind=KIND)
    # then both approvers of the first step are told, and nobody else yet
    assert _recipients(REVIEW_WAITING) == ["a", "b"]
    # when one approves, the step is not done: nobody new is told
    review_decide(actor=a, review=review, decision="approve")
    assert _recipients(REVIEW_WAITING) == ["a", "b"]
    # when the second approves, the general manager's step opens and he is told
    review_decide(actor=b, review=review, decision="approve")
    assert _recipients(REVIEW_WAITING) == ["a", "b", "gm"]
    assert _recipients(REVIEW_OUTCOME) == []


def test_an_approver_who_opens_the_next_step_is_not_told_of_their_own_act_R_REV_1(
    make_chain, lead, author, team, make_user
):
    # given the same person named on both steps
    boss = make_user(Role.PRESALES_MANAGER, team=team, username="boss")
    make_chain([{"approver_user": boss}, {"approver_user": boss}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when they approve the first step, which opens their second
    review_decide(actor=boss, review=review, decision="approve")
    # then only the first opening was announced to them
    assert Notification.objects.filter(kind=REVIEW_WAITING, recipient=boss).count() == 1


def test_the_author_hears_the_rejection_with_its_comments_R_REV_5(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when the manager rejects it
    review_decide(actor=manager, review=review, decision="reject", comment="Budget unclear.")
    # then the author is told, with the comments; without an edit page, the link is the review form
    [notice] = Notification.objects.filter(kind=REVIEW_OUTCOME)
    assert notice.recipient == author
    assert "Budget unclear." in notice.body
    assert notice.url == review.get_absolute_url()


def test_a_review_withdrawn_by_an_admin_is_told_to_its_author_R_REV_5(
    make_chain, lead, author, manager, make_user
):
    admin = make_user(Role.ADMIN, username="admin")
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_cancel(actor=admin, review=review, reason="Duplicate submission.")
    assert _recipients(REVIEW_OUTCOME) == ["author"]
    assert "Duplicate submission." in Notification.objects.get(kind=REVIEW_OUTCOME).body


def test_a_refused_decision_tells_nobody_R_REV_5(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    before = Notification.objects.count()
    # a rejection without a comment is refused
    with pytest.raises(DomainError):
        review_decide(actor=manager, review=review, decision="reject", comment="")
    assert Notification.objects.count() == before

"""Closing an opportunity races the approval of its solution version (R-OPP-3, R-SOL-5,
R-REV-5) against the real PostgreSQL row locks, through the API: the close hook of proposals
(``opportunities.hooks.register_on_closed``) takes the version's locks after the
opportunity's, as the review engine does (opportunity → version → review), so whoever comes
first the other waits on the opportunity row, then finds the new state; never a deadlock."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from opportunities.choices import CloseReason, Stage
from opportunities.models import Opportunity
from opportunities.services import opportunity_move
from presales.core.roles import Role
from proposals.choices import VersionStatus
from proposals.demos.choices import DemoStatus
from proposals.models import Demo, SolutionVersion
from tests.concurrency import PauseAfterFirstLock, recorded_row_locks, run_in_threads
from tests.factories import OpportunityFactory
from tests.proposals.world import review_of, work_in_progress

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(team, engineer, sales_rep, manager, make_user):
    opportunity = OpportunityFactory(
        team=team, presales_owner=engineer, sales_owner=sales_rep, stage=Stage.DEMO, amount=1_000_000
    )
    writer = make_user(Role.PRESALES_ENGINEER, team=team)
    return work_in_progress(opportunity, engineer=engineer, manager=manager, writer=writer)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _close(user, opportunity):
    return lambda: _client(user).post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"move": "mark_lost", "reason": CloseReason.PRICE},
        format="json",
    )


def _approve(manager, version):
    review = review_of(version)
    return lambda: _client(manager).post(
        reverse("review-decide", args=[review.pk]), {"decision": "approve", "comment": "OK"}, format="json"
    )


def _race(first, second):
    pause = PauseAfterFirstLock()

    def run_first():
        with pause.installed():
            return first()

    def run_second():
        pause.holding.wait(timeout=30)
        return second()

    a, b = run_in_threads(run_first, run_second)
    return a, b, pause.waited


def _status(response):
    assert not isinstance(response, Exception), repr(response)
    return response.status_code, response.json().get("code") if response.status_code >= 400 else None


def test_the_close_locks_the_opportunity_first_then_each_record_before_its_review(world, sales_rep):
    with recorded_row_locks() as tables:
        opportunity_move(
            actor=sales_rep, opportunity=world["opportunity"], move="mark_lost", reason=CloseReason.PRICE
        )
    first = list(dict.fromkeys(tables))
    assert first[0] == "presales_opportunity", tables
    assert first.index("proposals_solutionversion") < first.index("reviews_review"), tables
    assert "proposals_demo" in first and "proposals_trialrequest" in first


def test_close_first_then_the_versions_approval_waits_and_is_refused_R_OPP_3(world, sales_rep, manager):
    closed, approved, waited = _race(
        _close(sales_rep, world["opportunity"]), _approve(manager, world["in_review"])
    )
    assert waited == [True]
    assert _status(closed) == (200, None)
    assert _status(approved) == (409, "review_closed")
    assert SolutionVersion.objects.get(pk=world["in_review"].pk).status == VersionStatus.WITHDRAWN
    assert Opportunity.objects.get(pk=world["opportunity"].pk).stage == Stage.LOST


def test_approval_first_then_the_close_waits_and_closes_after_it_R_SOL_5(world, sales_rep, manager):
    approved, closed, waited = _race(
        _approve(manager, world["in_review"]), _close(sales_rep, world["opportunity"])
    )
    assert waited == [True]
    assert _status(approved) == (200, None)
    assert _status(closed) == (200, None)
    # the approval stands (an approved version is history, not work in progress)
    assert SolutionVersion.objects.get(pk=world["in_review"].pk).status == VersionStatus.APPROVED
    assert Demo.objects.get(pk=world["scheduled"].pk).status == DemoStatus.CANCELLED
    assert Opportunity.objects.get(pk=world["opportunity"].pk).stage == Stage.LOST

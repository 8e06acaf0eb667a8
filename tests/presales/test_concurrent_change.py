"""A request that lost a race for rows in the database answers 409, not 500, in the API and
on the web (R-OPP-3, R-REV-5: a concurrent move or decision is refused, never a crash).

The database errors are real: PostgreSQL raises them with their SQLSTATE from a PL/pgSQL
block, inside the service's transaction, exactly as a deadlock (40P01), a serialization
failure (40001) or a lock not available (55P03) would reach Django. The interleavings that
really cause them are in tests/opportunities/test_lock_order.py. Any other database error
still fails loudly.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from opportunities import views as opportunity_views
from opportunities.api import views as opportunity_api_views
from opportunities.choices import CloseReason, Stage
from opportunities.models import Opportunity, StageChange
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

CONCURRENT_CHANGE = ["40P01", "40001", "55P03"]  # deadlock, serialization, lock not available
OTHER = "57014"  # query_canceled: an OperationalError too, but not a lost race
MESSAGE = "Someone else changed this record at the same time; reload and try again."


def _service_failing_with(sqlstate: str):
    """A stand-in for ``opportunity_move`` whose transaction the database refuses with
    ``sqlstate`` (a constant of this module, never user input)."""

    def service(**kwargs):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DO $$ BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '{sqlstate}'; END $$"
            )

    return service


@pytest.fixture
def opportunity(team, engineer):
    return OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.SOLUTION)


def _api_abandon(client_for, engineer, opportunity):
    return client_for(engineer).post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"move": "abandon", "reason": CloseReason.BUDGET},
        format="json",
    )


@pytest.mark.parametrize("sqlstate", CONCURRENT_CHANGE)
def test_api_answers_a_lost_race_with_409_conflict(monkeypatch, client_for, engineer, opportunity, sqlstate):
    """The error contract, code "conflict", and nothing saved."""
    # given the database refuses the move's transaction as a lost race
    monkeypatch.setattr(opportunity_api_views, "opportunity_move", _service_failing_with(sqlstate))
    # when the move is posted
    response = _api_abandon(client_for, engineer, opportunity)
    # then 409 with the error contract, and the opportunity did not move
    assert response.status_code == 409
    assert response.json() == {"code": "conflict", "message": MESSAGE, "fields": {}}
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.SOLUTION


def test_api_does_not_swallow_other_database_errors(monkeypatch, client_for, engineer, opportunity):
    monkeypatch.setattr(opportunity_api_views, "opportunity_move", _service_failing_with(OTHER))
    with pytest.raises(OperationalError):
        _api_abandon(client_for, engineer, opportunity)


def test_api_move_without_a_race_still_works(client_for, engineer, opportunity):
    """The mapping changes nothing for a move that does not race (the real service runs)."""
    response = _api_abandon(client_for, engineer, opportunity)
    assert response.status_code == 200, response.content
    assert StageChange.objects.filter(opportunity=opportunity, move="abandon").count() == 1


def _web_abandon(client, opportunity, **headers):
    return client.post(
        reverse("opportunities:move", args=[opportunity.pk, "abandon"]),
        {"reason": CloseReason.BUDGET},
        headers=headers,
    )


@pytest.mark.parametrize("sqlstate", CONCURRENT_CHANGE)
def test_web_answers_a_lost_race_with_a_409_page(monkeypatch, client, engineer, opportunity, sqlstate):
    # given the database refuses the move's transaction as a lost race
    monkeypatch.setattr(opportunity_views, "opportunity_move", _service_failing_with(sqlstate))
    client.force_login(engineer)
    # when the move form is posted (coming from the opportunity's page)
    page = f"http://testserver{opportunity.get_absolute_url()}"
    response = _web_abandon(client, opportunity, referer=page)
    # then a friendly 409 page says what happened and leads back to that page
    assert response.status_code == 409
    assert response.templates[0].name == "409.html"
    content = response.content.decode()
    assert MESSAGE in content and "Nothing was saved." in content
    assert f'href="{page}"' in content
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.SOLUTION


def test_web_409_page_never_links_to_another_site(monkeypatch, client, engineer, opportunity):
    monkeypatch.setattr(opportunity_views, "opportunity_move", _service_failing_with("40P01"))
    client.force_login(engineer)
    response = _web_abandon(client, opportunity, referer="https://evil.example/phish")
    assert response.status_code == 409
    assert "evil.example" not in response.content.decode()


def test_web_htmx_request_gets_a_message_and_a_refresh(monkeypatch, client, engineer, opportunity):
    """htmx swaps no 4xx answer: the page reloads instead and shows the message."""
    monkeypatch.setattr(opportunity_views, "opportunity_move", _service_failing_with("40P01"))
    client.force_login(engineer)
    response = _web_abandon(client, opportunity, hx_request="true")
    assert response.status_code == 409
    assert response.headers["HX-Refresh"] == "true"
    shown = client.get(opportunity.get_absolute_url())
    assert MESSAGE in [str(m) for m in shown.context["messages"]]


def test_web_does_not_swallow_other_database_errors(monkeypatch, client, engineer, opportunity):
    monkeypatch.setattr(opportunity_views, "opportunity_move", _service_failing_with(OTHER))
    client.force_login(engineer)
    with pytest.raises(OperationalError):
        _web_abandon(client, opportunity)

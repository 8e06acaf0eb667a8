"""R-COMP-1 through /api/v1/: the opportunity API's ``competitors`` list of names still
works on write and read (names become records) with the nested ``competitors_in_play``;
competitor records are read by all staff and written by managers; the competitors in play
are seen and worked by who sees and works the opportunity (another team: 404); bad input 400."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.choices import CloseReason
from opportunities.competitors import services
from opportunities.models import Competitor, OpportunityCompetitor
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_r_comp_1_the_opportunity_api_still_takes_competitors_as_names(client_for, engineer, team):
    # given a customer and a known competitor
    customer = CustomerFactory(team=team, owner=engineer)
    known = services.competitor_resolve(actor=engineer, name="Acme")
    client = client_for(engineer)
    # when an opportunity is created with names
    response = client.post(
        reverse("opportunity-list"),
        {"customer": customer.pk, "title": "MES", "competitors": ["华为", "acme"]},
        format="json",
    )
    # then the names are records in play, read back as names and as nested records
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["competitors"] == ["华为", "Acme"]
    assert [c["competitor_name"] for c in body["competitors_in_play"]] == ["华为", "Acme"]
    assert body["competitors_in_play"][1]["competitor"] == known.pk
    # and a PATCH with a new list changes what is in play
    response = client.patch(
        reverse("opportunity-detail", args=[body["id"]]), {"competitors": ["华为"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["competitors"] == ["华为"]
    assert [c["competitor_name"] for c in response.json()["competitors_in_play"]] == ["华为"]
    assert Competitor.objects.count() == 2


def test_r_comp_1_closing_lost_through_the_api_links_the_winner(client_for, engineer, opportunity):
    response = client_for(engineer).post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"move": "mark_lost", "reason": CloseReason.PRICE, "winning_competitor": "华为"},
        format="json",
    )
    assert response.status_code == 200
    opportunity.refresh_from_db()
    assert opportunity.winner.name == "华为"


def test_r_comp_1_competitor_records_are_read_by_all_staff_and_written_by_managers(
    client_for, engineer, manager, other_engineer, general_manager, no_role_user
):
    # given a competitor
    acme = services.competitor_create(actor=manager, data={"name": "Acme"})
    url = reverse("competitor-detail", args=[acme.pk])
    # then every member of staff reads it, a user without a role or anonymous does not
    for user in (engineer, other_engineer, general_manager, manager):
        assert client_for(user).get(url).status_code == 200
    assert client_for(no_role_user).get(url).status_code == 403
    assert client_for(None).get(url).status_code in (401, 403)
    # and only managers (and admins) create or change records
    assert (
        client_for(engineer).post(reverse("competitor-list"), {"name": "Beta"}, format="json").status_code
        == 403
    )
    assert client_for(engineer).patch(url, {"notes": "x"}, format="json").status_code == 403
    response = client_for(general_manager).post(
        reverse("competitor-list"), {"name": "Beta", "website": "https://beta.example"}, format="json"
    )
    assert response.status_code == 201
    response = client_for(manager).patch(
        url, {"strengths": "Price"}, headers={"If-Match": 'W/"1"'}, format="json"
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    # a stale write is 409
    response = client_for(manager).patch(
        url, {"strengths": "x"}, headers={"If-Match": 'W/"1"'}, format="json"
    )
    assert response.status_code == 409


def test_r_comp_1_competitor_bad_input_is_400(client_for, manager):
    services.competitor_create(actor=manager, data={"name": "Acme"})
    client = client_for(manager)
    for body in (
        {"name": "ACME"},
        {"name": ""},
        {"name": "X", "website": "not a url"},
        {"name": "Y", "stage": "x"},
    ):
        response = client.post(reverse("competitor-list"), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["fields"]


def test_r_comp_1_list_search_and_intel_sub_resource(client_for, engineer, manager, opportunity):
    acme = services.competitor_create(actor=manager, data={"name": "Acme Systems"})
    services.competitor_create(actor=manager, data={"name": "华为技术"})
    client = client_for(engineer)
    # search by part of the name
    assert [c["name"] for c in client.get(reverse("competitor-list"), {"q": "华为"}).json()["results"]] == [
        "华为技术"
    ]
    # record intelligence, then read the timeline
    url = reverse("competitor-intel", args=[acme.pk])
    today = timezone.localdate().isoformat()
    response = client.post(
        url,
        {
            "text": "30% discount",
            "source": "Customer CIO",
            "observed_on": today,
            "opportunity": opportunity.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert client.post(url, {"text": "x"}, format="json").status_code == 400  # source and day required
    timeline = client.get(url).json()
    assert [(i["text"], i["source"], i["opportunity"]) for i in timeline] == [
        ("30% discount", "Customer CIO", opportunity.pk)
    ]


def test_r_comp_1_competitors_in_play_are_scoped_to_the_opportunity(
    client_for, engineer, other_engineer, general_manager, opportunity
):
    # given a competitor in play on the engineer's opportunity
    link = services.opportunity_competitor_add(
        actor=engineer, opportunity=opportunity, name="Acme", data={"offer": "Cloud", "price": "100.50"}
    )
    url = reverse("opportunity-competitor-detail", args=[link.pk])
    # then the team and all-scope roles see it, another team's engineer gets 404 and an empty list
    body = client_for(engineer).get(url).json()
    assert (body["competitor_name"], body["price"], body["currency"]) == (
        "Acme",
        "100.50",
        opportunity.currency,
    )
    assert client_for(general_manager).get(url).status_code == 200
    assert client_for(other_engineer).get(url).status_code == 404
    assert client_for(other_engineer).get(reverse("opportunity-competitor-list")).json()["results"] == []
    assert client_for(other_engineer).patch(url, {"offer": "x"}, format="json").status_code == 404
    assert client_for(other_engineer).delete(url).status_code == 404
    # nor may they add one to it (the opportunity does not exist for them)
    response = client_for(other_engineer).post(
        reverse("opportunity-competitor-list"), {"opportunity": opportunity.pk, "name": "Beta"}, format="json"
    )
    assert response.status_code == 400 and "opportunity" in response.json()["fields"]


def test_r_comp_1_competitors_in_play_through_the_api(client_for, engineer, opportunity):
    client = client_for(engineer)
    acme = services.competitor_resolve(actor=engineer, name="Acme")
    # add by id and by name
    response = client.post(
        reverse("opportunity-competitor-list"),
        {
            "opportunity": opportunity.pk,
            "competitor": acme.pk,
            "price": "10",
            "differentiators": "Local support",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        reverse("opportunity-competitor-list"), {"opportunity": opportunity.pk, "name": "华为"}, format="json"
    )
    assert response.status_code == 201
    opportunity.refresh_from_db()
    assert opportunity.competitors == ["Acme", "华为"]
    link = response.json()["id"]
    # bad input: negative price, no competitor, the same one twice, an unknown key
    for body in (
        {"opportunity": opportunity.pk, "name": "X", "price": "-5"},
        {"opportunity": opportunity.pk},
        {"opportunity": opportunity.pk, "competitor": acme.pk},
        {"opportunity": opportunity.pk, "name": "Y", "winner": True},
    ):
        assert client.post(reverse("opportunity-competitor-list"), body, format="json").status_code == 400, (
            body
        )
    # change and remove
    url = reverse("opportunity-competitor-detail", args=[link])
    assert client.patch(url, {"in_play": False}, format="json").json()["in_play"] is False
    opportunity.refresh_from_db()
    assert opportunity.competitors == ["Acme"]
    assert client.delete(url).status_code == 204
    assert not OpportunityCompetitor.objects.filter(pk=link).exists()
    assert (
        client.get(reverse("opportunity-competitor-list"), {"opportunity": opportunity.pk}).json()["results"][
            0
        ]["competitor"]
        == acme.pk
    )

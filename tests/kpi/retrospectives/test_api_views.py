"""Retrospectives' API and pages (R-POST-2): the hold gate refused through the API (409 with
the reasons) and the web form (the reasons on the form), no status change by PATCH, scoped
lists and 404 outside, the filters the scorecards link with, the desk tab, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpi.models import Retrospective
from kpi.retrospectives import services
from kpi.retrospectives.selectors import retrospectives_url
from tests.kpi.retrospectives.conftest import accept
from tests.kpi.retrospectives.factories import retrospectives

pytestmark = pytest.mark.django_db


def _detail(retro):
    return reverse("retrospective-detail", args=[retro.pk])


def test_r_post_2_api_hold_without_presales_is_409_with_reasons(client_for, lost, sales_rep):
    client = client_for(sales_rep)
    # given the minutes written through PATCH, sales only attending
    response = client.patch(
        _detail(lost), {"lessons": "Earlier price talk", "attendees": [sales_rep.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["attendees"] == [sales_rep.pk]
    # when held through the API
    response = client.post(reverse("retrospective-hold", args=[lost.pk]), {}, format="json")
    # then 409 with the presales reason; nothing changed
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "gate_refused" and any("Presales" in r for r in body["reasons"])
    lost.refresh_from_db()
    assert lost.status == "due"


def test_r_post_2_api_hold_with_presales_succeeds(client_for, lost, sales_rep, engineer):
    client = client_for(sales_rep)
    client.patch(_detail(lost), {"lessons": "x", "attendees": [engineer.pk]}, format="json")
    response = client.post(
        reverse("retrospective-hold", args=[lost.pk]), {"held_on": str(timezone.localdate())}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "held"


def test_r_post_2_api_status_and_outcome_are_not_writable(client_for, lost, sales_rep):
    response = client_for(sales_rep).patch(_detail(lost), {"status": "held", "outcome": "won"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {"status", "outcome"}
    lost.refresh_from_db()
    assert lost.status == "due" and lost.outcome == "lost"


def test_r_post_2_api_stale_version_is_409(client_for, lost, sales_rep):
    client = client_for(sales_rep)
    client.patch(_detail(lost), {"lessons": "a"}, format="json")
    response = client.patch(_detail(lost), {"lessons": "b"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 409 and response.json()["code"] == "stale"


@pytest.mark.parametrize(("who", "expected"), [(None, 401), ("no_role_user", 403), ("other_engineer", 404)])
def test_r_post_2_api_outside_scope(request, client_for, lost, who, expected):
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    assert client.get(_detail(lost)).status_code == expected
    assert (
        client.post(reverse("retrospective-hold", args=[lost.pk]), {}, format="json").status_code == expected
    )


def test_r_post_2_api_list_is_scoped_and_filtered(client_for, lost, engineer, other_engineer):
    url = reverse("retrospective-list")
    assert [r["id"] for r in client_for(engineer).get(url).json()["results"]] == [lost.pk]
    assert client_for(other_engineer).get(url).json()["results"] == []
    # the scorecard's filters: presales owner and closing dates (until exclusive)
    today = timezone.localdate()
    response = client_for(engineer).get(
        url, {"presales_owner": engineer.pk, "closed_from": str(today), "closed_until": str(today)}
    )
    assert response.json()["results"] == []
    response = client_for(engineer).get(url, {"outcome": "lost", "status": "due", "period": str(today.year)})
    assert [r["id"] for r in response.json()["results"]] == [lost.pk]
    assert client_for(engineer).get(url, {"period": "2026-Q9"}).status_code == 400


def test_r_post_2_api_consent(client_for, won, opportunity, sales_rep):
    accept(won, sales_rep)
    retro = Retrospective.objects.get(opportunity=opportunity)
    url = reverse("retrospective-consent", args=[retro.pk])
    client = client_for(sales_rep)
    assert client.post(url, {"consent": "given"}, format="json").status_code == 400
    response = client.post(url, {"consent": "given", "summary": "Case", "note": "by mail"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["customer_consent"] == "given"
    assert client.post(url, {"consent": "perhaps"}, format="json").status_code == 400


def test_r_post_2_web_hold_form_shows_the_refusal(client, lost, sales_rep):
    # given a retrospective with the lessons but no presales attendee
    services.retrospective_update(
        actor=sales_rep, retrospective=lost, data={"lessons": "x"}, attendees=[sales_rep]
    )
    client.force_login(sales_rep)
    url = reverse("kpi:retrospectives:hold", args=[lost.pk])
    # the form shows why it cannot be held yet
    page = client.get(url)
    assert page.status_code == 200 and b"blocked-reasons" in page.content
    # when it is posted anyway, then the refusal is on the form and nothing changed
    response = client.post(url, {"held_on": str(timezone.localdate())})
    assert response.status_code == 200
    assert "Presales attends" in response.content.decode()
    lost.refresh_from_db()
    assert lost.status == "due"


def test_r_post_2_web_edit_then_hold(client, lost, sales_rep, engineer):
    client.force_login(sales_rep)
    response = client.post(
        reverse("kpi:retrospectives:edit", args=[lost.pk]),
        {
            "close_reason": "price",
            "reasons": "Too expensive",
            "competitor_name": "ACME",
            "went_well": "Demo",
            "lessons": "Qualify budget",
            "improvements": "Earlier pricing",
            "attendees": [engineer.pk, sales_rep.pk],
            "other_attendees": "客戶 IT",
            "version": lost.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        reverse("kpi:retrospectives:hold", args=[lost.pk]), {"held_on": str(timezone.localdate())}
    )
    assert response.status_code == 302
    lost.refresh_from_db()
    assert lost.status == "held" and set(lost.attendees.values_list("pk", flat=True)) == {
        engineer.pk,
        sales_rep.pk,
    }


def test_r_post_2_web_forms_outside_scope_are_404(client, lost, other_engineer):
    client.force_login(other_engineer)
    assert client.get(reverse("kpi:retrospectives:edit", args=[lost.pk])).status_code == 404


def test_r_post_2_desk_tab_and_list_page(client, lost, engineer, other_engineer, opportunity):
    client.force_login(engineer)
    page = client.get(reverse("opportunities:detail", args=[opportunity.pk]))
    assert page.status_code == 200 and b'data-testid="desk-retrospective"' in page.content
    assert b"retro-hold-reasons" in page.content
    listing = client.get(retrospectives_url(presales_owner=engineer.pk))
    assert listing.status_code == 200 and opportunity.title.encode() in listing.content
    client.force_login(other_engineer)
    assert opportunity.title.encode() not in client.get(reverse("kpi:retrospectives:list")).content
    assert client.get(reverse("kpi:retrospectives:list"), {"period": "bad"}).status_code == 200


def test_r_post_2_api_list_queries_do_not_grow(client_for, admin_user_with_role, team):
    client = client_for(admin_user_with_role)
    retrospectives(admin_user_with_role, team, 2)
    url = reverse("retrospective-list")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    retrospectives(admin_user_with_role, team, 10)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


@pytest.fixture
def admin_user_with_role(make_user, team):
    return make_user("admin", team=team, username="admin")

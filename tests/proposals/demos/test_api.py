"""/api/v1/demos/ and /api/v1/trial-requests/ (R-DEMO-1..3, R-SOL-5): the permission matrix,
the status never written by PUT/PATCH, gates as 409 with reasons, the .ics download."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from proposals.choices import VersionStatus
from proposals.demos.defaults import ensure_trial_chain
from proposals.models import Demo
from reviews.models import Review
from reviews.services import review_decide
from tests.factories import ContactFactory
from tests.proposals.demos.factories import (
    DemoFactory,
    SolutionFactory,
    SolutionVersionFactory,
    TrialRequestFactory,
    trial_data,
)

pytestmark = pytest.mark.django_db

STARTS = "2030-03-05T10:00:00+08:00"


def _body(opportunity, version, contacts, requirement, engineer, **extra):
    return {
        "opportunity": opportunity.pk,
        "solution_version": version.pk,
        "title": "節能方案演示",
        "starts_at": STARTS,
        "location": "客戶會議室",
        "our_attendees": [engineer.pk],
        "customer_attendees": [c.pk for c in contacts],
        "agenda_items": [{"text": "能耗監測看板", "requirements": [requirement.pk]}],
        **extra,
    }


@pytest.fixture
def api(client_for, engineer):
    return client_for(engineer)


@pytest.fixture
def demo_id(api, opportunity, version, contacts, requirement, engineer):
    response = api.post(
        "/api/v1/demos/", _body(opportunity, version, contacts, requirement, engineer), format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_r_demo_1_create_via_api(api, demo_id, requirement, contacts):
    data = api.get(f"/api/v1/demos/{demo_id}/").json()
    assert data["status"] == "draft" and data["duration_minutes"] == 60
    assert data["agenda"] == [{"text": "能耗監測看板", "requirements": [requirement.pk]}]
    assert [i["kind"] for i in data["checklist"]] == ["devices", "materials", "slides", "manual"]
    assert data["starts_at"].startswith("2030-03-05T10:00:00+08:00")
    assert sorted(data["attendee_keys"])[0].startswith("contact-")


@pytest.mark.parametrize("status", [VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.REJECTED])
def test_r_sol_5_api_refuses_unapproved_version(api, opportunity, contacts, requirement, engineer, status):
    """R-SOL-5 through the API: 400 on solution_version, nothing created."""
    version = SolutionVersionFactory(solution=SolutionFactory(opportunity=opportunity), status=status)
    response = api.post(
        "/api/v1/demos/", _body(opportunity, version, contacts, requirement, engineer), format="json"
    )
    assert response.status_code == 400
    assert "solution_version" in response.json()["fields"]
    assert not Demo.objects.exists()


def test_r_sol_5_patch_cannot_switch_to_unapproved_version(api, demo_id, opportunity):
    draft = SolutionVersionFactory(
        solution=SolutionFactory(opportunity=opportunity), status=VersionStatus.DRAFT
    )
    response = api.patch(f"/api/v1/demos/{demo_id}/", {"solution_version": draft.pk}, format="json")
    assert response.status_code == 400 and "solution_version" in response.json()["fields"]


@pytest.mark.parametrize("method", ["patch", "put"])
def test_r_demo_1_status_not_written_by_put_or_patch(api, demo_id, method, version):
    body = {"status": "done", "title": "x", "solution_version": version.pk, "starts_at": STARTS}
    response = getattr(api, method)(f"/api/v1/demos/{demo_id}/", body, format="json")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    assert Demo.objects.get(pk=demo_id).status == "draft"


def test_r_demo_1_moves_checklist_feedback_via_api(api, demo_id):
    response = api.post(f"/api/v1/demos/{demo_id}/move/", {"move": "schedule"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "scheduled"
    options = {o["move"]: o for o in api.get(f"/api/v1/demos/{demo_id}/moves/").json()}
    assert not options["start"]["allowed"] and options["start"]["reasons"]
    response = api.post(f"/api/v1/demos/{demo_id}/move/", {"move": "start"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "gate_refused" and "checklist" in response.json()["reasons"][0]
    for item in api.get(f"/api/v1/demos/{demo_id}/").json()["checklist"]:
        r = api.post(f"/api/v1/demos/{demo_id}/checklist/", {"item": item["id"], "done": True}, format="json")
        assert r.status_code == 200
    assert api.post(f"/api/v1/demos/{demo_id}/move/", {"move": "start"}, format="json").status_code == 200
    # started: no more edits, no checklist changes
    assert api.patch(f"/api/v1/demos/{demo_id}/", {"title": "y"}, format="json").status_code == 400
    assert api.post(f"/api/v1/demos/{demo_id}/move/", {"move": "finish"}, format="json").status_code == 200
    response = api.post(f"/api/v1/demos/{demo_id}/feedback/", {"questions": "?"}, format="json")
    assert response.status_code == 400 and set(response.json()["fields"]) == {"outcome", "next_step"}
    response = api.post(
        f"/api/v1/demos/{demo_id}/feedback/",
        {"outcome": "positive", "next_step": "報價", "next_step_date": "2030-03-10", "objections": "價格"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["feedback_at"]


def test_r_demo_1_cancel_needs_reason_via_api(api, demo_id):
    response = api.post(f"/api/v1/demos/{demo_id}/move/", {"move": "cancel"}, format="json")
    assert response.status_code == 409
    response = api.post(f"/api/v1/demos/{demo_id}/move/", {"move": "cancel", "reason": "改期"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_r_demo_1_ics_download_via_api(api, demo_id, contacts):
    response = api.get(f"/api/v1/demos/{demo_id}/ics/contact-{contacts[0].pk}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    event = cal.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2030, 3, 5, 2, 0, tzinfo=UTC)
    stranger = ContactFactory()
    assert api.get(f"/api/v1/demos/{demo_id}/ics/contact-{stranger.pk}/").status_code == 404


def test_r_demo_1_permission_matrix(client_for, demo_id, other_engineer, no_role_user, sales_rep, contacts):
    """Another team's engineer: 404 everywhere (never told it exists); no role: 403; a sales
    rep of the team reads it."""
    other = client_for(other_engineer)
    for url in (
        f"/api/v1/demos/{demo_id}/",
        f"/api/v1/demos/{demo_id}/moves/",
        f"/api/v1/demos/{demo_id}/ics/contact-{contacts[0].pk}/",
    ):
        assert other.get(url).status_code == 404, url
    assert (
        other.post(f"/api/v1/demos/{demo_id}/move/", {"move": "schedule"}, format="json").status_code == 404
    )
    assert other.patch(f"/api/v1/demos/{demo_id}/", {"title": "x"}, format="json").status_code == 404
    assert other.get("/api/v1/demos/").json()["results"] == []
    assert client_for(no_role_user).get("/api/v1/demos/").status_code == 403
    assert client_for(None).get("/api/v1/demos/").status_code in (401, 403)
    assert client_for(sales_rep).get(f"/api/v1/demos/{demo_id}/").status_code == 200


def test_r_demo_1_other_teams_opportunity_and_contacts_refused_on_create(
    client_for, other_engineer, opportunity, version, contacts, requirement, engineer
):
    response = client_for(other_engineer).post(
        "/api/v1/demos/", _body(opportunity, version, contacts, requirement, engineer), format="json"
    )
    assert response.status_code == 400
    assert {"opportunity", "solution_version", "customer_attendees"} <= set(response.json()["fields"])


def test_r_demo_1_list_filters_and_constant_queries(api, engineer, team, opportunity):
    DemoFactory(team=team, owner=engineer, opportunity=opportunity)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/demos/", {"status": "draft", "opportunity": opportunity.pk})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count()  # warms per-process caches
    few = count()
    for _ in range(6):
        demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
        demo.our_attendees.add(engineer)
    assert count() == few
    assert len(api.get("/api/v1/demos/", {"status": "done"}).json()["results"]) == 0
    page = api.get("/api/v1/demos/", {"page_size": 3}).json()
    assert len(page["results"]) == 3 and page["next"]


# --- trial requests ---------------------------------------------------------------------------


def test_r_demo_3_trial_lifecycle_via_api(api, client_for, opportunity, manager):
    ensure_trial_chain()
    body = {**trial_data(), "opportunity": opportunity.pk}
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items()}
    response = api.post("/api/v1/trial-requests/", body, format="json")
    assert response.status_code == 201, response.content
    trial_id = response.json()["id"]
    assert (
        api.patch(f"/api/v1/trial-requests/{trial_id}/", {"status": "approved"}, format="json").status_code
        == 400
    )
    assert api.post(f"/api/v1/trial-requests/{trial_id}/returned/", {}, format="json").status_code == 409
    response = api.post(f"/api/v1/trial-requests/{trial_id}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "in_review"
    review_decide(actor=manager, review=Review.objects.get(kind="trial"), decision="approve")
    response = api.post(f"/api/v1/trial-requests/{trial_id}/returned/", {"reason": "完好"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert response.json()["return_note"] == "完好"


def test_r_demo_3_trial_bad_dates_are_400(api, opportunity):
    body = {
        "opportunity": opportunity.pk,
        "kind": "poc",
        "items": "x",
        "period_start": "2030-01-10",
        "period_end": "2030-01-01",
        "return_date": "2030-01-20",
    }
    response = api.post("/api/v1/trial-requests/", body, format="json")
    assert response.status_code == 400 and "period_end" in response.json()["fields"]


def test_r_demo_3_trial_permission_matrix(client_for, other_engineer, engineer, team, opportunity):
    trial = TrialRequestFactory(team=team, owner=engineer, opportunity=opportunity)
    other = client_for(other_engineer)
    assert other.get(f"/api/v1/trial-requests/{trial.pk}/").status_code == 404
    assert other.post(f"/api/v1/trial-requests/{trial.pk}/submit/").status_code == 404
    assert client_for(engineer).get(f"/api/v1/trial-requests/{trial.pk}/").status_code == 200

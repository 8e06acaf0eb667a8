"""Training's API and pages (R-KPI-1): the permission matrix (an engineer their own, a manager
their team's, another team 404), validation 400s, the records' list filtered by person and
dates for the scorecards, my training and the team page, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpi.models import TrainingRecord
from kpi.periods import Period
from kpi.training import services
from kpi.training.selectors import training_records_url
from tests.kpi.training.factories import training_records

pytestmark = pytest.mark.django_db

LIST = "training-record-list"


def _payload(**overrides):
    data = {
        "direction": "taken",
        "course": "ITIL",
        "held_on": str(timezone.localdate() - timedelta(days=1)),
        "hours": "6.0",
        "result": "exam",
        "exam_score": "88.0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def record(engineer):
    return services.training_record_create(
        actor=engineer,
        data={
            "course": "Go",
            "held_on": timezone.localdate() - timedelta(days=2),
            "hours": 3,
            "result": "reflection",
            "reflection": "Useful",
        },
    )


def test_r_kpi_1_api_engineer_creates_their_own(client_for, engineer):
    response = client_for(engineer).post(reverse(LIST), _payload(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["person"] == engineer.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"exam_score": None}, "exam_score"),
        ({"exam_score": "100.5"}, "exam_score"),
        ({"result": "reflection", "exam_score": None}, "reflection"),
        ({"hours": "0.2"}, "hours"),
        ({"hours": "600"}, "hours"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"plan": 999999}, "plan"),
        ({"status": "x"}, "status"),
    ],
)
def test_r_kpi_1_api_validation_is_400(client_for, engineer, overrides, field):
    response = client_for(engineer).post(reverse(LIST), _payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert TrainingRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("no_role_user", 403),
        ("engineer", 200),
        ("teammate", 404),
        ("manager", 200),
        ("other_engineer", 404),
        ("admin", 200),
        ("general_manager", 200),
    ],
)
def test_r_kpi_1_api_read_matrix(request, client_for, record, who, status):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(reverse("training-record-detail", args=[record.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("engineer", 200), ("manager", 200), ("teammate", 404), ("other_engineer", 404)]
)
def test_r_kpi_1_api_edit_matrix(request, client_for, record, who, status):
    user = request.getfixturevalue(who)
    response = client_for(user).patch(
        reverse("training-record-detail", args=[record.pk]), {"hours": "4.0"}, format="json"
    )
    assert response.status_code == status, response.content


def test_r_kpi_1_api_manager_records_for_the_team_only(client_for, manager, teammate, other_engineer):
    client = client_for(manager)
    assert client.post(reverse(LIST), _payload(person=teammate.pk), format="json").status_code == 201
    response = client.post(reverse(LIST), _payload(person=other_engineer.pk), format="json")
    assert response.status_code == 400 and "person" in response.json()["fields"]


def test_r_kpi_1_api_lists_filter_by_person_and_dates(client_for, record, engineer, manager, teammate):
    services.training_record_create(
        actor=manager, data={"person": teammate, "course": "K8s", "held_on": timezone.localdate(), "hours": 1}
    )
    client = client_for(manager)
    everyone = client.get(reverse(LIST)).json()["results"]
    assert len(everyone) == 2
    day = record.held_on
    response = client.get(
        reverse(LIST),
        {"person": engineer.pk, "held_from": str(day), "held_until": str(day + timedelta(days=1))},
    )
    assert [r["id"] for r in response.json()["results"]] == [record.pk]
    response = client.get(reverse(LIST), {"person": engineer.pk, "held_until": str(day)})
    assert response.json()["results"] == []
    assert client.get(reverse(LIST), {"direction": "given"}).json()["results"] == []
    assert client.get(reverse(LIST), {"held_from": "not-a-date"}).status_code == 400
    assert client_for(engineer).get(reverse(LIST)).json()["results"][0]["id"] == record.pk


def test_r_kpi_1_api_plans(client_for, engineer, other_engineer):
    url = reverse("training-plan-list")
    response = client_for(engineer).post(
        url, {"year": 2026, "title": "Cloud", "planned_hours": "40.0"}, format="json"
    )
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    assert client_for(other_engineer).get(reverse("training-plan-detail", args=[plan_id])).status_code == 404
    assert [p["id"] for p in client_for(engineer).get(url, {"year": 2026}).json()["results"]] == [plan_id]
    response = client_for(engineer).post(
        url, {"year": 1999, "title": "x", "planned_hours": "1"}, format="json"
    )
    assert response.status_code == 400


def test_r_kpi_1_web_records_list_accepts_the_scorecard_link(client, record, engineer, other_engineer):
    client.force_login(engineer)
    page = client.get(training_records_url(engineer.pk, Period.containing(record.held_on)))
    assert page.status_code == 200 and b"Go" in page.content
    client.force_login(other_engineer)
    page = client.get(training_records_url(engineer.pk, Period.containing(record.held_on)))
    assert page.status_code == 200 and b">Go<" not in page.content


def test_r_kpi_1_web_my_training_shows_plan_against_actual(client, engineer):
    year = timezone.localdate().year
    services.training_plan_create(actor=engineer, data={"year": year, "title": "Cloud", "planned_hours": 40})
    client.force_login(engineer)
    page = client.get(reverse("kpi:training:mine"))
    assert page.status_code == 200
    assert b'data-testid="planned-hours">40.0<' in page.content


def test_r_kpi_1_web_team_page_for_managers_only(client, manager, engineer, record):
    client.force_login(engineer)
    assert client.get(reverse("kpi:training:team")).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("kpi:training:team"), {"year": record.held_on.year})
    assert page.status_code == 200 and str(engineer).encode() in page.content


def test_r_kpi_1_web_create_and_edit_forms(client, engineer, other_engineer, record):
    client.force_login(engineer)
    response = client.post(
        reverse("kpi:training:record_create"),
        {
            "direction": "given",
            "course": "產品培訓",
            "held_on": str(timezone.localdate()),
            "hours": "2",
            "result": "none",
            "audience": "",
        },
    )
    assert response.status_code == 200 and "audience" in response.context["form"].errors
    response = client.post(
        reverse("kpi:training:record_edit", args=[record.pk]),
        {
            "direction": "taken",
            "course": "Go 2",
            "held_on": str(record.held_on),
            "hours": "3",
            "result": "reflection",
            "reflection": "Better",
            "version": record.version,
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    record.refresh_from_db()
    assert record.course == "Go 2"
    client.force_login(other_engineer)
    assert client.get(reverse("kpi:training:record_edit", args=[record.pk])).status_code == 404


def test_r_kpi_1_api_list_queries_do_not_grow(client_for, admin, team):
    client = client_for(admin)
    training_records(admin, team, 2)
    client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(LIST))
    training_records(admin, team, 10)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(LIST))
    assert len(small) == len(large)

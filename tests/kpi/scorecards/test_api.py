"""The scorecards API (R-KPI-1, R-KPI-2): the permission matrix, the moves, 409 once signed,
400 for weights not totalling 100, and the indicators endpoint."""

from __future__ import annotations

import pytest

from kpi.scorecards import services
from tests.kpi.scorecards.conftest import ALL_RATINGS, at, closed_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(scorecard, manager):
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings=ALL_RATINGS)
    return services.scorecard_share(actor=manager, scorecard=scorecard)


@pytest.mark.parametrize(
    "who, draft, shared_status",
    [
        ("anonymous", 401, 401),
        ("no_role_user", 403, 403),
        ("engineer", 404, 200),
        ("colleague", 404, 404),
        ("other_engineer", 404, 404),
        ("other_manager", 404, 404),
        ("manager", 200, 200),
        ("general_manager", 200, 200),
    ],
)
def test_permission_matrix_of_a_scorecard_R_KPI_2(
    who, draft, shared_status, request, client_for, scorecard, manager, make_user, other_team, engineer
):
    # given
    people = {
        "anonymous": None,
        "colleague": make_user("presales_engineer", team=engineer.team),
        "other_manager": make_user("presales_manager", team=other_team),
    }
    user = people[who] if who in people else request.getfixturevalue(who)
    url = f"/api/v1/scorecards/{scorecard.pk}/"
    # when / then: a draft
    assert client_for(user).get(url).status_code == draft
    # when / then: once shared
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings=ALL_RATINGS)
    services.scorecard_share(actor=manager, scorecard=scorecard)
    assert client_for(user).get(url).status_code == shared_status


def test_the_list_holds_only_what_the_caller_sees_R_KPI_2(
    client_for, shared, engineer, other_engineer, manager
):
    assert [row["id"] for row in client_for(engineer).get("/api/v1/scorecards/").json()["results"]] == [
        shared.pk
    ]
    assert client_for(other_engineer).get("/api/v1/scorecards/").json()["results"] == []
    assert len(client_for(manager).get("/api/v1/scorecards/?period=2026-11").json()["results"]) == 1


def test_create_rate_share_comment_sign_through_the_api_R_KPI_2(client_for, monthly, manager, engineer, team):
    # given
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    api = client_for(manager)
    # when
    created = api.post(
        "/api/v1/scorecards/",
        {"person": engineer.pk, "template": monthly.pk, "period": "2026-11"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert {line["code"]: line for line in created.json()["figures"]["lines"]}["success_rate"][
        "value"
    ] == "100.00"
    rated = api.post(
        f"/api/v1/scorecards/{pk}/rate/", {"ratings": ALL_RATINGS, "manager_comment": "好"}, format="json"
    )
    assert rated.status_code == 200, rated.json()
    assert api.post(f"/api/v1/scorecards/{pk}/share/").status_code == 200
    commented = client_for(engineer).post(
        f"/api/v1/scorecards/{pk}/comment/", {"body": "同意"}, format="json"
    )
    assert commented.status_code == 200 and commented.json()["comments"][0]["body"] == "同意"
    signed = api.post(f"/api/v1/scorecards/{pk}/sign/")
    # then
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert signed.json()["total_score"] is not None


def test_a_signed_scorecard_answers_409_to_every_move_R_KPI_2(client_for, shared, manager, engineer):
    services.scorecard_sign(actor=manager, scorecard=shared)
    api = client_for(manager)
    for path, body in (
        ("rate", {"ratings": {"attitude": 1}}),
        ("share", {}),
        ("sign", {}),
        ("comment", {"body": "x"}),
    ):
        response = api.post(f"/api/v1/scorecards/{shared.pk}/{path}/", body, format="json")
        assert response.status_code == 409, (path, response.json())
    assert (
        client_for(engineer)
        .post(f"/api/v1/scorecards/{shared.pk}/comment/", {"body": "x"}, format="json")
        .status_code
        == 409
    )


def test_bad_input_is_400_never_500_R_KPI_2(client_for, scorecard, monthly, manager, engineer):
    api = client_for(manager)
    assert (
        api.post(
            f"/api/v1/scorecards/{scorecard.pk}/rate/", {"ratings": {"attitude": 9}}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(f"/api/v1/scorecards/{scorecard.pk}/rate/", {"ratings": "x"}, format="json").status_code
        == 400
    )
    bad_period = api.post(
        "/api/v1/scorecards/",
        {"person": engineer.pk, "template": monthly.pk, "period": "2026-13"},
        format="json",
    )
    assert bad_period.status_code == 400


def test_the_engineer_may_not_move_their_own_scorecard_R_KPI_2(client_for, shared, engineer):
    assert client_for(engineer).post(f"/api/v1/scorecards/{shared.pk}/sign/").status_code == 403


def test_template_weights_not_totalling_100_are_400_R_KPI_2(client_for, make_user):
    # given
    admin = make_user("admin")
    body = {
        "name": "试用",
        "audience": "presales_engineer",
        "period_kind": "month",
        "items": [
            {
                "section": "key_indicators",
                "code": "s",
                "label": "成功率",
                "indicator_key": "success_rate",
                "weight": "80",
                "target": "40",
            },
            {"section": "work_performance", "code": "a", "label": "工作态度", "weight": "10"},
        ],
    }
    # when
    response = client_for(admin).post("/api/v1/scorecard-templates/", body, format="json")
    # then
    assert response.status_code == 400
    assert "items" in response.json()["fields"]
    body["items"][1]["weight"] = "20"
    assert client_for(admin).post("/api/v1/scorecard-templates/", body, format="json").status_code == 201


def test_a_manager_may_read_but_not_configure_templates_R_KPI_2(client_for, manager, templates):
    api = client_for(manager)
    assert api.get("/api/v1/scorecard-templates/").status_code == 200
    assert api.post(
        "/api/v1/scorecard-templates/",
        {"name": "x", "audience": "sales_rep", "period_kind": "month", "items": []},
        format="json",
    ).status_code in (400, 403)


def test_indicators_endpoint_gives_values_for_the_people_the_caller_sees_R_KPI_1(
    client_for, manager, engineer, other_engineer, team
):
    # given
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    # when
    response = client_for(manager).get(
        f"/api/v1/indicators/?people={engineer.pk},{other_engineer.pk}&period=2026-11"
    )
    # then: the other team's engineer is left out; no data is null
    assert response.status_code == 200
    body = response.json()
    assert [row["person"] for row in body["people"]] == [engineer.pk]
    values = body["people"][0]["values"]
    assert values["success_rate"]["value"] == "100.00"
    assert values["customer_satisfaction"] is None


def test_indicators_endpoint_refuses_bad_input_R_KPI_1(client_for, engineer):
    api = client_for(engineer)
    assert api.get("/api/v1/indicators/?people=x&period=2026-11").status_code == 400
    assert api.get(f"/api/v1/indicators/?people={engineer.pk}&period=nope").status_code == 400
    assert api.get(f"/api/v1/indicators/?people={engineer.pk}&period=2026-11&keys=nope").status_code == 400
    assert api.get(f"/api/v1/indicators/?people={engineer.pk}&period=2026-11").status_code == 200

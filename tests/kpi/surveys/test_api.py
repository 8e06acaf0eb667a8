"""/api/v1/surveys/, /api/v1/survey-templates/, /api/v1/improvement-actions/."""

from __future__ import annotations

import pytest

from kpi.models import ImprovementAction
from kpi.models.surveys import AnswerChannel
from kpi.surveys import services
from presales.core.roles import Role
from tests.kpi.surveys.conftest import good_answers


def test_list_is_scoped_and_filtered(client_for, survey, engineer, other_engineer):
    data = client_for(engineer).get("/api/v1/surveys/", {"purpose": "presales_service"}).json()
    assert [r["id"] for r in data["results"]] == [survey.pk]
    assert client_for(engineer).get("/api/v1/surveys/", {"purpose": "internal"}).json()["results"] == []
    assert client_for(other_engineer).get("/api/v1/surveys/").json()["results"] == []
    assert client_for(other_engineer).get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert client_for(None).get("/api/v1/surveys/").status_code in (401, 403)


def test_r_post_3_phone_answers_by_api(client_for, survey, engineer):
    url = f"/api/v1/surveys/{survey.pk}/phone/"
    bad = client_for(engineer).post(url, {"answers": good_answers(satisfaction="6")}, format="json")
    assert bad.status_code == 400 and "satisfaction" in bad.json()["fields"]
    missing = client_for(engineer).post(url, {"answers": {"satisfaction": "5"}}, format="json")
    assert missing.status_code == 400 and "responsiveness" in missing.json()["fields"]
    ok = client_for(engineer).post(
        url, {"answers": good_answers(satisfaction="2"), "note": "Called"}, format="json"
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["channel"] == "phone" and ok.json()["entered_by"] == engineer.pk
    assert ImprovementAction.objects.filter(survey=survey).count() == 1
    again = client_for(engineer).post(url, {"answers": good_answers()}, format="json")
    assert again.status_code == 409


def test_revoke_and_resend_by_api(client_for, survey, engineer, other_engineer):
    assert client_for(other_engineer).post(f"/api/v1/surveys/{survey.pk}/revoke/").status_code == 404
    assert client_for(engineer).post(f"/api/v1/surveys/{survey.pk}/revoke/").json()["status"] == "revoked"
    assert (
        client_for(engineer).post(f"/api/v1/surveys/{survey.pk}/resend/", {}, format="json").json()["status"]
        == "sent"
    )


def test_improvement_actions_list_and_close(client_for, survey, manager, other_engineer):
    services.survey_answer(survey=survey, answers=good_answers(satisfaction="1"), channel=AnswerChannel.LINK)
    action = ImprovementAction.objects.get(survey=survey)
    rows = client_for(manager).get("/api/v1/improvement-actions/").json()["results"]
    assert [r["id"] for r in rows] == [action.pk]
    assert client_for(other_engineer).get(f"/api/v1/improvement-actions/{action.pk}/").status_code == 404
    url = f"/api/v1/improvement-actions/{action.pk}/close/"
    assert client_for(manager).post(url, {}, format="json").status_code == 400
    done = client_for(manager).post(url, {"resolution": "Coached"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"


TEMPLATE = {
    "name": "Short",
    "purpose": "presales_service",
    "questions": [
        {
            "code": "q1",
            "kind": "score",
            "measure": "satisfaction",
            "text_en": "Q",
            "text_zh_hans": "Q",
            "text_zh_hant": "Q",
        }
    ],
}


@pytest.mark.parametrize("role, expected", [(Role.PRESALES_ENGINEER, 403), (Role.ADMIN, 201)])
def test_templates_read_by_all_written_by_admins(client_for, make_user, team, role, expected):
    user = make_user(role, team=team, username=f"u_{role}")
    assert client_for(user).get("/api/v1/survey-templates/").status_code == 200
    response = client_for(user).post("/api/v1/survey-templates/", TEMPLATE, format="json")
    assert response.status_code == expected


def test_template_bad_input_is_400(client_for, make_user, team):
    admin = make_user(Role.ADMIN, team=team, username="admin_b")
    bad = {**TEMPLATE, "questions": [{**TEMPLATE["questions"][0], "kind": "stars"}]}
    assert client_for(admin).post("/api/v1/survey-templates/", bad, format="json").status_code == 400
    assert (
        client_for(admin)
        .post("/api/v1/survey-templates/", {**TEMPLATE, "questions": []}, format="json")
        .status_code
        == 400
    )

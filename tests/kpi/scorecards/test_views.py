"""The scorecard pages, the PDF and the Excel file (R-KPI-1, R-KPI-2): scoped (404 outside),
the team page costs the same number of queries for 2 people and for 10, the PDF carries the
Chinese text, the workbook opens with openpyxl and holds the figures."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kpi.scorecards import services
from presales.documents import services as documents
from tests.factories import UserFactory
from tests.kpi.scorecards.conftest import ALL_RATINGS, at, closed_opportunity, survey_answer
from tests.presales.documents.conftest import assert_cjk_pdf, rendered

pytestmark = pytest.mark.django_db


def _signed(scorecard, manager):
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings=ALL_RATINGS)
    services.scorecard_share(actor=manager, scorecard=scorecard)
    return services.scorecard_sign(actor=manager, scorecard=scorecard)


def test_the_detail_page_shows_values_definitions_and_records_R_KPI_2(
    client, scorecard, manager, engineer, team
):
    # given
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    client.force_login(manager)
    # when
    page = client.get(scorecard.get_absolute_url())
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert "100.00" in text and "presales_person=" in text
    assert "no data" in text
    assert 'data-testid="rate-form"' in text


@pytest.mark.parametrize(
    "who, code", [("engineer", 404), ("other_engineer", 404), ("manager", 200), ("general_manager", 200)]
)
def test_the_detail_page_and_excel_are_scoped_R_KPI_2(who, code, request, client, scorecard):
    client.force_login(request.getfixturevalue(who))
    assert client.get(scorecard.get_absolute_url()).status_code == code
    assert client.get(reverse("kpi:scorecards:excel", args=[scorecard.pk])).status_code == code


def test_the_web_forms_rate_share_and_sign_R_KPI_2(client, scorecard, manager, engineer):
    client.force_login(manager)
    rate = reverse("kpi:scorecards:action", args=[scorecard.pk, "rate"])
    data = {f"item_{code}": value for code, value in ALL_RATINGS.items()}
    client.post(rate, {**data, "manager_comment": "不错"})
    client.post(reverse("kpi:scorecards:action", args=[scorecard.pk, "share"]))
    client.force_login(engineer)
    assert client.get(scorecard.get_absolute_url()).status_code == 200
    client.post(reverse("kpi:scorecards:action", args=[scorecard.pk, "comment"]), {"body": "同意"})
    client.force_login(manager)
    client.post(reverse("kpi:scorecards:action", args=[scorecard.pk, "sign"]))
    scorecard.refresh_from_db()
    assert scorecard.status == "signed" and scorecard.comments.count() == 1
    # a signed scorecard refuses the form with a message, nothing changes
    response = client.post(rate, {**data, "item_attitude": 1}, follow=True)
    scorecard.refresh_from_db()
    assert scorecard.ratings["attitude"] == "5"
    assert response.status_code == 200


def test_my_scorecards_and_the_dashboard_card_R_KPI_2(client, scorecard, manager, engineer):
    # given: shared
    services.scorecard_rate(actor=manager, scorecard=scorecard, ratings=ALL_RATINGS)
    services.scorecard_share(actor=manager, scorecard=scorecard)
    client.force_login(engineer)
    # when / then
    assert scorecard.get_absolute_url() in client.get(reverse("kpi:scorecards:mine")).content.decode()
    assert 'data-testid="latest-scorecard"' in client.get(reverse("dashboard")).content.decode()
    assert client.get(reverse("kpi:scorecards:team")).status_code == 404


def test_the_team_page_costs_the_same_queries_for_2_and_10_people_R_KPI_1(client, manager, team, templates):
    """One query per indicator, not per person (pinned)."""
    client.force_login(manager)
    counts = []
    for size in (2, 10):
        while len(team.members.all()) < size + 1:
            person = UserFactory(roles=["presales_engineer"], team=team)
            closed_opportunity(team=team, owner=person, stage="handoff", closed=at(3))
            survey_answer(person=person, measure="satisfaction", score=4, answered=at(3))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("kpi:scorecards:team") + "?period=2026-11")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == 20


def test_the_team_page_creates_a_scorecard_R_KPI_2(client, manager, engineer, monthly):
    client.force_login(manager)
    response = client.post(
        reverse("kpi:scorecards:create"), {"person": engineer.pk, "template": monthly.pk, "period": "2026-11"}
    )
    assert response.status_code == 302
    assert engineer.scorecards.get().period == "2026-11"


def test_the_pdf_carries_the_chinese_text_R_KPI_2(scorecard, manager):
    # given
    signed = _signed(scorecard, manager)
    # when
    document = rendered(
        documents.document_request(
            actor=manager, doc_type="scorecard", object_id=signed.pk, language="zh-hans"
        )
    )
    # then
    text = assert_cjk_pdf(document)
    assert "工作态度" in text and "月度绩效考核评分表" in text and signed.person_name in text


def test_the_pdf_is_404_outside_the_callers_view_R_KPI_2(scorecard, other_engineer):
    from presales.core.errors import NotFound

    with pytest.raises(NotFound):
        documents.document_request(actor=other_engineer, doc_type="scorecard", object_id=scorecard.pk)


def test_the_excel_file_holds_the_figures_R_KPI_2(client, scorecard, manager, engineer, team):
    # given
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    signed = _signed(scorecard, manager)
    client.force_login(manager)
    # when
    response = client.get(reverse("kpi:scorecards:excel", args=[signed.pk]))
    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1][1] == signed.person_name and rows[1][3] == "2026-11"
    labels = {row[1]: row for row in rows if row and row[1]}
    assert labels["成功率"][4] == 100.0 and labels["工作态度"][7] == 5.0
    assert rows[-1][0] == "Total" and rows[-1][9] == float(signed.total_score)

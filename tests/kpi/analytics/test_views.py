"""The analytics pages, CSV exports, drill-downs, dashboard panels and API (R-KPI-3): who may
see them, what they show, and a query count that does not grow with the data."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpi.analytics.charts import CHARTS
from presales.core.roles import Role
from tests.kpi.analytics.conftest import at, place

pytestmark = pytest.mark.django_db

PAGE = reverse("kpi:analytics:page") + "?period=2026-10"
OVERVIEW = reverse("kpi:analytics:overview") + "?period=2026-10"


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


def world(team, other_team, n: int) -> None:
    """``n`` opportunities per kind of record, in two teams."""
    for i in range(n):
        place(team, stage="solution", path=(("needs_analysis", "solution", at(5 + i % 10)),))
        place(other_team, stage="handoff", closed=at(6), path=(("contract", "handoff", at(6)),))
        place(team, stage="lost", closed=at(7), created=at(2))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("general_manager", 200),
        ("manager", 200),
        ("sales_manager", 200),
        ("engineer", 403),
        ("sales_rep", 403),
        ("no_role_user", 403),
    ],
)
def test_r_kpi_3_the_analytics_page_is_for_managers(client, request, who, status):
    # given
    user = request.getfixturevalue(who)
    client.force_login(user)
    # when
    response = client.get(PAGE)
    # then
    assert response.status_code == status


def test_r_kpi_3_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302


@pytest.mark.parametrize(("who", "status"), [("general_manager", 200), ("manager", 403), ("engineer", 403)])
def test_r_kpi_3_the_overview_is_the_general_managers(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(OVERVIEW).status_code == status


def test_r_kpi_3_page_renders_every_chart_with_its_json_and_table(client, manager, team, other_team):
    # given
    world(team, other_team, 1)
    client.force_login(manager)
    # when
    response = client.get(PAGE)
    # then
    body = response.content.decode()
    for key in ("funnel", "conversion", "win-rate", "cycle-time", "forecast", "overdue-timers", "trends"):
        assert f'data-chart="chart-{key}-data"' in body
        assert f'id="chart-{key}-data" type="application/json"' in body
        assert f'data-testid="table-{key}"' in body
    assert "style=" not in body.split("<main", 1)[-1]


def test_r_kpi_3_a_bad_period_is_a_form_error_not_a_500(client, manager):
    client.force_login(manager)
    response = client.get(reverse("kpi:analytics:page") + "?period=2026-13")
    assert response.status_code == 200
    assert response.context["form"].errors["period"]


def test_r_kpi_3_csv_of_a_chart_with_the_filters(client, general_manager, team, other_team):
    # given
    world(team, other_team, 2)
    client.force_login(general_manager)
    # when
    response = client.get(reverse("kpi:analytics:csv", args=["win-rate"]) + f"?period=2026-10&team={team.pk}")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Team", "Closed", "Won"]
    assert rows[1][0] == team.name and rows[1][1] == "2" and rows[1][2] == "0"
    assert len(rows) == 3  # the team and the total


def test_r_kpi_3_csv_refuses_a_bad_filter_and_an_unknown_chart(client, general_manager):
    client.force_login(general_manager)
    assert client.get(reverse("kpi:analytics:csv", args=["funnel"]) + "?period=x").status_code == 400
    assert client.get(reverse("kpi:analytics:csv", args=["nope"])).status_code == 404


def test_r_kpi_3_csv_refuses_an_engineer(client, engineer):
    client.force_login(engineer)
    assert client.get(reverse("kpi:analytics:csv", args=["funnel"])).status_code == 403


def test_r_kpi_3_drill_downs_open_the_records_behind_a_point(client, general_manager, team, other_team):
    # given
    world(team, other_team, 2)
    client.force_login(general_manager)
    # when: the funnel's solution point and the win rate's team row
    funnel = {row["stage"]: row for row in CHARTS["funnel"].rows(general_manager, _filters(team=team.pk))}
    response = client.get(funnel["solution"]["url"])
    # then
    assert urlsplit(funnel["solution"]["url"]).path == reverse("opportunities:list")
    assert response.status_code == 200
    listed = {o.pk for o in response.context["table"].data}
    assert len(listed) == 2 and all("team" in funnel["solution"]["url"] for _ in listed)
    win = CHARTS["win-rate"].rows(general_manager, _filters())
    other = next(row for row in win if row["team_id"] == other_team.pk)
    response = client.get(other["url"])
    assert {o.stage for o in response.context["table"].data} == {"handoff"}
    assert len(response.context["table"].data) == 2


def _filters(**kwargs):
    from kpi.analytics.selectors import Filters
    from kpi.periods import Period

    return Filters(Period.parse("2026-10"), team_id=kwargs.get("team"))


def test_r_kpi_3_every_chart_point_carries_its_link(general_manager, team, other_team):
    world(team, other_team, 1)
    for chart in CHARTS.values():
        rows = chart.rows(general_manager, _filters())
        spec = chart.spec(rows)
        assert len(spec["links"]) == len(spec["categories"])
        assert all(link.startswith("/") for link in spec["links"])


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["manager", "general_manager"])
def test_r_kpi_3_the_pages_cost_the_same_queries_at_n_and_3n_rows(client, request, team, other_team, who):
    # given
    user = request.getfixturevalue(who)
    client.force_login(user)
    world(team, other_team, 2)
    small = (_count(client, PAGE), _count(client, reverse("dashboard")))
    # when
    world(team, other_team, 4)  # 3N in all
    large = (_count(client, PAGE), _count(client, reverse("dashboard")))
    # then
    assert small == large


def test_r_kpi_3_the_page_query_count_is_pinned(
    client, django_assert_num_queries, general_manager, team, other_team
):
    # given
    world(team, other_team, 3)
    client.force_login(general_manager)
    client.get(PAGE)  # warm the session and the calendar's caches
    # when / then: session, user, navigation badges, the summary checks and the charts (constant)
    with django_assert_num_queries(PINNED_PAGE_QUERIES):
        client.get(PAGE)


PINNED_PAGE_QUERIES = 29


def test_r_kpi_3_the_gm_dashboard_shows_the_pipeline_contracts_and_receivables(
    client, general_manager, team, other_team
):
    # given
    world(team, other_team, 1)
    client.force_login(general_manager)
    # when
    body = client.get(reverse("dashboard")).content.decode()
    # then
    assert 'data-panel="analytics-charts"' in body
    assert 'data-chart="chart-funnel-data"' in body and 'data-chart="chart-forecast-data"' in body
    assert 'data-panel="analytics-approvals"' in body
    assert 'data-panel="analytics-overdue"' not in body


def test_r_kpi_3_a_managers_dashboard_shows_the_team_funnel_and_overdue_timers(client, manager):
    client.force_login(manager)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'data-panel="analytics-charts"' in body and 'data-panel="analytics-overdue"' in body
    assert 'data-panel="analytics-approvals"' not in body


def test_r_kpi_3_an_engineers_dashboard_has_no_analytics(client, engineer):
    client.force_login(engineer)
    body = client.get(reverse("dashboard")).content.decode()
    assert "analytics-" not in body


# --- API ---------------------------------------------------------------------------------------


def api(chart: str, **params) -> str:
    url = reverse("analytics-chart", args=[chart])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_r_kpi_3_api_answers_every_chart(client_for, general_manager, team, other_team, chart):
    # given
    world(team, other_team, 1)
    # when
    response = client_for(general_manager).get(api(chart, period="2026-10"))
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["chart"] == chart and body["period"] == "2026-10"
    assert [c["key"] for c in body["columns"]] == [c.key for c in CHARTS[chart].columns]
    assert all("url" in row for row in body["rows"])


def test_r_kpi_3_api_is_scoped_to_the_managers_team(client_for, manager, team, other_team):
    world(team, other_team, 1)
    rows = client_for(manager).get(api("win-rate", period="2026-10")).json()["rows"]
    assert [row["team_id"] for row in rows] == [team.pk, None]


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("engineer", 403), ("sales_rep", 403), ("no_role_user", 403)]
)
def test_r_kpi_3_api_refuses_who_may_not_see_it(client_for, request, who, status):
    user = request.getfixturevalue(who) if who else None
    assert client_for(user).get(api("funnel")).status_code == status


def test_r_kpi_3_api_bad_input_is_400_and_unknown_chart_404(client_for, general_manager):
    client = client_for(general_manager)
    response = client.get(api("funnel", period="2026-Q5"))
    assert response.status_code == 400 and "period" in response.json()["fields"]
    assert client.get(api("funnel", team="abc")).status_code == 400
    assert client.get(api("funnel", industry="mining-on-mars")).status_code == 400
    assert client.get(api("nope")).status_code == 404

"""The general manager's dashboard and analytics draw their charts (R-KPI-3): ECharts puts a
canvas in every chart container, under the Content-Security-Policy, with no console error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from presales.core.roles import Role
from tests.factories import TeamFactory
from tests.kpi.analytics.conftest import at, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_console(page: Page) -> list[str]:
    """Console errors, script errors and failed responses of the page. Chromium's own request
    for /favicon.ico (the site has none) logs "Failed to load resource" without a page
    response: that message is left out, any resource the page itself loads is checked by
    its response."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.status >= 400:
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)
    return errors


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


@pytest.fixture
def gm_with_pipeline(make_user):
    """A general manager and a small pipeline over two teams (transactional tests flush data)."""
    east, west = TeamFactory(name="East"), TeamFactory(name="West")
    user = make_user(Role.GENERAL_MANAGER, team=TeamFactory(name="Management"), username="gm", language="en")
    for team in (east, west):
        place(team, stage="solution", path=(("needs_analysis", "solution", at(5)),))
        place(team, stage="demo", expected_close=at(20).date())
        place(team, stage="handoff", closed=at(6))
    return user


def test_r_kpi_3_gm_dashboard_draws_its_charts(live_server, page: Page, gm_with_pipeline):
    # given
    errors = watch_console(page)
    sign_in(page, live_server, "gm")
    # when
    page.goto(live_server.url + reverse("dashboard"))
    charts = page.locator("[data-panel=analytics-charts] [data-chart]")
    # then: a canvas in each chart container
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index).locator("canvas")).to_have_count(1)
    expect(page.locator("[data-panel=analytics-approvals]")).to_be_visible()
    page.screenshot(path="/tmp/shots/gm_dashboard.png", full_page=True)
    assert errors == []


def test_r_kpi_3_overview_draws_every_chart_and_a_click_drills_down(
    live_server, page: Page, gm_with_pipeline
):
    # given
    errors = watch_console(page)
    sign_in(page, live_server, "gm")
    # when
    page.goto(live_server.url + reverse("kpi:analytics:overview") + "?period=2026-10")
    charts = page.locator("[data-chart]")
    count = charts.count()
    # then
    assert count >= 5
    for index in range(count):
        expect(charts.nth(index).locator("canvas")).to_have_count(1)
    assert errors == []
    # and a row's link opens the records
    page.get_by_test_id("drill-funnel").first.click()
    page.wait_for_url("**/opportunities/list/**")
    assert "/opportunities/list/" in page.url

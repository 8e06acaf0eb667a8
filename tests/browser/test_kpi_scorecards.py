"""A manager rates, shares and signs off an engineer's scorecard (R-KPI-2) in the browser; the
engineer reads it and comments in between. Screenshot: /tmp/shots/scorecard_signed.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kpi.models.scorecards import Scorecard
from kpi.scorecards.services import ensure_default_scorecard_templates
from presales.core.roles import Role, ensure_role_groups
from tests.kpi.scorecards.conftest import at, closed_opportunity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


@pytest.fixture
def people(make_user, team):
    """Transactional tests flush the seeded templates and groups: seed them again."""
    ensure_role_groups()
    ensure_default_scorecard_templates()
    boss = make_user(Role.PRESALES_MANAGER, team=team, username="boss", language="zh-hans")
    team.manager = boss
    team.save()
    worker = make_user(
        Role.PRESALES_ENGINEER, team=team, username="worker", language="zh-hans", display_name="王工"
    )
    closed_opportunity(team=team, owner=worker, stage="handoff", closed=at(3))
    return boss, worker


def test_a_manager_rates_and_signs_off_a_scorecard_R_KPI_2(live_server, page: Page, people):
    _boss, worker = people
    # given the manager on the team page for November 2026
    sign_in(page, live_server, "boss")
    page.goto(live_server.url + reverse("kpi:scorecards:team") + "?period=2026-11")
    expect(page.get_by_test_id(f"person-{worker.pk}")).to_contain_text("100.00")

    # when they create the worker's scorecard and rate the work items
    page.get_by_test_id(f"create-{worker.pk}").click()
    expect(page.get_by_test_id("scorecard-header")).to_contain_text("王工")
    for code, value in (("attitude", "5"), ("teamwork", "4"), ("execution", "4"), ("growth", "3")):
        page.fill(f"#id_item_{code}", value)
    page.fill("#id_manager_comment", "全年表现稳定，继续加强方案质量。")
    page.get_by_test_id("rate-save").click()
    expect(page.get_by_test_id("line-attitude")).to_contain_text("100.00")

    # and share it
    page.get_by_test_id("move-share").click()
    scorecard = Scorecard.objects.get(person=worker)
    assert scorecard.status == "shared"

    # then the worker reads it and comments
    sign_out(page)
    sign_in(page, live_server, "worker")
    page.goto(live_server.url + scorecard.get_absolute_url())
    page.locator("#id_body").fill("谢谢，我同意。")
    page.get_by_test_id("comment-form").locator("button").click()
    expect(page.get_by_test_id("comments")).to_contain_text("谢谢，我同意。")

    # when the manager signs it off
    sign_out(page)
    sign_in(page, live_server, "boss")
    page.goto(live_server.url + scorecard.get_absolute_url())
    page.get_by_test_id("move-sign").click()

    # then it is frozen: no rating form, no moves, the total shown
    expect(page.get_by_test_id("frozen-note")).to_be_visible()
    expect(page.get_by_test_id("rate-form")).to_have_count(0)
    expect(page.get_by_test_id("move-sign")).to_have_count(0)
    expect(page.get_by_test_id("scorecard-total")).to_contain_text("46.00")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "scorecard_signed.png"), full_page=True)
    scorecard.refresh_from_db()
    assert scorecard.status == "signed" and scorecard.snapshot is not None

"""The opportunity desk's tabs in a browser (issue 10): one section at a time, the #anchor
opens its tab (also an element inside one), choosing a tab updates the address; and a card
dragged onto a column its gates block snaps back with the reasons (R-OPP-3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from opportunities.choices import InitiationStatus, Stage
from opportunities.models import Opportunity, StageChange
from presales.core.roles import Role
from tests.factories import OpportunityFactory, ProjectInitiationFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_issue_10_desk_tabs_follow_the_anchor_and_a_blocked_drag_snaps_back(live_server, page: Page):
    team = TeamFactory(name="East China")
    engineer = UserFactory(username="wang", roles=[Role.PRESALES_ENGINEER], team=team)
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, title="MES upgrade")
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.DRAFT)
    base = live_server.url
    _sign_in(page, base, "wang")
    url = base + opportunity.get_absolute_url()

    # the desk opens on the overview; the other sections are tabs
    page.goto(url)
    expect(page.locator("#overview")).to_be_visible()
    expect(page.locator("#history")).to_be_hidden()
    # choosing a tab shows it alone and puts its anchor in the address
    page.click("[data-testid=tab-history]")
    expect(page.locator("#history")).to_be_visible()
    expect(page.locator("#overview")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"#history$"))
    # a link to a tab opens it; a link to an element inside a tab opens that tab
    page.goto(url + "#timers")
    expect(page.locator("#timers")).to_be_visible()
    expect(page.locator("#overview")).to_be_hidden()
    page.goto(base + "/")
    page.goto(url + "#initiation")
    expect(page.locator("#overview")).to_be_visible()
    expect(page.locator("#initiation")).to_be_visible()

    # on the board, the card dropped on needs analysis (initiation not approved) stays put
    page.goto(base + reverse("opportunities:board"))
    card = page.locator(f"[data-testid=card-{opportunity.pk}]")
    page.drag_and_drop(f"[data-testid=card-{opportunity.pk}]", f"[data-testid=column-{Stage.NEEDS_ANALYSIS}]")
    expect(page.locator("[data-testid=board-reasons]")).to_contain_text("must be approved first")
    expect(page.locator(f"[data-testid=column-{Stage.LEAD_INTAKE}]").locator(card)).to_be_visible()
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.LEAD_INTAKE
    assert not StageChange.objects.exists()

"""Competitor records in headless Chromium (R-COMP-1); only the people and two open opportunities
of the East team are made in the database, the rest through the pages:

the presales manager creates the competitor's record (strengths, weaknesses), adds one of its
products with its typical price and records a piece of intelligence with its source and date,
linked to the opportunity it came from → the engineer puts the competitor in play on that
opportunity's competitors tab with their offer, their price and our differentiators → the
engineer closes another deal as lost to them → the competitor's page shows the products, the
intelligence, the open opportunity they are in play on with their offer and price, and the
win/loss section counts the deal lost to them in this quarter; so does the list. No console
error on the way.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from opportunities.models import Competitor, CompetitorIntel, Opportunity, OpportunityCompetitor
from presales.core.roles import Role
from tests.browser.pickers import pick
from tests.browser.test_issue11_journey import as_user, no_errors, open_desk, watch_console
from tests.factories import OpportunityFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Haikang Smart Manufacturing"


def the_deals() -> tuple[Opportunity, Opportunity]:
    """Two open opportunities of the East team, the engineer their presales owner."""
    team = TeamFactory(name="East Presales")
    engineer = UserFactory(
        username="engineer", display_name="Zhang Engineer", roles=[Role.PRESALES_ENGINEER], team=team
    )
    manager = UserFactory(username="pm", display_name="Li Manager", roles=[Role.PRESALES_MANAGER], team=team)
    team.manager = manager
    team.save()
    sales = UserFactory(username="sales", display_name="Chen Sales", roles=[Role.SALES_REP], team=team)
    open_deal = OpportunityFactory(
        team=team, sales_owner=sales, presales_owner=engineer, title="Smart plant MES", stage="solution"
    )
    lost_deal = OpportunityFactory(
        team=team, sales_owner=sales, presales_owner=engineer, title="Warehouse WMS", stage="solution"
    )
    return open_deal, lost_deal


def create_the_record(page: Page, base: str, open_deal: Opportunity) -> Competitor:
    """The presales manager creates the record, adds a product and records intelligence."""
    as_user(page, base, "pm")
    page.goto(base + reverse("opportunities:competitors:list"))
    page.get_by_test_id("competitor-create").click()
    form = page.get_by_test_id("object-form")
    form.locator("[name=name]").fill(NAME)
    form.locator("[name=aliases]").fill("海康智造")
    form.locator("[name=strengths]").fill("Strong brand in discrete manufacturing.")
    form.locator("[name=weaknesses]").fill("Slow local service; no energy module.")
    form.get_by_test_id("submit").click()
    no_errors(page)
    expect(page.get_by_test_id("competitor-name")).to_have_text(NAME)
    expect(page.get_by_test_id("competitor-profile")).to_contain_text("海康智造")
    expect(page.get_by_test_id("competitor-profile")).to_contain_text("Slow local service; no energy module.")

    product = page.get_by_test_id("product-add")
    product.locator("[name=product-name]").fill("HK-MES 5")
    product.locator("[name=product-price_range]").fill("¥400k–¥800k")
    product.get_by_role("button", name="Add a product").click()
    no_errors(page)
    expect(page.get_by_test_id("competitor-products")).to_contain_text("HK-MES 5 · ¥400k–¥800k")

    observed = timezone.localdate() - timedelta(days=2)
    intel = page.get_by_test_id("intel-add")
    intel.locator("[name=text]").fill("Offered a 30% discount to win the reference site.")
    intel.locator("[name=source]").fill("Customer's IT manager")
    intel.locator("[name=observed_on]").fill(observed.isoformat())
    pick(page, "[data-testid=intel-add] select[name=opportunity]", "Smart plant", "Smart plant MES")
    intel.get_by_role("button", name="Record").click()
    no_errors(page)
    item = page.get_by_test_id("intel-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(
        f"{observed:%Y-%m-%d} · Customer's IT manager · Li Manager · Smart plant MES"
    )
    expect(item).to_contain_text("Offered a 30% discount")

    competitor = Competitor.objects.get()
    assert competitor.name == NAME and competitor.created_by.username == "pm"
    assert list(competitor.products.values_list("name", "price_range")) == [("HK-MES 5", "¥400k–¥800k")]
    recorded = CompetitorIntel.objects.get()
    assert (recorded.source, recorded.observed_on, recorded.opportunity_id) == (
        "Customer's IT manager",
        observed,
        open_deal.pk,
    )
    return competitor


def put_in_play(page: Page, base: str, open_deal: Opportunity, competitor: Competitor) -> None:
    """The engineer puts the competitor in play with its offer, price and our differentiators."""
    as_user(page, base, "engineer")
    desk = base + open_deal.get_absolute_url()
    open_desk(page, desk, "competitors")
    expect(page.get_by_test_id("desk-competitors")).to_contain_text("No competitors recorded.")
    pick(page, "[data-testid=desk-competitor-add] select[name=competitor]", "Haikang", NAME)
    add = page.get_by_test_id("desk-competitor-add")
    add.locator("[name=offer]").fill("HK-MES 5 with three years of support")
    add.locator("[name=price]").fill("520000")
    add.locator("[name=differentiators]").fill("Energy module built in; service engineers on site in 4 h.")
    add.get_by_role("button", name="Add a competitor").click()
    no_errors(page)
    row = page.get_by_test_id("desk-competitor")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text("HK-MES 5 with three years of support")
    expect(row).to_contain_text("520000.00")
    expect(row).to_contain_text("Energy module built in")
    link = OpportunityCompetitor.objects.get(opportunity=open_deal)
    assert (link.competitor_id, link.price, link.in_play) == (competitor.pk, Decimal("520000.00"), True)
    open_deal.refresh_from_db()
    assert open_deal.competitors == [NAME]  # the names' mirror follows the rows


def lose_to_them(page: Page, base: str, lost_deal: Opportunity, competitor: Competitor) -> None:
    """The engineer closes the other deal as lost, naming the competitor as the winner."""
    page.goto(base + lost_deal.get_absolute_url())
    page.locator("[data-move=mark_lost] a").click()
    form = page.get_by_test_id("move-form")
    form.locator("[name=reason]").select_option("price")
    form.locator("[name=winning_competitor]").fill(NAME)
    form.locator("[name=note]").fill("They undercut us by 30%.")
    form.locator("button[type=submit]").click()
    no_errors(page)
    expect(page.get_by_test_id("stage")).to_have_text("Lost")
    lost_deal.refresh_from_db()
    assert lost_deal.winner_id == competitor.pk and lost_deal.closed_at is not None


def test_a_competitor_record_in_play_and_its_win_loss_R_COMP_1(live_server, page: Page):
    base = live_server.url
    problems = watch_console(page)
    open_deal, lost_deal = the_deals()

    competitor = create_the_record(page, base, open_deal)
    put_in_play(page, base, open_deal, competitor)
    lose_to_them(page, base, lost_deal, competitor)

    # when the engineer opens the competitor's page from the open deal's competitors tab
    open_desk(page, base + open_deal.get_absolute_url(), "competitors")
    page.get_by_test_id("desk-competitor").get_by_role("link", name=NAME).click()
    expect(page.get_by_test_id("competitor-name")).to_have_text(NAME)

    # then they see its product, the intelligence, and the deal it is in play on, with the offer
    expect(page.get_by_test_id("competitor-products")).to_contain_text("HK-MES 5")
    expect(page.get_by_test_id("intel-item")).to_contain_text("Offered a 30% discount")
    in_play = page.get_by_test_id("competitor-in-play")
    expect(in_play).to_contain_text("Smart plant MES")
    expect(in_play).to_contain_text("520000.00")
    expect(in_play).not_to_contain_text("Warehouse WMS")
    # and the win/loss section counts the deal lost to them in this quarter
    win_loss = page.get_by_test_id("competitor-win-loss")
    expect(win_loss).to_contain_text("Win/loss against them")
    row = win_loss.get_by_test_id("win-loss-row")
    expect(row).to_have_count(1)
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    expect(row.locator("td")).to_have_text([quarter, "0", "1", "0", ""])
    expect(row.locator(".progress-bar.bg-danger.w-100")).to_have_count(1)

    # and the list counts the open deal they are in play on and the one lost to them
    page.goto(base + reverse("opportunities:competitors:list"))
    listed = page.get_by_test_id("competitor-row")
    expect(listed).to_have_count(1)
    expect(listed.locator("td")).to_have_text([NAME, "1", "0", "1"])
    assert problems == []

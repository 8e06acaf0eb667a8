"""Journey: the sales manager approves a project initiation from the reviews inbox, and the
presales engineer sees the opportunity move from lead intake to needs analysis on the
board (R-OPP-2, R-OPP-3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from opportunities.choices import Stage
from opportunities.models import Opportunity
from opportunities.services import initiation_save, initiation_submit
from presales.core.roles import Role
from tests.browser.pickers import pick
from tests.factories import CustomerFactory, OpportunityFactory, TeamFactory, UserFactory
from tests.proposals.solutions.factories import approved_solution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_manager_approves_initiation_and_engineer_sees_the_card_move(live_server, page: Page, browser):
    from reviews.defaults import ensure_default_chains

    # given an East team with an engineer, a sales rep and the sales manager, and the default chains
    ensure_default_chains()
    team = TeamFactory(name="East China")
    engineer = UserFactory(
        username="wang", roles=[Role.PRESALES_ENGINEER], team=team, display_name="Wang Wei"
    )
    sales = UserFactory(username="zhang", roles=[Role.SALES_REP], team=team)
    UserFactory(username="liu", roles=[Role.SALES_MANAGER], team=team, display_name="Liu Yang")
    customer = CustomerFactory(team=team, owner=sales, name="Suzhou Precision Machinery")
    opportunity = OpportunityFactory(
        team=team,
        customer=customer,
        sales_owner=sales,
        presales_owner=engineer,
        title="MES upgrade phase 2",
    )
    # and the engineer's initiation request waiting for review
    initiation = initiation_save(
        actor=engineer,
        opportunity=opportunity,
        data={
            "background": "500 staff, ¥100M revenue.",
            "sales_strategy": "Production efficiency case.",
            "expected_goals": "Win phase 2.",
        },
    )
    initiation_submit(actor=engineer, initiation=initiation)
    base = live_server.url
    card = f"[data-testid=card-{opportunity.pk}]"

    # the engineer sees the card in lead intake, needs analysis blocked with the gate's reason
    _sign_in(page, base, "wang")
    page.goto(base + reverse("opportunities:board"))
    expect(page.locator(f"[data-testid=column-{Stage.LEAD_INTAKE}] {card}")).to_be_visible()
    page.click(f"[data-testid=move-menu-{opportunity.pk}]")
    expect(page.locator(f"[data-testid=reasons-{opportunity.pk}-start_needs_analysis]")).to_contain_text(
        "must be approved first (it is In review)"
    )

    # when the sales manager approves the request from the reviews inbox
    manager_context = browser.new_context()
    manager = manager_context.new_page()
    _sign_in(manager, base, "liu")
    manager.goto(base + reverse("reviews:inbox"))
    item = manager.locator("[data-testid=inbox-item]", has_text="MES upgrade phase 2")
    expect(item).to_be_visible()
    item.locator("textarea").fill("Approved: go ahead.")
    item.locator("[data-testid=approve]").click()
    expect(manager.locator("[data-testid=inbox-item]", has_text="MES upgrade phase 2")).to_have_count(0)
    manager_context.close()

    # then the engineer sees the card in needs analysis, with the project team formed
    page.goto(base + reverse("opportunities:board"))
    expect(page.locator(f"[data-testid=column-{Stage.NEEDS_ANALYSIS}] {card}")).to_be_visible()
    expect(page.locator(f"[data-testid=count-{Stage.NEEDS_ANALYSIS}]")).to_have_text("1")
    page.click(f"{card} a")
    expect(page.locator("[data-testid=stage]")).to_have_text("Needs analysis")
    expect(page.locator("[data-testid=initiation-status]")).to_have_text("Approved")
    expect(page.locator("[data-testid=project-team]")).to_contain_text("Wang Wei")
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.NEEDS_ANALYSIS


def test_dragging_a_card_makes_the_move_and_shows_refusals(live_server, page: Page):
    """Drag and drop calls the same move; a refused drop shows the gate's reasons (R-OPP-3)."""
    team = TeamFactory(name="East China")
    engineer = UserFactory(username="wang", roles=[Role.PRESALES_ENGINEER], team=team)
    opportunity = OpportunityFactory(
        team=team, presales_owner=engineer, stage=Stage.REVIEW, title="Cold chain"
    )
    approved_solution(opportunity)  # the demo gate (R-SOL-5)
    other = OpportunityFactory(team=team, stage=Stage.DEMO, has_tender=False, title="Campus card")
    base = live_server.url
    # A viewport as wide as the board, so that dragging never scrolls it mid-drag.
    page.set_viewport_size({"width": 2900, "height": 900})
    _sign_in(page, base, "wang")
    page.goto(base + reverse("opportunities:board"))

    # when the review card is dragged to demo, it moves there
    page.drag_and_drop(
        f"[data-testid=card-{opportunity.pk}]",
        f"[data-testid=column-{Stage.DEMO}]",
        source_position={"x": 3, "y": 3},
    )
    expect(
        page.locator(f"[data-testid=column-{Stage.DEMO}] [data-testid=card-{opportunity.pk}]")
    ).to_be_visible()
    expect(page.locator("[data-testid=board-notice]")).to_contain_text("Cold chain moved to Demo.")

    # when the no-tender card is dragged to bid, the gate's reason is shown and it stays
    page.drag_and_drop(
        f"[data-testid=card-{other.pk}]",
        f"[data-testid=column-{Stage.BID}]",
        source_position={"x": 3, "y": 3},
    )
    expect(page.locator("[data-testid=board-reasons]")).to_contain_text("no public tender")
    expect(page.locator(f"[data-testid=column-{Stage.DEMO}] [data-testid=card-{other.pk}]")).to_be_visible()
    assert Opportunity.objects.get(pk=other.pk).stage == Stage.DEMO


def test_load_more_then_drag_a_loaded_card_and_filter_by_a_picked_customer(live_server, page: Page):
    """Issue 9: a long column shows its first window and loads the next in place; a loaded
    card is dragged like any other; the customer filter is chosen by typing, not from a list."""
    from datetime import timedelta

    from django.utils import timezone

    # given 23 deals in review for one customer (the last one entered most recently) and one
    # deal of another customer
    team = TeamFactory(name="East China")
    engineer = UserFactory(username="wang", roles=[Role.PRESALES_ENGINEER], team=team)
    customer = CustomerFactory(team=team, name="Suzhou Precision Machinery")
    start = timezone.now() - timedelta(days=10)
    deals = [
        OpportunityFactory(
            team=team,
            customer=customer,
            presales_owner=engineer,
            stage=Stage.REVIEW,
            stage_entered_at=start + timedelta(hours=i),
            title=f"Line {i:02d}",
        )
        for i in range(23)
    ]
    approved_solution(deals[-1])  # the demo gate (R-SOL-5)
    OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.REVIEW, title="Other customer's deal")
    base = live_server.url
    page.set_viewport_size({"width": 2900, "height": 900})
    _sign_in(page, base, "wang")
    page.goto(base + reverse("opportunities:board"))
    column = page.get_by_test_id(f"column-{Stage.REVIEW}")
    expect(column.locator(".kanban-card")).to_have_count(20)
    expect(page.get_by_test_id(f"count-{Stage.REVIEW}")).to_have_text("24")

    # when they load more, the rest of the column is appended in place and the link is gone
    page.get_by_test_id(f"more-{Stage.REVIEW}").click()
    expect(column.locator(".kanban-card")).to_have_count(24)
    expect(page.get_by_test_id(f"more-{Stage.REVIEW}")).to_have_count(0)
    last = deals[-1]
    expect(column.get_by_test_id(f"card-{last.pk}")).to_be_visible()

    # when a loaded card is dragged to demo, it moves (board.js binds to cards added later)
    column.get_by_test_id(f"card-{last.pk}").scroll_into_view_if_needed()
    page.drag_and_drop(
        f"[data-testid=card-{last.pk}]",
        f"[data-testid=column-{Stage.DEMO}]",
        source_position={"x": 3, "y": 3},
    )
    expect(page.locator("[data-testid=board-notice]")).to_contain_text("Line 22 moved to Demo.")
    assert Opportunity.objects.get(pk=last.pk).stage == Stage.DEMO

    # when they type part of the customer's name in the filter and pick it
    pick(page, "#opportunity-filters select[name=customer]", "Suzhou", "Suzhou Precision Machinery")

    # then the board shows only that customer's deals
    expect(page.get_by_text("Other customer's deal")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"customer={customer.pk}"))
    expect(page.get_by_test_id(f"count-{Stage.REVIEW}")).to_have_text("22")


def test_a_picker_shows_at_most_twenty_matches_and_says_there_are_more(live_server, page: Page):
    """Issue 9: the customer picker never lists every customer: the first matches, a hint to
    type more, and a narrower term finds the one wanted."""
    team = TeamFactory(name="East China")
    UserFactory(username="wang", roles=[Role.PRESALES_ENGINEER], team=team)
    for i in range(25):
        CustomerFactory(team=team, name=f"Plant {i:02d}")
    _sign_in(page, live_server.url, "wang")
    page.goto(live_server.url + reverse("opportunities:board"))
    wrapper = page.locator("#opportunity-filters select[name=customer] + .ts-wrapper")
    wrapper.locator(".ts-control").click()
    wrapper.locator(".ts-control input").fill("plant")
    expect(wrapper.get_by_test_id("autocomplete-more")).to_be_visible()
    expect(wrapper.locator(".ts-dropdown .option")).to_have_count(20)
    wrapper.locator(".ts-control input").fill("plant 24")
    expect(wrapper.locator(".ts-dropdown .option")).to_have_count(1)
    expect(wrapper.get_by_test_id("autocomplete-more")).to_have_count(0)

"""The list pages on a phone (issue 8, "What a new user trips on"): at 375 px the page never
scrolls sideways (a wide table scrolls inside its own box) and the first result is on the first
screen, the filters waiting behind a "Filters" button; on a desktop the filters stay open."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from presales.core.roles import Role
from tests.factories import CustomerFactory, LeadFactory, OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def page_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.fixture
def lists_with_rows(make_user, team):
    """An engineer whose team has 15 leads, 15 customers and 15 opportunities."""
    user = make_user(Role.PRESALES_ENGINEER, team=team, username="phone", language="en")
    LeadFactory.create_batch(15, team=team, owner=user)
    customers = CustomerFactory.create_batch(15, team=team, owner=user)
    for customer in customers:
        OpportunityFactory(team=team, customer=customer, presales_owner=user)
    return user


@pytest.mark.parametrize("url_name", ["leads:lead_list", "leads:customer_list"])
def test_list_fits_a_phone_and_shows_results_first(live_server, page: Page, lists_with_rows, url_name):
    """Issue 8: no sideways page scroll at 375 px; the first row is on the first screen."""
    # given a signed-in user on a 375 × 740 screen (the user menu sits behind the phone's menu button)
    sign_in(page, live_server, "phone")
    page.set_viewport_size(PHONE)

    # when they open the list
    page.goto(live_server.url + reverse(url_name))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(15)

    # then the page is no wider than the screen: the table scrolls inside its box
    assert page_width(page) <= PHONE["width"]
    scroller = page.get_by_test_id("table-scroll")
    assert scroller.evaluate("el => getComputedStyle(el).overflowX") == "auto"

    # and the first result row starts on the first screen, the filters folded away
    box = rows.first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"]
    expect(page.get_by_test_id("filters")).to_be_hidden()

    # when they tap "Filters"
    page.get_by_test_id("filters-toggle").click()

    # then the filter form opens, still within the screen's width
    expect(page.get_by_test_id("filters")).to_be_visible()
    assert page_width(page) <= PHONE["width"]


@pytest.mark.parametrize("url_name", ["opportunities:list", "reviews:list"])
def test_other_lists_fit_a_phone(live_server, page: Page, lists_with_rows, url_name):
    """Every table rendered through django-tables2 scrolls inside its box, not the page."""
    # given a signed-in user on a 375 × 740 screen
    sign_in(page, live_server, "phone")
    page.set_viewport_size(PHONE)

    # when they open the list
    page.goto(live_server.url + reverse(url_name))
    page.wait_for_load_state("networkidle")

    # then the page is no wider than the screen
    expect(page.get_by_test_id("table-scroll")).to_have_count(1)
    assert page_width(page) <= PHONE["width"]


def test_filters_stay_open_on_a_desktop(live_server, page: Page, lists_with_rows):
    """The toggle is for small screens only: a desktop shows the filter column, no button."""
    # given a signed-in user on a desktop screen
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "phone")

    # when they open the lead list
    page.goto(live_server.url + reverse("leads:lead_list"))

    # then the filters are open and the toggle is not shown
    expect(page.get_by_test_id("filters")).to_be_visible()
    expect(page.get_by_test_id("filters-toggle")).to_be_hidden()


@pytest.mark.parametrize("url_name", ["opportunities:board", "opportunities:list"])
def test_set_opportunity_filters_stay_folded_on_a_phone(live_server, page: Page, lists_with_rows, url_name):
    """Issue 8: a filter set in the address no longer opens the panel by itself on a phone;
    the button counts the filters set, and the panel opens when tapped."""
    # given a signed-in user on a 375 px screen, with two filters in the address
    sign_in(page, live_server, "phone")
    page.set_viewport_size(PHONE)

    # when they open the board (or list) filtered
    page.goto(live_server.url + reverse(url_name) + "?customer_grade=A&mine=true")

    # then the filters are folded, the button says two are set, nothing overflows sideways
    expect(page.get_by_test_id("filters")).to_be_hidden()
    expect(page.get_by_test_id("filters-active")).to_have_text("2")
    assert page_width(page) <= PHONE["width"]

    # when they tap "Filters", the form opens with the pickers, within the screen's width
    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_test_id("filters")).to_be_visible()
    expect(page.locator("#opportunity-filters select[name=customer] + .ts-wrapper")).to_be_visible()
    assert page_width(page) <= PHONE["width"]


def test_opportunity_filters_are_open_on_a_desktop(live_server, page: Page, lists_with_rows):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "phone")
    page.goto(live_server.url + reverse("opportunities:board") + "?mine=true")
    expect(page.get_by_test_id("filters")).to_be_visible()
    expect(page.get_by_test_id("filters-toggle")).to_be_hidden()

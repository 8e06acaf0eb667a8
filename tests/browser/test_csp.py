"""Every main page works under the Content-Security-Policy (issue 8, item 18): Chromium
reports each blocked script, style or eval on the console; a page that triggers one fails."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from presales.core.roles import Role
from tests.browser.pickers import pick
from tests.factories import CustomerFactory, ExportJobFactory, LeadFactory, OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page: Page) -> list[str]:
    """Console errors about the policy ("Refused to ... Content Security Policy ...")."""
    violations: list[str] = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    return violations


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_the_csp_watch_sees_a_violation(live_server, page: Page, db):
    """The check can fail: an inline script on one of our pages is reported."""
    violations = watch_csp(page)
    page.goto(live_server.url + reverse("login"))
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.head.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert any("Content Security Policy" in v for v in violations)
    assert page.evaluate("() => window.injected") is None


def test_main_pages_raise_no_csp_violation(live_server, page: Page, make_user, team):
    # given a staff engineer with a lead, a customer, an opportunity and an export under way
    user = make_user(
        Role.PRESALES_ENGINEER, team=team, username="csp", language="en", is_staff=True, is_superuser=True
    )
    lead = LeadFactory(team=team, owner=user)
    customer = CustomerFactory(team=team)
    opportunity = OpportunityFactory(team=team, customer=customer, presales_owner=user)
    job = ExportJobFactory(user=user, state="running", total=10, progress=4)
    violations = watch_csp(page)
    sign_in(page, live_server, "csp")

    pages = [
        reverse("dashboard"),
        reverse("leads:lead_list"),
        reverse("leads:lead_detail", args=[lead.pk]),
        reverse("leads:lead_create"),
        reverse("leads:customer_list"),
        reverse("leads:customer_detail", args=[customer.pk]),
        reverse("opportunities:board"),
        reverse("opportunities:list"),
        reverse("opportunities:create"),
        reverse("leads:customer_create"),
        reverse("opportunities:detail", args=[opportunity.pk]),
        reverse("opportunities:initiation", args=[opportunity.pk]),
        reverse("reviews:inbox"),
        reverse("reviews:list"),
        reverse("sla:deadlines"),
        reverse("sla:notifications"),
        reverse("exports:list"),
        reverse("profile"),
        reverse("password_change"),
        reverse("api-tokens"),
        reverse("api-token-create"),
        reverse("admin:index"),
        reverse("admin:presales_user_change", args=[user.pk]),
    ]
    # when each page is opened and has settled
    for url in pages:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")

    # and htmx works: the lead list filters as one types (a swapped-in partial)
    page.goto(live_server.url + reverse("leads:lead_list"))
    page.fill("input[name=q]", "no such company")
    page.wait_for_timeout(800)
    page.wait_for_load_state("networkidle")

    # and a picker searches as one types and its choice filters the board (Tom Select, issue 9)
    page.goto(live_server.url + reverse("opportunities:board"))
    pick(page, "#opportunity-filters select[name=customer]", customer.name, customer.name)
    expect(page).to_have_url(re.compile(rf"customer={customer.pk}"))
    page.wait_for_load_state("networkidle")

    # and the export progress bar gets its width from static/js/app.js
    page.goto(live_server.url + reverse("exports:detail", args=[job.pk]))
    bar = page.locator("#export-progress .progress-bar")
    expect(bar).to_have_attribute("style", "width: 40%;")

    # and the initiation form adds a team row (static/js/formset.js)
    page.goto(live_server.url + reverse("opportunities:initiation", args=[opportunity.pk]))
    page.get_by_test_id("team-add").click()
    expect(page.get_by_test_id("team-rows").locator("tr")).to_have_count(3)

    # and the lead list's filters open behind their toggle on a phone (Bootstrap's collapse)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("leads:lead_list"))
    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_test_id("filters")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})

    # and the user menu (Bootstrap's JavaScript) opens
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("api-tokens")).to_be_visible()

    # and Swagger UI renders with its own, slightly relaxed policy
    page.goto(live_server.url + reverse("api-docs"))
    expect(page.locator(".swagger-ui .info .title")).to_be_visible(timeout=15000)

    # then the browser refused nothing
    assert violations == []


def test_a_user_creates_a_token_in_the_browser(live_server, page: Page, make_user, team):
    """Issue 8, item 17: the token page in a browser, secret shown once, revoke with CSRF."""
    make_user(Role.SALES_REP, team=team, username="rep", language="en")
    violations = watch_csp(page)
    sign_in(page, live_server, "rep")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("api-tokens").click()
    page.get_by_test_id("new-token").click()
    page.fill("#id_name", "Sales laptop")
    page.locator("[data-testid=token-form] button[type=submit]").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert secret.startswith("psk_")
    page.get_by_role("link", name="Back to API tokens").click()
    expect(page.get_by_test_id("token-row")).to_have_count(1)
    expect(page.get_by_test_id("token-status")).to_have_text("Active")
    assert secret not in page.content()
    page.get_by_test_id("revoke-token").click()
    expect(page.get_by_test_id("token-status")).to_have_text("Revoked")
    assert violations == []

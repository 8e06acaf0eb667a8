"""The risk register in headless Chromium (R-RISK-1), on the risks tab of an opportunity in the
contract stage whose draft contract is ready to go (drawn from the accepted version, the
customer's credit assessed): made in the database, the rest through the pages.

The engineer records a risk of likelihood 5 × impact 5: the tab shows it high (25) and says it
blocks the contract, and the engineer (its owner) hears of it → the contract's submission is
refused with that reason on the page → the presales manager finds it in the risk register
among the high risks, follows it to the tab and accepts it with a reason →
the submission passes and the contract goes to review. No console error on the way.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bids.contracts import services as contracts
from bids.contracts.choices import ContractStatus
from bids.models import Contract, Risk
from bids.risks.choices import RiskStatus
from presales.core.roles import Role
from presales.sla.models import Notification
from reviews.defaults import ensure_default_chains
from tests.bids.contracts.factories import accepted_version
from tests.browser.test_issue11_journey import as_user, no_errors, open_desk, watch_console
from tests.factories import OpportunityFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Customer budget frozen until Q2"


def the_deal() -> Contract:
    """An opportunity of the East team in the contract stage with its draft contract; the
    engineer is its presales owner, the presales manager the team's manager; the contract
    chain's approvers exist (a transactional test starts without the seeded chains)."""
    ensure_default_chains()
    from importlib import import_module

    from django.apps import apps

    import_module("bids.migrations.0004_default_clause_templates").seed(apps, None)
    team = TeamFactory(name="East Presales")
    engineer = UserFactory(
        username="engineer", display_name="Zhang Engineer", roles=[Role.PRESALES_ENGINEER], team=team
    )
    manager = UserFactory(username="pm", display_name="Li Manager", roles=[Role.PRESALES_MANAGER], team=team)
    team.manager = manager
    team.save()
    sales = UserFactory(username="sales", display_name="Chen Sales", roles=[Role.SALES_REP], team=team)
    UserFactory(username="salesmgr", display_name="Zhao Sales", roles=[Role.SALES_MANAGER], team=team)
    head_office = TeamFactory(name="Head office")
    UserFactory(username="legal", display_name="Qian Legal", roles=[Role.LEGAL], team=head_office)
    UserFactory(username="gm", display_name="Wu General", roles=[Role.GENERAL_MANAGER], team=head_office)
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=sales,
        presales_owner=engineer,
        title="Plant energy monitoring",
        stage="contract",
    )
    accepted_version(opportunity)  # with the customer's credit assessed
    return contracts.contract_create(actor=sales, opportunity=opportunity)


def test_a_high_risk_blocks_the_contract_until_a_manager_accepts_it_R_RISK_1(live_server, page: Page):
    base = live_server.url
    problems = watch_console(page)
    contract = the_deal()
    desk = base + contract.opportunity.get_absolute_url()

    # given the engineer on the opportunity's risks tab, with no risk yet
    as_user(page, base, "engineer")
    open_desk(page, desk, "risks")
    expect(page.get_by_test_id("risk-table")).to_contain_text("No risk recorded.")
    expect(page.get_by_test_id("risk-blocking")).to_have_count(0)

    # when they record a risk of likelihood 5 × impact 5 (the owner defaults to them)
    page.locator("[data-testid=desk-risks] details summary", has_text="Add a risk").click()
    form = page.get_by_test_id("risk-add")
    form.locator("[name=new-category]").select_option("customer")
    form.locator("[name=new-title]").fill(TITLE)
    form.locator("[name=new-likelihood]").select_option("5")
    form.locator("[name=new-impact]").select_option("5")
    form.locator("[name=new-response]").select_option("mitigate")
    form.locator("[name=new-response_plan]").fill("Phase the delivery; first invoice after the budget.")
    form.locator("[name=new-review_on]").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    form.get_by_role("button", name="Add the risk").click()
    no_errors(page)

    # then the tab shows it high, scored 25, and says it blocks the contract's approval
    expect(page.locator("#messages")).to_contain_text("The risk was recorded.")
    row = page.get_by_test_id("risk-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(TITLE)
    expect(row.get_by_test_id("risk-score")).to_have_text("25 · High")
    expect(row.locator(".risk-level-high")).to_be_visible()
    expect(page.get_by_test_id("risk-blocking")).to_contain_text(
        f"The high risk “{TITLE}” (score 25) is open: a manager must accept it"
    )
    risk = Risk.objects.get()
    assert (risk.score, risk.level, risk.status, risk.owner.username) == (
        25,
        "high",
        RiskStatus.OPEN,
        "engineer",
    )
    # and its owner was alerted (R-RISK-1: over the warning threshold)
    alert = Notification.objects.get(recipient__username="engineer", kind="risk")
    assert TITLE in alert.title and "25" in alert.title

    # when the engineer submits the contract, then it is refused with the risk as the reason
    open_desk(page, desk, "contract")
    expect(page.get_by_test_id("contract-status")).to_have_text("Draft")
    page.get_by_test_id("contract-submit").click()
    expect(page.locator("#messages")).to_contain_text(
        f"The high risk “{TITLE}” (score 25) is open: a manager must accept it first (R-RISK-1)."
    )
    expect(page.get_by_test_id("contract-status")).to_have_text("Draft")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    # and the engineer has no acceptance form: accepting is a manager's
    open_desk(page, desk, "risks")
    expect(page.get_by_test_id("risk-accept")).to_have_count(0)

    # when the presales manager finds it in the risk register among the high risks
    as_user(page, base, "pm")
    page.goto(base + reverse("bids:risk-register"))
    filters = page.get_by_test_id("risk-filter")
    filters.locator("[name=level]").select_option("high")
    filters.get_by_role("button", name="Show").click()
    listed = page.get_by_test_id("risk-register-row")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(TITLE)
    expect(listed.get_by_test_id("risk-score")).to_have_text("25 · High")
    # and follows it to the opportunity's risks tab and accepts it with a reason
    listed.get_by_role("link", name="Plant energy monitoring").click()
    expect(page.locator("section#risks")).to_be_visible()
    accept = page.get_by_test_id("risk-accept")
    accept.locator("[name=reason]").fill("Customer signed a payment guarantee; exposure acceptable.")
    accept.get_by_role("button", name="Accept the risk").click()
    no_errors(page)

    # then the risk shows accepted, by whom and why, and no longer blocks
    expect(page.locator("#messages")).to_contain_text("The risk was accepted.")
    expect(page.get_by_test_id("risk-row")).to_contain_text("Accepted by a manager")
    expect(page.get_by_test_id("risk-row")).to_contain_text(
        "Li Manager: Customer signed a payment guarantee; exposure acceptable."
    )
    expect(page.get_by_test_id("risk-blocking")).to_have_count(0)
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by.username) == (RiskStatus.ACCEPTED, "pm")
    assert risk.acceptance_reason == "Customer signed a payment guarantee; exposure acceptable."

    # when the engineer submits the contract again, then it goes to review
    as_user(page, base, "engineer")
    open_desk(page, desk, "contract")
    page.get_by_test_id("contract-submit").click()
    no_errors(page)
    expect(page.get_by_test_id("contract-status")).to_have_text("In review")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_REVIEW and contract.submitted_at is not None
    assert problems == []

"""Journey: the engineer writes a section (live preview), adds quote lines with the totals
recomputed on the server (htmx), maps the rigid requirement, and sends the version to
review once nothing blocks it (R-SOL-1, R-SOL-2, R-SOL-3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from opportunities.choices import Stage
from presales.core.roles import Role
from proposals.models import SolutionVersion
from proposals.solutions import services
from tests.browser.test_csp import watch_csp
from tests.factories import (
    OpportunityFactory,
    ReviewChainFactory,
    ReviewChainStepFactory,
    TeamFactory,
    UserFactory,
)
from tests.proposals.solutions.factories import RequirementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_writes_quotes_maps_and_submits_a_version(live_server, page: Page):
    team = TeamFactory(name="East China")
    engineer = UserFactory(username="wang", roles=[Role.PRESALES_ENGINEER], team=team)
    manager = UserFactory(username="li", roles=[Role.PRESALES_MANAGER], team=team)
    team.manager = manager
    team.save()
    chain = ReviewChainFactory(kind="solution_version")
    ReviewChainStepFactory(chain=chain, order=1, approver_role=Role.PRESALES_MANAGER)
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.SOLUTION)
    requirement = RequirementFactory(
        opportunity=opportunity, created_by=engineer, description="降低生產線能耗30%"
    )
    version = services.solution_create(
        actor=engineer, opportunity=opportunity, title="能耗方案"
    ).versions.get()
    base = live_server.url
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # the editor says what blocks the submission; the rich text editor raises no CSP violation
    violations = watch_csp(page)
    page.goto(base + reverse("proposals:solutions:version", args=[version.pk]))
    expect(page.get_by_test_id("submit-version")).to_be_disabled()
    expect(page.get_by_test_id("submit-reasons")).to_contain_text(requirement.code)

    # a section with a live preview of what will be stored
    add = page.get_by_test_id("section-add")
    add.locator("select[name=new-kind]").select_option("background")
    # the section text is written in the rich text editor (Quill over the hidden textarea)
    expect(add.locator("textarea")).to_be_hidden()
    add.locator(".ql-editor").fill("兩條產線")
    add.get_by_role("button", name="Add section").click()
    section = page.get_by_test_id("section-background")
    expect(section.get_by_test_id("preview-background")).to_contain_text("兩條產線")
    section.locator(".ql-editor").fill("兩條產線，節能30%")
    expect(section.get_by_test_id("live-preview-background")).to_contain_text("節能30%")
    # a table from the toolbar reaches the stored HTML (the sanitiser keeps tables)
    section.locator(".ql-editor").click()
    section.locator("button.ql-table").click()
    expect(section.get_by_test_id("live-preview-background").locator("table")).to_have_count(1)
    assert violations == []

    # a quote line: the totals come back from the server without a reload
    form = page.get_by_test_id("line-form")
    form.locator("select[name=line-kind]").select_option("hardware")
    form.locator("input[name=line-item]").fill("智能電表")
    form.locator("input[name=line-quantity]").fill("10")
    form.locator("input[name=line-unit_cost]").fill("700")
    form.locator("input[name=line-unit_price]").fill("1000")
    form.locator("input[name=line-tax_rate]").fill("13")
    form.get_by_role("button", name="Add line").click()
    expect(page.get_by_test_id("margin-percent")).to_have_text("30.00%")

    # the rigid requirement is answered by the section, then the version goes to review
    page.reload()
    page.get_by_test_id(f"mapping-{requirement.code}").get_by_role("button", name="Map").click()
    expect(page.get_by_test_id("unanswered")).to_have_count(0)
    page.get_by_test_id("submit-version").click()
    expect(page.get_by_test_id("version-status")).to_have_text("In review")
    assert SolutionVersion.objects.get(pk=version.pk).status == "in_review"

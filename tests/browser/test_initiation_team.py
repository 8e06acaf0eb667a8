"""The proposed project team of an initiation request (R-OPP-2, issue 8): the form starts with
two blank rows, and "Add a member" adds more, up to the formset's maximum, with the names the
view reads (static/js/formset.js; no inline script under the Content-Security-Policy)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from opportunities.choices import InitiationStatus
from opportunities.forms import ProposedTeamFormSet
from opportunities.models import ProjectInitiation
from presales.core.roles import Role
from tests.browser.pickers import pick
from tests.factories import OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def fill_member(page: Page, index: int, *, user, role: str, responsibility: str) -> None:
    pick(page, f"select[name=team-{index}-user]", user.username, str(user))
    expect(page.locator(f"select[name=team-{index}-user]")).to_have_value(str(user.pk))
    page.select_option(f"select[name=team-{index}-role]", role)
    page.fill(f"input[name=team-{index}-responsibility]", responsibility)
    expect(page.locator(f"input[name=team-{index}-responsibility]")).to_have_value(responsibility)


def test_add_a_third_member_and_save(live_server, page: Page, make_user, team):
    """R-OPP-2: a team of three is proposed through a form that shows two rows."""
    # given an engineer on the initiation form of a team opportunity, and three colleagues
    make_user(Role.PRESALES_ENGINEER, team=team, username="initiator", language="en")
    opportunity = OpportunityFactory(team=team)
    expert = make_user("department_head", team=team, username="expert")
    product = make_user("department_head", team=team, username="product")
    delivery = make_user("department_head", team=team, username="delivery")
    sign_in(page, live_server, "initiator")
    page.goto(live_server.url + reverse("opportunities:initiation", args=[opportunity.pk]))
    rows = page.get_by_test_id("team-rows").locator("tr")
    expect(rows).to_have_count(2)
    page.fill("#id_background", "500 staff, two plants.")
    page.fill("#id_sales_strategy", "Efficiency first.")
    page.fill("#id_expected_goals", "Phase 1 in Q3.")
    fill_member(page, 0, user=expert, role="technical_expert", responsibility="Interfaces")
    fill_member(page, 1, user=product, role="product", responsibility="Roadmap")

    # when they add a member and fill the new row
    page.get_by_test_id("team-add").click()
    expect(rows).to_have_count(3)
    expect(page.locator("input[name=team-TOTAL_FORMS]")).to_have_value("3")
    fill_member(page, 2, user=delivery, role="delivery", responsibility="Rollout")

    # and save the draft (every row still as filled: a picker's late answer changes nothing)
    for index, text in enumerate(("Interfaces", "Roadmap", "Rollout")):
        expect(page.locator(f"input[name=team-{index}-responsibility]")).to_have_value(text)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"**{opportunity.get_absolute_url()}*")

    # then the request proposes all three
    initiation = ProjectInitiation.objects.get(opportunity=opportunity)
    assert initiation.status == InitiationStatus.DRAFT
    proposed = {(m.user, m.role, m.responsibility) for m in initiation.proposed_members.all()}
    assert proposed == {
        (expert, "technical_expert", "Interfaces"),
        (product, "product", "Roadmap"),
        (delivery, "delivery", "Rollout"),
    }

    # and the form shows them again, with a blank row to spare
    page.goto(live_server.url + reverse("opportunities:initiation", args=[opportunity.pk]))
    expect(rows).to_have_count(5)
    expect(page.locator("select[name=team-2-user]")).to_have_value(str(delivery.pk))


def test_rows_stop_at_the_formset_maximum(live_server, page: Page, make_user, team):
    """The button adds no row beyond what the view's formset accepts (its max_num)."""
    # given an engineer on a fresh initiation form
    make_user(Role.PRESALES_ENGINEER, team=team, username="initiator", language="en")
    opportunity = OpportunityFactory(team=team)
    sign_in(page, live_server, "initiator")
    page.goto(live_server.url + reverse("opportunities:initiation", args=[opportunity.pk]))
    maximum = ProposedTeamFormSet.max_num
    add = page.get_by_test_id("team-add")

    # when they add rows until the form is full
    for _ in range(maximum - 2):
        add.click()

    # then there are exactly the maximum, the button is off and says why
    expect(page.get_by_test_id("team-rows").locator("tr")).to_have_count(maximum)
    expect(page.locator("input[name=team-TOTAL_FORMS]")).to_have_value(str(maximum))
    expect(add).to_be_disabled()
    expect(page.get_by_text(f"at most {maximum} members")).to_be_visible()

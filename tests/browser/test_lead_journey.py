"""The lead journey in a real browser (R-LEAD-1..4): sign in, take in a lead, meet the
duplicate warning and merge, record the first contact, qualify, land on the customer.
Plus the lead list in the user's language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from leads.choices import LeadStatus
from leads.models import Lead
from presales.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def fill_intake(page: Page, *, company: str, contact: str, phone: str) -> None:
    page.select_option("#id_source", "trade_show")
    page.fill("#id_company_name", company)
    page.fill("#id_contact_name", contact)
    page.fill("#id_phone", phone)
    page.select_option("#id_industry", "manufacturing")
    page.fill("#id_initial_needs", "MES upgrade for two lines")
    page.fill("#id_budget", "800000")


def test_lead_from_intake_to_customer(live_server, page: Page, make_user, team):
    """R-LEAD-1 → R-LEAD-2 → R-LEAD-3 → R-LEAD-4 through the pages people use."""
    make_user(Role.PRESALES_ENGINEER, team=team, username="journey", language="en")

    # given a signed-in presales engineer
    sign_in(page, live_server, "journey")

    # when they take in a lead
    page.get_by_role("link", name="Leads").first.click()
    page.get_by_test_id("lead-create").click()
    fill_intake(page, company="Huadong Precision Co., Ltd.", contact="Li Wei", phone="13800001234")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("lead-title")).to_have_text("Huadong Precision Co., Ltd.")
    first = Lead.objects.get()
    first_url = page.url

    # and take in the same company and phone again
    page.goto(live_server.url + reverse("leads:lead_create"))
    fill_intake(page, company="Huadong Precision", contact="Mr. Li", phone="+86 138 0000 1234")
    page.get_by_test_id("submit").click()

    # then they are warned, with what they typed still in the form
    expect(page.get_by_test_id("duplicate-warning")).to_be_visible()
    expect(page.locator("#id_contact_name")).to_have_value("Mr. Li")
    expect(page.get_by_test_id("create-anyway")).to_be_visible()

    # when they merge the new intake into the existing lead
    page.get_by_test_id(f"merge-into-{first.pk}").click()
    expect(page).to_have_url(first_url)
    expect(page.get_by_test_id("merge-info")).to_be_visible()
    assert Lead.objects.filter(status=LeadStatus.MERGED, merged_into=first).count() == 1

    # and record the first contact
    page.locator('[data-move="record_first_contact"]').click()
    page.fill("#id_contact_title", "CIO")
    page.fill("#id_concerns", "Downtime during the switch-over")
    page.fill("#id_key_points", "Budget approved; wants a demo in June.")
    page.get_by_test_id("submit").click()
    expect(page.locator('[data-first-contact="done"]').first).to_be_visible()
    expect(page.locator('[data-status="contacted"]')).to_be_visible()

    # and qualify it
    page.locator('[data-move="qualify"]').click()
    page.fill("#id_background", "Second plant opens next year")
    page.fill("#id_budget", "800k approved")
    page.fill("#id_competition", "Incumbent vendor X")
    page.fill("#id_timeline", "Decision by Q3")
    page.get_by_test_id("submit").click()

    # then they land on the opportunity the lead became (R-OPP-1), which links its customer
    expect(page.get_by_test_id("opportunity-customer")).to_have_text("Huadong Precision Co., Ltd.")
    page.get_by_test_id("opportunity-customer").click()
    expect(page.get_by_test_id("customer-title")).to_have_text("Huadong Precision Co., Ltd.")
    expect(page.get_by_test_id("contacts")).to_contain_text("Li Wei")
    expect(page.get_by_test_id("customer-leads")).to_contain_text("Qualified")


def test_lead_list_filters_with_htmx(live_server, page: Page, make_user, team):
    from tests.factories import LeadFactory

    make_user(Role.SALES_REP, team=team, username="filterer", language="en")
    LeadFactory(team=team, company_name="Alpha Robotics")
    LeadFactory(team=team, company_name="Beta Foods")
    sign_in(page, live_server, "filterer")
    page.goto(live_server.url + reverse("leads:lead_list"))
    expect(page.get_by_test_id("lead-table")).to_contain_text("Beta Foods")

    # when a search is typed and sent; then only the table is replaced, and the URL follows
    page.fill("#id_q", "Alpha")
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("lead-table")).not_to_contain_text("Beta Foods")
    expect(page.get_by_test_id("lead-table")).to_contain_text("Alpha Robotics")
    expect(page).to_have_url(re.compile(re.escape(reverse("leads:lead_list")) + r"\?q=Alpha"))
    expect(page.get_by_test_id("export")).to_have_attribute(
        "href", re.compile(re.escape(reverse("leads:lead_export")) + r"\?q=Alpha")
    )


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "线索"), ("en", "Leads")])
def test_lead_list_in_the_users_language(live_server, page: Page, make_user, team, language, label):
    # given users who chose Simplified Chinese or English
    make_user(Role.SALES_REP, team=team, username=f"reader_{language}", language=language)
    sign_in(page, live_server, f"reader_{language}")
    # when they open the lead list
    page.goto(live_server.url + reverse("leads:lead_list"))
    # then the page declares that language and the navigation speaks it
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator('[data-nav="leads"]')).to_contain_text(label)

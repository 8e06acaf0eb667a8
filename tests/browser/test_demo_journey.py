"""The engineer schedules a demo of an approved version and downloads the .ics (R-DEMO-1,
R-SOL-5): the schedule form (approved versions only, people pickers, agenda with requirement
codes), the checklist ticked in place (htmx), the moves with what blocks them, the
invitation as a download that parses as RFC 5545."""

from __future__ import annotations

import pytest
from django.urls import reverse
from icalendar import Calendar
from playwright.sync_api import Page, expect

from presales.core.roles import Role
from proposals.choices import VersionStatus
from proposals.models import Demo
from tests.browser.pickers import pick
from tests.factories import ContactFactory, OpportunityFactory
from tests.proposals.demos.factories import RequirementFactory, SolutionFactory, SolutionVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_schedule_a_demo_and_download_the_invitation(live_server, page: Page, make_user, team, tmp_path):
    engineer = make_user(Role.PRESALES_ENGINEER, team=team, username="demoer", language="en")
    colleague = make_user(
        Role.PRESALES_ENGINEER, team=team, username="colleague", display_name="Li Colleague"
    )
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, stage="demo")
    solution = SolutionFactory(opportunity=opportunity, created_by=engineer, title="节能方案")
    approved = SolutionVersionFactory(solution=solution, author=engineer, number=1)
    SolutionVersionFactory(solution=solution, author=engineer, number=2, status=VersionStatus.DRAFT)
    contact = ContactFactory(customer=opportunity.customer, name="Wang Manager")
    requirement = RequirementFactory(opportunity=opportunity, number=1)

    sign_in(page, live_server, "demoer")
    page.goto(live_server.url + reverse("proposals:demo-create", args=[opportunity.pk]))
    # only the approved version is offered (R-SOL-5)
    options = page.locator("#id_solution_version option")
    expect(options).to_have_count(2)  # the empty choice and v1
    page.select_option("#id_solution_version", str(approved.pk))
    page.fill("#id_title", "Energy dashboard demo")
    page.fill("#id_starts_at", "2030-03-05T10:00")
    pick(page, "select[name=our_attendees]", "Li", "Li Colleague")
    page.keyboard.press("Escape")  # a multiple picker stays open for the next person
    pick(page, "select[name=customer_attendees]", "Wang", "Wang Manager")
    page.keyboard.press("Escape")
    page.fill("#id_agenda", f"Energy dashboard {requirement.code}\nQ&A")
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/proposals/demos/*/")
    demo = Demo.objects.get()
    assert set(demo.our_attendees.all()) == {colleague} and list(demo.customer_attendees.all()) == [contact]

    # scheduling invites; starting is blocked until the checklist is complete
    page.get_by_test_id("move-schedule").get_by_role("button").click()
    expect(page.get_by_test_id("demo-status")).to_have_text("Scheduled")
    expect(page.get_by_test_id("move-start")).to_contain_text("The environment checklist is not complete")
    checklist = page.get_by_test_id("demo-checklist")
    for ticked in range(1, 5):
        # each tick waits for the swapped list, so the next click finds the next open item
        checklist.locator("button[aria-pressed=false]").first.click()
        expect(checklist.locator("button[aria-pressed=true]")).to_have_count(ticked)

    # the customer's invitation downloads and parses (RFC 5545, Shanghai time)
    with page.expect_download() as download:
        page.get_by_test_id("demo-attendees").get_by_test_id("ics-link").last.click()
    path = tmp_path / "invite.ics"
    download.value.save_as(path)
    event = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Energy dashboard demo"
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("DTSTART").hour == 10
    assert "Wang Manager" in {str(a.params["CN"]) for a in event["ATTENDEE"]}

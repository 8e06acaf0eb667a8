"""Cross-department collaboration in headless Chromium (R-COLL-1, R-COLL-2); only the people (a
presales engineer, the head of R&D) and an open opportunity are made in the database:

the engineer files a collaboration request to R&D (item, due time, expected result) → the R&D
head finds it among their department's requests, accepts it and completes it with the result
(the response and due timers are satisfied in turn) → the engineer rates the result → they
record the minutes of the meeting with both as attendees, its decisions and an action item of
their own → they mark the action item done from "My action items". No console error on the way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from collaboration.choices import ActionStatus, RequestStatus
from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute
from collaboration.timers import COLLAB_DUE, COLLAB_RESPONSE, MEETING_ACTION
from presales.accounts.models import Department
from presales.core.roles import Role
from presales.sla.models import Timer
from tests.browser.test_issue11_journey import as_user, no_errors, watch_console
from tests.factories import OpportunityFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "Energy module API for the customer's SCADA"


def people() -> None:
    """The engineer of the East presales team, the head of the R&D department, and the
    opportunity the request is about."""
    east = TeamFactory(name="East Presales", department=Department.PRESALES)
    engineer = UserFactory(
        username="engineer", display_name="Zhang Engineer", roles=[Role.PRESALES_ENGINEER], team=east
    )
    rd = TeamFactory(name="R&D platform", department=Department.RD)
    rd.manager = UserFactory(username="rdhead", display_name="Sun R&D", roles=[Role.DEPARTMENT_HEAD], team=rd)
    rd.save()
    OpportunityFactory(team=east, presales_owner=engineer, title="Smart plant MES", stage="solution")


def local(days: int, hour: int = 17) -> str:
    """A datetime-local value ``days`` from today at ``hour`` in the site's zone."""
    day = (datetime.now(ZoneInfo(settings.TIME_ZONE)) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def timer_state(kind: str, subject) -> str:
    return Timer.objects.get(kind=kind, subject_id=subject.pk).state


def file_the_request(page: Page, base: str) -> CollaborationRequest:
    """R-COLL-1: the engineer fills in the cross-department request form."""
    as_user(page, base, "engineer")
    page.goto(base + reverse("collaboration:requests"))
    page.get_by_test_id("collab-new").click()
    form = page.get_by_test_id("collab-form")
    form.locator("[name=kind]").select_option("rd_question")
    form.locator("[name=item]").fill(ITEM)
    form.locator("[name=description]").fill(
        "The customer wants the meters' readings in their SCADA every minute."
    )
    form.locator("[name=target_department]").select_option("rd")
    form.locator("[name=opportunity]").select_option(label="Smart plant MES")
    form.locator("[name=due_at]").fill(local(5))
    form.locator("[name=expected_result]").fill("Whether the OPC UA interface covers it, and the effort.")
    form.get_by_test_id("submit").click()
    no_errors(page)
    expect(page.get_by_test_id("collab-title")).to_contain_text(ITEM)
    expect(page.get_by_test_id("collab-status")).to_contain_text("Submitted")
    expect(page.get_by_test_id("collab-status")).to_contain_text("→ R&D")
    request = CollaborationRequest.objects.get()
    expect(page.get_by_test_id("collab-title")).to_contain_text(request.number)
    assert (request.requester.username, request.target_department, request.status) == (
        "engineer",
        Department.RD,
        RequestStatus.SUBMITTED,
    )
    # the response timer runs for the R&D head
    response = Timer.objects.get(kind=COLLAB_RESPONSE, subject_id=request.pk)
    assert (response.owner.username, response.state) == ("rdhead", "open")
    # and the requester answers nothing: only the target department accepts
    expect(page.get_by_test_id("collab-move-accept")).to_have_count(0)
    return request


def accept_and_complete(page: Page, base: str, request: CollaborationRequest) -> None:
    """R-COLL-1: the R&D head accepts the request, then completes it with the result."""
    as_user(page, base, "rdhead")
    page.goto(base + reverse("collaboration:requests") + "?box=department")
    listed = page.get_by_test_id("collab-list")
    expect(listed).to_contain_text(ITEM)
    listed.get_by_role("link", name=request.number).click()
    # the opportunity of another team is named, not linked (they cannot open it)
    expect(page.get_by_test_id("opportunity-name")).to_have_text("Smart plant MES")
    page.get_by_test_id("collab-move-accept").get_by_role("button", name="Accept").click()
    no_errors(page)
    expect(page.get_by_test_id("collab-status")).to_contain_text("Accepted")
    expect(page.locator("dl")).to_contain_text("Sun R&D")
    request.refresh_from_db()
    assert (request.status, request.accepted_by.username) == (RequestStatus.ACCEPTED, "rdhead")
    assert timer_state(COLLAB_RESPONSE, request) == "satisfied"
    assert timer_state(COLLAB_DUE, request) == "open"

    complete = page.get_by_test_id("collab-move-complete")
    complete.locator("[name=result]").fill("OPC UA covers it: one-minute subscriptions, two days of work.")
    complete.get_by_role("button", name="Complete").click()
    no_errors(page)
    expect(page.get_by_test_id("collab-status")).to_contain_text("Completed")
    expect(page.get_by_test_id("collab-result")).to_contain_text("OPC UA covers it")
    request.refresh_from_db()
    assert (request.status, request.completed_by.username) == (RequestStatus.COMPLETED, "rdhead")
    assert timer_state(COLLAB_DUE, request) == "satisfied"


def record_the_minutes(page: Page, base: str) -> MeetingMinute:
    """R-COLL-2: the engineer records the meeting about their opportunity: attendees,
    decisions, an action item with its owner and due date."""
    page.goto(base + reverse("collaboration:minute_create"))
    form = page.get_by_test_id("minute-form")
    form.locator("[name=title]").fill("SCADA interface alignment")
    form.locator("[name=held_at]").fill(local(-1, hour=9))  # yesterday morning
    form.locator("[name=place]").fill("Meeting room 3")
    form.locator("[name=opportunity]").select_option(label="Smart plant MES")
    form.locator("[name=attendees]").select_option(label=["Zhang Engineer", "Sun R&D"])
    form.locator("[name=decisions]").fill("R&D delivers the OPC UA mapping; presales updates the solution.")
    row = form.get_by_test_id("action-row").first
    row.locator("[name=items-0-description]").fill("Update the solution's interface chapter")
    row.locator("[name=items-0-owner]").select_option(label="Zhang Engineer")
    due = timezone.localdate() + timedelta(days=3)
    row.locator("[name=items-0-due_on]").fill(due.isoformat())
    form.get_by_test_id("submit").click()
    no_errors(page)
    expect(page.get_by_test_id("minute-title")).to_have_text("SCADA interface alignment")
    items = page.get_by_test_id("action-items")
    expect(items).to_contain_text("Update the solution's interface chapter")
    expect(items).to_contain_text("Zhang Engineer")
    expect(items).to_contain_text(due.isoformat())
    minute = MeetingMinute.objects.get()
    assert sorted(minute.attendees.values_list("username", flat=True)) == ["engineer", "rdhead"]
    item = ActionItem.objects.get(minute=minute)
    assert (item.owner.username, item.due_on, item.status) == ("engineer", due, ActionStatus.OPEN)
    assert timer_state(MEETING_ACTION, item) == "open"
    return minute


def rate(page: Page, base: str, request: CollaborationRequest) -> None:
    """R-COLL-1: the requester rates the completed request; it is closed."""
    as_user(page, base, "engineer")
    page.goto(base + request.get_absolute_url())
    rate = page.get_by_test_id("collab-move-rate")
    rate.locator("[name=rating]").fill("5")
    rate.locator("[name=comment]").fill("Fast and precise.")
    rate.get_by_role("button", name="Rate").click()
    no_errors(page)
    expect(page.get_by_test_id("collab-status")).to_contain_text("Rated")
    expect(page.locator("dl")).to_contain_text("5/5 Fast and precise.")
    request.refresh_from_db()
    assert (request.status, request.rating, request.rating_comment) == (
        RequestStatus.RATED,
        5,
        "Fast and precise.",
    )
    assert request.closed_at is not None


def test_a_cross_department_request_and_the_meeting_minutes_R_COLL_1_R_COLL_2(live_server, page: Page):
    base = live_server.url
    problems = watch_console(page)
    people()

    request = file_the_request(page, base)
    accept_and_complete(page, base, request)
    rate(page, base, request)
    minute = record_the_minutes(page, base)

    # when the engineer marks their action item done from "My action items"
    page.goto(base + reverse("collaboration:my_action_items"))
    mine = page.get_by_test_id("my-action-items")
    expect(mine).to_contain_text("Update the solution's interface chapter")
    expect(mine).to_contain_text("SCADA interface alignment")
    mine.get_by_role("button", name="Done").click()
    no_errors(page)
    # then nothing is open any more, and the item's timer is satisfied
    expect(page.get_by_test_id("my-action-items")).to_contain_text("Nothing open.")
    item = ActionItem.objects.get(minute=minute)
    assert item.status == ActionStatus.DONE
    assert timer_state(MEETING_ACTION, item) == "satisfied"
    assert problems == []

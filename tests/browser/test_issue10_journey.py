"""Issue 10's journey in headless Chromium, through the pages people use (only the users, the
customer and the opportunity are made in the database):

the engineer writes requirements on the desk (R-NEED-2) → sends the confirmation list and the
customer confirms each row through the e-mailed link, with no account and no cookie
(R-NEED-3) → the move into the solution stage, refused before (R-NEED-4), passes → the
engineer writes a version, answers the rigid requirement (R-SOL-1), quotes under the margin
floor (R-SOL-2, R-QUOTE-1) and submits → the review adds the finance step, not the general
manager's → the presales manager and the legal, commercial and technical heads approve with
their check items and scores, then finance (R-REV-2) → the author's bell says so (R-REV-1)
→ the engineer schedules the demo of the approved version and downloads its .ics (R-DEMO-1,
R-SOL-5).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from opportunities.choices import InitiationStatus, Stage
from presales.core.roles import Role
from proposals.choices import ConfirmationMethod, ConfirmationStatus, VersionStatus
from proposals.models import Demo, Requirement, SolutionVersion
from reviews.choices import ReviewKind, ReviewStatus
from reviews.defaults import MARGIN_FLOOR, MARGIN_GM_BAND, ensure_default_chains
from reviews.models import Review
from tests.browser.pickers import pick
from tests.factories import (
    ContactFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/proposals/confirm/[^/\s]+/")


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def add_requirement(page: Page, kind: str, category: str, description: str, metric: str) -> None:
    """The inline add form of the needs section (htmx swaps the section in place)."""
    form = page.get_by_test_id("add-requirement")
    form.locator("[name=kind]").select_option(kind)
    form.locator("[name=category]").select_option(category)
    form.locator("[name=description]").fill(description)
    form.locator("[name=key_metric]").fill(metric)
    form.get_by_role("button").click()


def approve(page: Page, base: str, *, step: str, scores: tuple[int, int, int], comment: str) -> None:
    """The reviewer approves the one review of their inbox, at ``step``: every check item of
    the step ticked, the three criteria scored (R-REV-2)."""
    page.goto(base + reverse("reviews:inbox"))
    item = page.get_by_test_id("inbox-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("inbox-step")).to_contain_text(step)
    expect(item.get_by_test_id("inbox-margin")).to_have_text("10.00%")
    form = item.get_by_test_id("decide-form")
    for box in form.locator("[data-testid=check-items] input[type=checkbox]").all():
        box.check()
    for criterion, score in zip(("rationality", "innovation", "completeness"), scores, strict=True):
        form.locator(f"[data-criterion$={criterion}] label", has_text=str(score)).click()
    form.locator("textarea").fill(comment)
    form.get_by_test_id("approve").click()
    expect(page.get_by_test_id("inbox-item-done")).to_be_visible()
    expect(page.get_by_test_id("inbox-item")).to_have_count(0)


def test_issue10_journey_from_needs_to_the_demo_invitation(
    live_server, page: Page, browser: Browser, settings, mailoutbox, tmp_path
):
    base = live_server.url
    settings.PRESALES = {**settings.PRESALES, "SITE_URL": base}  # the e-mailed link is absolute
    ensure_default_chains()  # the transactional test database starts without them

    team = TeamFactory(name="East Presales")
    head_office = TeamFactory(name="Head office")
    engineer = UserFactory(
        username="engineer", display_name="Zhang Engineer", roles=[Role.PRESALES_ENGINEER], team=team
    )
    presales_manager = UserFactory(
        username="pm", display_name="Li Manager", roles=[Role.PRESALES_MANAGER], team=team
    )
    team.manager = presales_manager
    team.save()
    sales_rep = UserFactory(username="sales", roles=[Role.SALES_REP], team=team)
    UserFactory(username="salesmgr", display_name="Zhao Sales", roles=[Role.SALES_MANAGER], team=team)
    UserFactory(username="legal", display_name="Qian Legal", roles=[Role.LEGAL], team=head_office)
    UserFactory(username="head", display_name="Sun Head", roles=[Role.DEPARTMENT_HEAD], team=head_office)
    UserFactory(username="finance", display_name="Zhou Finance", roles=[Role.FINANCE], team=head_office)
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=sales_rep,
        presales_owner=engineer,
        title="Energy-saving MES",
        stage=Stage.NEEDS_ANALYSIS,
    )
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    ContactFactory(customer=opportunity.customer, name="Wang Plant Director", email="wang@customer.example")
    desk = base + opportunity.get_absolute_url()

    # 1. the engineer writes a rigid and a flexible requirement with the inline form (R-NEED-2)
    sign_in(page, base, "engineer")
    page.goto(desk + "#needs")
    needs = page.get_by_test_id("needs-section")
    add_requirement(page, "rigid", "performance", "降低生產線能耗30%", "Energy use -30%")
    expect(needs.locator("[data-requirement=REQ-001]")).to_be_visible()
    add_requirement(page, "flexible", "service", "提供操作培訓,員工掌握率100%", "Mastery 100%")
    expect(needs.locator("[data-requirement=REQ-002]")).to_be_visible()
    expect(page.get_by_test_id("needs-summary")).to_contain_text("0/2")

    # before the customer confirms, the move into the solution stage says why it is blocked
    # (the "Next moves" card reloads itself after each change of the needs)
    expect(page.get_by_test_id("reasons-start_solution")).to_have_text(
        "1 rigid requirement is not confirmed by the customer."
    )
    expect(page.locator("[data-move=start_solution] button")).to_be_disabled()

    # 2. the confirmation list goes to the customer's contact by e-mail
    send = page.get_by_test_id("send-confirmation")
    pick(page, "[data-testid=send-confirmation] select[name=contact]", "Wang", "Wang Plant Director")
    send.get_by_role("button", name="Send the confirmation list").click()
    expect(page.get_by_test_id("confirmation-requests")).to_contain_text("Wang Plant Director")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["wang@customer.example"]
    link = LINK.search(mailoutbox[0].body).group(0)

    # the customer opens it in a browser of their own: no account, no cookie
    customer = browser.new_context()
    try:
        public = customer.new_page()
        public.goto(link)
        rows = public.locator("tr[data-requirement]")
        expect(rows).to_have_count(2)
        expect(public.get_by_test_id("user-menu")).to_have_count(0)
        for code in ("REQ-001", "REQ-002"):
            public.locator(f"tr[data-requirement={code}] input[value=confirmed]").check()
        public.get_by_role("button", name="Send my answers").click()
        expect(public.get_by_test_id("confirm-done")).to_be_visible()
        assert customer.cookies() == []
    finally:
        customer.close()
    answers = set(
        Requirement.objects.filter(opportunity=opportunity).values_list(
            "confirmation_status", "confirmation_method", "confirmed_by_name"
        )
    )
    assert answers == {(ConfirmationStatus.CONFIRMED, ConfirmationMethod.LINK, "Wang Plant Director")}

    # 3. the gate passes (R-NEED-4): the engineer starts the solution
    page.reload()
    expect(page.get_by_test_id("needs-summary")).to_contain_text("2/2")
    page.locator("[data-move=start_solution] button").click()
    expect(page.get_by_test_id("stage")).to_have_text("Solution")

    page.goto(desk + "#solutions")
    create = page.get_by_test_id("solution-create")
    create.locator("[name=title]").fill("節能 MES 方案")
    create.get_by_role("button").click()
    page.wait_for_url("**/proposals/solutions/versions/*/")
    version = SolutionVersion.objects.get(solution__opportunity=opportunity)

    # sections are written in the rich text editor: a paragraph, then a bulleted list
    for kind, lines in (
        ("background", ["Two lines, 1.2 GWh a year."]),
        ("architecture", ["Sensors on every motor", "Energy dashboard"]),
    ):
        adder = page.get_by_test_id("section-add")
        adder.locator("select[name=new-kind]").select_option(kind)
        adder.locator(".ql-editor").click()
        if len(lines) > 1:
            adder.locator("button.ql-list[value=bullet]").click()
        for i, line in enumerate(lines):
            if i:
                page.keyboard.press("Enter")
            page.keyboard.type(line)
        adder.get_by_role("button", name="Add section").click()
        expect(page.get_by_test_id(f"preview-{kind}")).not_to_be_empty()
    expect(page.get_by_test_id("preview-architecture").locator("li")).to_have_count(2)

    # the rigid requirement is answered by the architecture section (R-SOL-1)
    expect(page.get_by_test_id("unanswered")).to_contain_text("REQ-001")
    mapping = page.get_by_test_id("mapping-REQ-001")
    mapping.locator("select[name=target]").select_option(label="Solution: architecture")
    mapping.get_by_role("button", name="Map").click()
    expect(page.get_by_test_id("mapping-REQ-001")).to_contain_text("Solution: architecture")
    expect(page.get_by_test_id("unanswered")).to_have_count(0)

    # quote lines under the floor, above the lower band: 10% margin (R-QUOTE-1)
    for kind, item, quantity, cost, price in (
        ("hardware", "Energy meters", "20", "900.00", "1000.00"),
        ("service", "Installation", "1", "18000.00", "20000.00"),
    ):
        form = page.get_by_test_id("line-form")
        form.locator("[name=line-kind]").select_option(kind)
        form.locator("[name=line-item]").fill(item)
        form.locator("[name=line-quantity]").fill(quantity)
        form.locator("[name=line-unit]").fill("pcs")
        form.locator("[name=line-unit_cost]").fill(cost)
        form.locator("[name=line-unit_price]").fill(price)
        form.get_by_role("button", name="Add line").click()
        expect(page.get_by_test_id("quote").locator("tbody tr", has_text=item).first).to_be_visible()
    expect(page.get_by_test_id("margin-percent")).to_have_text("10.00%")
    assert MARGIN_GM_BAND < 10 < MARGIN_FLOOR

    page.get_by_test_id("submit-version").click()
    expect(page.get_by_test_id("version-status")).to_have_text("In review")

    # the submitted version opens the review stage; the demo waits for the approval (R-SOL-5)
    page.goto(desk)
    page.locator("[data-move=submit_for_review] button").click()
    expect(page.get_by_test_id("stage")).to_have_text("Review")
    expect(page.get_by_test_id("reasons-start_demo")).to_have_text(
        "A solution version must be approved by its review before the demo (R-SOL-5)."
    )
    # the author does not review their own version (R-REV-5)
    page.goto(base + reverse("reviews:inbox"))
    expect(page.get_by_test_id("inbox-empty")).to_be_visible()

    # 4. the review starts with the finance step and without the general manager's
    review = Review.objects.get(kind=ReviewKind.SOLUTION_VERSION)
    reviewer = browser.new_context()
    try:
        finance_page = reviewer.new_page()
        sign_in(finance_page, base, "finance")
        finance_page.goto(base + reverse("reviews:detail", args=[review.pk]))
        expect(finance_page.get_by_test_id("review-margin")).to_have_text("10.00%")
        steps = finance_page.get_by_test_id("review-tasks")
        expect(steps.locator("tr[data-step='5']")).to_contain_text("Finance (margin below the floor)")
        expect(steps.locator("tr[data-step='5']")).to_contain_text("Zhou Finance")
        expect(steps.locator("tr[data-step='6']").get_by_test_id("skipped-step")).to_contain_text(
            f"Skipped: applies only when the margin is below {MARGIN_GM_BAND:.2f}%."
        )
        # nothing waits for finance before the presales manager and the heads have decided
        finance_page.goto(base + reverse("reviews:inbox"))
        expect(finance_page.get_by_test_id("inbox-empty")).to_be_visible()
    finally:
        reviewer.close()

    # 5. the presales manager, then legal, commercial and technical, then finance approve
    reviewers = (
        ("pm", "1. 售前经理 Presales manager", 0, (4, 3, 5)),
        ("legal", "2. 法务 Legal", 2, (4, 4, 4)),
        ("salesmgr", "3. 商务 Commercial", 2, (3, 3, 4)),
        ("head", "4. 技术 Technical", 2, (5, 4, 4)),
        ("finance", "5. 财务 Finance (margin below the floor)", 0, (4, 3, 4)),
    )
    for username, step, _checks, scores in reviewers:
        context = browser.new_context()
        try:
            reviewer_page = context.new_page()
            sign_in(reviewer_page, base, username)
            approve(reviewer_page, base, step=step, scores=scores, comment=f"OK from {username}")
        finally:
            context.close()
    decided = {t.step_order: t for t in review.tasks.exclude(approver=None).order_by("step_order")}
    assert set(decided) == {1, 2, 3, 4, 5}
    for username, step, checks, scores in reviewers:
        task = decided[int(step[0])]
        assert (task.approver.username, task.state) == (username, "approved")
        assert task.scores == dict(zip(("rationality", "innovation", "completeness"), scores, strict=True))
        assert len(task.checks) == checks and all(result["ok"] for result in task.checks.values())
    review.refresh_from_db()
    version.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and version.status == VersionStatus.APPROVED

    # 6. the author's bell says the version was approved (R-REV-1)
    page.goto(desk)
    bell = page.get_by_test_id("notification-bell")
    expect(bell.get_by_test_id("unread-count")).to_be_visible()
    bell.click()
    expect(page.locator("#notification-bell .dropdown-menu")).to_contain_text(
        f"Approved: {review.kind_label}, 節能 MES 方案 v1"
    )

    # 7. the approved version opens the demo stage; the engineer schedules the demo of it
    page.locator("[data-move=start_demo] button").click()
    expect(page.get_by_test_id("stage")).to_have_text("Demo")
    page.goto(desk + "#demos")
    page.get_by_test_id("demo-new").click()
    page.select_option("#id_solution_version", str(version.pk))
    page.fill("#id_title", "Energy dashboard demo")
    page.fill("#id_starts_at", "2030-03-05T10:00")
    pick(page, "select[name=customer_attendees]", "Wang", "Wang Plant Director")
    page.keyboard.press("Escape")
    page.fill("#id_agenda", "Energy dashboard REQ-001\nQ&A")
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/proposals/demos/*/")
    demo = Demo.objects.get(solution_version=version)
    expect(page.get_by_test_id("demo-agenda").locator("li").first).to_contain_text("REQ-001")
    with page.expect_download() as download:
        page.get_by_test_id("demo-attendees").get_by_test_id("ics-link").first.click()
    path = tmp_path / "invite.ics"
    download.value.save_as(path)
    text = path.read_text()
    assert text.startswith("BEGIN:VCALENDAR")
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Energy dashboard demo"
    assert str(event["UID"]) == demo.uid and f"UID:{demo.uid}" in text

"""Issue 11's journey in headless Chromium, through the pages people use (only the users and an
opportunity in the demo stage, with its approved solution version accepted by the customer,
are made in the database); one browser page, people sign in and out in turn:

the engineer writes the tender analysis and the presales manager decides "bid" (R-BID-5) →
the move into the bid stage, refused before, passes → the engineer records the tender and
prepares the bid; the seal waits for the review (R-BID-2) → the presales manager, legal and
finance approve the bid (R-REV-3) → the engineer seals it and records it won (R-BID-4) → the
contract stage → the sales owner draws the contract from the accepted version (R-SOL-6) and
submits it; the amount is above the threshold, so the general manager's step is in the chain
(R-REV-4) → the sales manager, legal and the general manager approve → the sales owner records
the signing (R-CON-3) and archives the signed scan (R-CON-4) → the move into the handoff.

→ the after-sales team's manager acknowledges the handoff package frozen at signing and names
the after-sales owner (R-HAND-1, R-HAND-2) → the service acceptance is recorded with the
customer's signed form; it passes and schedules the satisfaction surveys (R-HAND-3, R-POST-1).
The whole journey raises no console error and no Content-Security-Policy violation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bids.contracts.choices import ContractStatus
from bids.models import Bid, BidDecision, Contract, CustomerAcceptance, Handoff, Tender
from bids.tenders.choices import BidStatus, Decision
from opportunities.choices import InitiationStatus, Stage
from opportunities.models import Opportunity
from presales.core.roles import Role
from presales.sla.models import Timer
from reviews.choices import ReviewKind, ReviewStatus
from reviews.defaults import CONTRACT_GM_THRESHOLD, ensure_default_chains
from reviews.models import Review
from tests.bids.contracts.factories import accepted_version
from tests.browser.pickers import pick
from tests.factories import OpportunityFactory, ProjectInitiationFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A real (if tiny) PDF: the upload check reads the content, not the name (presales/core/uploads.py).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- the browser: problems, signing in and out, the desk -----------------------------------


def watch_console(page: Page) -> list[str]:
    """Every console error (a Content-Security-Policy refusal is one) and uncaught exception;
    but the browser's own request for /favicon.ico, which the site does not serve (404)."""
    problems: list[str] = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{page.url}: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def as_user(page: Page, base: str, username: str) -> None:
    """The person at the browser changes: whoever is signed in signs out first."""
    if page.get_by_test_id("user-menu").count():
        sign_out(page)
    sign_in(page, base, username)


def open_desk(page: Page, desk: str, tab: str) -> None:
    page.goto(f"{desk}#{tab}")
    expect(page.locator(f"section#{tab}")).to_be_visible()


def move(page: Page, name: str, stage: str) -> None:
    """A move of the desk's "Next moves" card, and the stage it leads to."""
    page.locator(f"[data-move={name}] button").click()
    expect(page.get_by_test_id("stage")).to_have_text(stage)


def no_errors(page: Page) -> None:
    """The last action showed no refusal (its messages would name the reasons)."""
    alerts = page.locator("#messages .alert-danger")
    expect(alerts, " / ".join(alerts.all_inner_texts())).to_have_count(0)


def approve(page: Page, base: str, *, step: str, comment: str) -> None:
    """The reviewer approves the one review of their inbox at ``step``: every check item the
    step has is ticked and every score criterion it asks for is given (whatever the chain
    holds at the time), with a comment."""
    page.goto(base + reverse("reviews:inbox"))
    item = page.get_by_test_id("inbox-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("inbox-step")).to_contain_text(step)
    form = item.get_by_test_id("decide-form")
    for box in form.locator("[data-testid=check-items] input[type=checkbox]").all():
        box.check()
    for criterion in form.locator("[data-criterion]").all():
        criterion.locator("label", has_text="4").click()
    form.locator("textarea").fill(comment)
    form.get_by_test_id("approve").click()
    expect(page.get_by_test_id("inbox-item-done")).to_be_visible()
    expect(page.get_by_test_id("inbox-item")).to_have_count(0)


def local(days: int, hour: int = 10) -> str:
    """A datetime-local value ``days`` from today at ``hour`` in the site's zone."""
    day = (datetime.now(ZoneInfo(settings.TIME_ZONE)) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


# --- the starting point ---------------------------------------------------------------------


def the_deal() -> Opportunity:
    """A tender deal of the East team in the demo stage, its initiation approved and its
    solution version approved and accepted by the customer at 60,000 CNY; its people: the
    engineer (presales owner), the sales owner, the presales and sales managers, and legal,
    finance and the general manager at the head office."""
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
    sales_rep = UserFactory(username="sales", display_name="Chen Sales", roles=[Role.SALES_REP], team=team)
    UserFactory(username="salesmgr", display_name="Zhao Sales", roles=[Role.SALES_MANAGER], team=team)
    UserFactory(username="legal", display_name="Qian Legal", roles=[Role.LEGAL], team=head_office)
    UserFactory(username="finance", display_name="Zhou Finance", roles=[Role.FINANCE], team=head_office)
    UserFactory(username="gm", display_name="Wu General", roles=[Role.GENERAL_MANAGER], team=head_office)
    after_sales = TeamFactory(name="After-sales service", department="after_sales")
    after_sales.manager = UserFactory(
        username="asm", display_name="Feng After-sales", roles=[Role.DEPARTMENT_HEAD], team=after_sales
    )
    after_sales.save()
    UserFactory(username="ase", display_name="Sun Service", roles=[Role.PRESALES_ENGINEER], team=after_sales)
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=sales_rep,
        presales_owner=engineer,
        title="Energy-saving MES",
        stage=Stage.DEMO,
        has_tender=True,
    )
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    version = accepted_version(
        opportunity,
        lines=(
            {"item": "Energy meters", "unit_price": Decimal("48000.00")},
            {"item": "Installation", "unit_price": Decimal("12000.00")},
        ),
        sections=(("architecture", "<p>三層架構：採集層、平台層、應用層。</p>"),),
    )
    assert version.status == "approved"
    return opportunity


# --- the journey, step by step ----------------------------------------------------------------


def decide_to_bid(page: Page, base: str, desk: str, opportunity: Opportunity) -> None:
    """1. R-BID-5: the engineer writes the analysis and the strategy; the move into the bid
    stage waits for the presales manager, who decides "bid"; then the engineer moves."""
    as_user(page, base, "engineer")
    open_desk(page, desk, "bids")
    expect(page.get_by_test_id("reasons-start_bid")).to_contain_text(
        "The presales manager must decide to bid first (R-BID-5)."
    )
    expect(page.locator("[data-move=start_bid] button")).to_be_disabled()
    analysis = page.get_by_test_id("bid-decision-form")
    analysis.locator("[name=analysis]").fill("綜合評分法: 技術 60, 商務 10, 價格 30; 三家入圍.")
    analysis.locator("[name=strategy]").fill("主打節能指標 REQ-001 與本地服務團隊.")
    analysis.get_by_role("button", name="Save the analysis").click()
    no_errors(page)
    # the engineer may not decide: the decide form is there, the service refuses (R-BID-5)
    page.goto(f"{desk}#bids")
    decide = page.get_by_test_id("bid-decide-form")
    decide.locator("[name=decision]").select_option(Decision.BID)
    decide.get_by_role("button", name="Decide").click()
    expect(page.locator("#messages")).to_contain_text("Only the presales manager decides whether to bid.")
    assert BidDecision.objects.get(opportunity=opportunity).decision == Decision.PENDING

    as_user(page, base, "pm")
    open_desk(page, desk, "bids")
    decide = page.get_by_test_id("bid-decide-form")
    decide.locator("[name=decision]").select_option(Decision.BID)
    decide.locator("[name=note]").fill("Strong on energy savings; bid.")
    decide.get_by_role("button", name="Decide").click()
    no_errors(page)
    expect(page.get_by_test_id("bid-decision")).to_contain_text("Bid")
    expect(page.get_by_test_id("bid-decision")).to_contain_text("Li Manager")
    expect(page.get_by_test_id("bid-decide-form")).to_have_count(0)

    as_user(page, base, "engineer")
    page.goto(desk)
    move(page, "start_bid", "Bid")
    decision = BidDecision.objects.get(opportunity=opportunity)
    assert (decision.decision, decision.decided_by.username) == (Decision.BID, "pm")


def write_the_bid_document(page: Page) -> None:
    """R-BID-1: the technical part is drafted from the approved solution, the price part from
    its quote, and the commercial part is written by hand (a bid with an empty part is not
    sent to review)."""
    for kind in ("technical", "price"):
        part = page.locator(f"[data-testid=bid-part][data-kind={kind}]")
        part.get_by_test_id("bid-part-draft").click()
        no_errors(page)
        expect(
            page.locator(f"[data-testid=bid-part][data-kind={kind}] [data-testid=bid-part-content]")
        ).not_to_be_empty()
    commercial = page.locator("[data-testid=bid-part][data-kind=commercial]")
    commercial.locator("details summary").click()
    commercial.locator(".ql-editor").click()
    page.keyboard.type("商務條款：交貨期 60 天，質保 12 個月。")
    commercial.get_by_role("button", name="Save as a new version").click()
    no_errors(page)
    expect(
        page.locator("[data-testid=bid-part][data-kind=commercial] [data-testid=bid-part-content]")
    ).to_contain_text("交貨期 60 天")
    expect(
        page.locator("[data-testid=bid-part][data-kind=price] [data-testid=bid-part-content]")
    ).to_contain_text("Energy meters")


def prepare_and_review_the_bid(page: Page, base: str, desk: str, opportunity: Opportunity) -> None:
    """2. R-BID-1, R-REV-3: the engineer records the tender (dates ahead), writes the bid and
    sends it to review; it cannot be sealed yet (R-BID-2); the presales manager, legal and
    finance approve it in their inboxes."""
    open_desk(page, desk, "bids")
    page.locator("[data-testid=desk-bids] details summary", has_text="Record the tender").click()
    tender_form = page.get_by_test_id("tender-form")
    tender_form.locator("[name=issuer]").fill("市政府採購中心")
    tender_form.locator("[name=number]").fill("ZB-2026-011")
    tender_form.locator("[name=documents_purchase_at]").fill(local(2))
    tender_form.locator("[name=questions_until]").fill(local(5))
    tender_form.locator("[name=submission_deadline]").fill(local(10))
    tender_form.locator("[name=opening_at]").fill(local(11))
    tender_form.locator("[name=bond_amount]").fill("20000.00")
    tender_form.get_by_role("button", name="Save").click()
    no_errors(page)
    expect(page.get_by_test_id("tender")).to_contain_text("市政府採購中心 · ZB-2026-011")
    tender = Tender.objects.get(opportunity=opportunity)
    assert tender.submission_deadline > timezone.now()

    bids = page.get_by_test_id("desk-bids")
    bids.locator("[name=summary]").fill("技術標與商務標; 報價 60,000 元.")
    bids.get_by_role("button", name="Save the bid").click()
    no_errors(page)
    expect(page.get_by_test_id("bid-status")).to_contain_text("Draft")
    write_the_bid_document(page)
    page.get_by_test_id("bid-submit").click()
    no_errors(page)
    expect(page.get_by_test_id("bid-status")).to_contain_text("In review")
    # R-BID-2: no seal before the review approves
    expect(page.get_by_test_id("bid-seal")).to_be_disabled()
    expect(page.get_by_test_id("seal-reason").first).to_contain_text(
        "The bid review must approve the bid before it is sealed"
    )
    # R-REV-5: the bid is the engineer's own work, not in their inbox
    page.goto(base + reverse("reviews:inbox"))
    expect(page.get_by_test_id("inbox-empty")).to_be_visible()

    for username, step in (
        ("pm", "1. 售前经理 Presales manager"),
        ("legal", "2. 法务 Legal"),
        ("finance", "3. 财务 Finance"),
    ):
        as_user(page, base, username)
        approve(page, base, step=step, comment=f"Bid OK from {username}")
    review = Review.objects.get(kind=ReviewKind.BID)
    assert review.status == ReviewStatus.APPROVED
    approvers = set(review.tasks.filter(state="approved").values_list("approver__username", flat=True))
    assert approvers == {"pm", "legal", "finance"}


def seal_and_win(page: Page, base: str, desk: str, opportunity: Opportunity) -> None:
    """3. R-BID-2, R-BID-4: the engineer seals the approved bid before the deadline, records it
    won and starts the contract."""
    as_user(page, base, "engineer")
    open_desk(page, desk, "bids")
    expect(page.get_by_test_id("bid-status")).to_contain_text("Approved")
    page.get_by_test_id("bid-seal").click()
    no_errors(page)
    expect(page.get_by_test_id("bid-status")).to_contain_text("Sealed")
    # the contract waits for the result (R-BID-4)
    expect(page.get_by_test_id("reasons-start_contract")).to_contain_text(
        "The bid must be won before the contract (R-BID-4)."
    )
    result = page.get_by_test_id("bid-result-form")
    result.locator("[name=won]").select_option("1")
    result.locator("[name=winning_vendor]").fill("Our company")
    result.locator("[name=winning_price]").fill("60000.00")
    result.get_by_role("button", name="Record the result").click()
    no_errors(page)
    expect(page.get_by_test_id("bid-status")).to_contain_text("Won")
    move(page, "start_contract", "Contract")
    bid = Bid.objects.get(opportunity=opportunity)
    assert bid.status == BidStatus.WON and bid.sealed_at is not None


def approve_the_contract(page: Page, base: str, desk: str, opportunity: Opportunity) -> None:
    """4. R-SOL-6, R-REV-4: the sales owner draws the contract from the accepted version and
    submits it; above the threshold the general manager's step is in the chain; the sales
    manager, legal and the general manager approve."""
    as_user(page, base, "sales")
    open_desk(page, desk, "contract")
    page.get_by_test_id("contract-create").click()
    no_errors(page)
    expect(page.get_by_test_id("contract-status")).to_have_text("Draft")
    expect(page.get_by_test_id("contract-line")).to_have_count(2)
    expect(page.get_by_test_id("contract-consistent")).to_be_visible()
    contract = Contract.objects.get(opportunity=opportunity)
    assert contract.amount == Decimal("60000.00") > CONTRACT_GM_THRESHOLD
    page.get_by_test_id("contract-submit").click()
    no_errors(page)
    expect(page.get_by_test_id("contract-status")).to_have_text("In review")

    review = Review.objects.get(kind=ReviewKind.CONTRACT)
    page.goto(base + reverse("reviews:detail", args=[review.pk]))
    steps = page.get_by_test_id("review-tasks")
    expect(steps.locator("tr[data-step='3']")).to_contain_text("总经理 General manager")
    expect(steps.locator("tr[data-step='3']")).to_contain_text("Wu General")
    expect(steps.get_by_test_id("skipped-step")).to_have_count(0)

    for username, step in (
        ("salesmgr", "1. 销售经理 Sales manager"),
        ("legal", "2. 法务 Legal"),
        ("gm", "3. 总经理 General manager"),
    ):
        as_user(page, base, username)
        approve(page, base, step=step, comment=f"Contract OK from {username}")
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    approvers = set(review.tasks.filter(state="approved").values_list("approver__username", flat=True))
    assert approvers == {"salesmgr", "legal", "gm"}


def sign_and_archive(page: Page, base: str, desk: str, opportunity: Opportunity, tmp_path: Path) -> None:
    """5. R-CON-3, R-CON-4: the sales owner records who signed, with what authority, how and
    when, then uploads the signed scan (a PDF) and says where the paper original is kept."""
    as_user(page, base, "sales")
    open_desk(page, desk, "contract")
    expect(page.get_by_test_id("contract-status")).to_have_text("Approved")
    signing = page.get_by_test_id("contract-sign")
    signing.locator("[name=customer_signatory_name]").fill("王經理")
    signing.locator("[name=customer_signatory_title]").fill("采购部经理")
    signing.locator("[name=customer_authorisation_ref]").fill("授權委託書 2026-041")
    signing.locator("[name=our_signatory_name]").fill("李总")
    signing.locator("[name=our_signatory_capacity]").select_option("authorised")
    signing.locator("[name=signing_method]").select_option("seal")
    signing.locator("[name=signed_on]").fill(timezone.localdate().isoformat())
    signing.get_by_role("button", name="Record the signing").click()
    no_errors(page)
    expect(page.get_by_test_id("contract-status")).to_have_text("Signed")
    expect(page.get_by_test_id("desk-contract")).to_contain_text("by 王經理 (授權委託書 2026-041)")

    scan_path = tmp_path / "contract-signed.pdf"
    scan_path.write_bytes(PDF)
    scan = page.get_by_test_id("contract-scan")
    scan.locator("[name=signed_scan]").set_input_files(str(scan_path))
    scan.locator("[name=archive_location]").fill("Archive room B, cabinet 3")
    scan.get_by_role("button", name="Archive the signed scan").click()
    no_errors(page)
    expect(page.get_by_test_id("contract-scan")).to_have_count(0)
    expect(page.get_by_test_id("desk-contract")).to_contain_text("Archived: Archive room B, cabinet 3.")
    # the stored scan is the uploaded file, served back as a download
    with page.expect_download() as download:
        page.get_by_test_id("contract-scan-download").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF


def move_into_the_handoff(page: Page, desk: str, opportunity: Opportunity) -> None:
    """6. R-CON-3: with the contract signed, the sales owner moves the deal into the handoff;
    the desk shows the stage and the contract signed and archived."""
    page.goto(desk)
    move(page, "handoff", "Handoff")
    open_desk(page, desk, "contract")
    expect(page.get_by_test_id("contract-status")).to_have_text("Signed")
    expect(page.get_by_test_id("desk-contract")).to_contain_text("Archived: Archive room B, cabinet 3.")
    expect(page.get_by_test_id("contract-scan-download")).to_be_visible()
    opportunity.refresh_from_db()
    contract = Contract.objects.get(opportunity=opportunity)
    assert opportunity.stage == Stage.HANDOFF
    assert contract.status == ContractStatus.SIGNED
    assert contract.archived_at is not None and contract.archive_location == "Archive room B, cabinet 3"
    assert contract.signed_scan.name.endswith(".pdf")
    assert (contract.customer_signatory_name, contract.signing_method) == ("王經理", "seal")


def acknowledge_the_handoff(page: Page, base: str, opportunity: Opportunity) -> None:
    """7. R-HAND-1, R-HAND-2: the handoff package was made at signing; the after-sales team's
    manager opens it, sees the frozen sections and acknowledges it, naming the after-sales
    owner."""
    handoff = Handoff.objects.get(opportunity=opportunity)
    assert handoff.receiving_team.name == "After-sales service"
    as_user(page, base, "asm")
    page.goto(base + reverse("bids:handoff-detail", args=[handoff.pk]))
    package = page.get_by_test_id("handoff-package")
    expect(package).to_contain_text("Energy meters")  # the product configuration
    expect(package.get_by_test_id("handoff-section-payment_plan")).to_be_visible()
    expect(package.get_by_test_id("handoff-note-risks")).to_be_visible()
    pick(page, "[data-testid=handoff-acknowledge] select[name=after_sales_owner]", "Sun", "Sun Service")
    page.get_by_test_id("handoff-acknowledge").get_by_role("button", name="Acknowledge").click()
    no_errors(page)
    expect(page.get_by_test_id("handoff-owner")).to_have_text("Sun Service")
    handoff.refresh_from_db()
    assert handoff.acknowledged_at is not None and handoff.after_sales_owner.username == "ase"


def record_the_acceptance(page: Page, base: str, opportunity: Opportunity, tmp_path: Path) -> None:
    """8. R-HAND-3, R-POST-1: the service acceptance meeting passed; the signed acceptance form
    is uploaded; the 1-, 3- and 6-month surveys are scheduled."""
    handoff = Handoff.objects.get(opportunity=opportunity)
    form_path = tmp_path / "service-acceptance.pdf"
    form_path.write_bytes(PDF)
    accept = page.get_by_test_id("handoff-accept")
    accept.locator("[name=kind]").select_option("service")
    accept.locator("[name=result]").select_option("passed")
    accept.locator("[name=accepted_on]").fill(timezone.localdate().isoformat())
    accept.locator("[name=notes]").fill("培训完成，系统上线。")
    accept.locator("[name=signed_scan]").set_input_files(str(form_path))
    accept.get_by_role("button", name="Record the acceptance").click()
    no_errors(page)
    row = page.get_by_test_id("acceptance-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Passed")
    acceptance = CustomerAcceptance.objects.get(handoff=handoff)
    assert acceptance.result == "passed" and acceptance.signed_scan.name.endswith(".pdf")
    surveys = Timer.objects.filter(kind__in=["survey_1m", "survey_3m", "survey_6m"], state="open")
    assert surveys.count() == 3


def test_issue11_journey_from_the_bid_decision_to_the_handoff(live_server, page: Page, tmp_path):
    base = live_server.url
    problems = watch_console(page)
    opportunity = the_deal()
    desk = base + opportunity.get_absolute_url()

    decide_to_bid(page, base, desk, opportunity)
    prepare_and_review_the_bid(page, base, desk, opportunity)
    seal_and_win(page, base, desk, opportunity)
    approve_the_contract(page, base, desk, opportunity)
    sign_and_archive(page, base, desk, opportunity, tmp_path)
    move_into_the_handoff(page, desk, opportunity)

    acknowledge_the_handoff(page, base, opportunity)
    record_the_acceptance(page, base, opportunity, tmp_path)

    assert problems == []

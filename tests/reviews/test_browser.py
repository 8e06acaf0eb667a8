"""The inbox in a real browser: scores and decisions posted inline with htmx (R-REV-2,
R-REV-5). The full initiation journey lives in tests/browser/."""

import pytest

from presales.core.roles import Role
from reviews.models import ReviewTask
from reviews.services import review_start
from tests.reviews.conftest import CRITERIA, KIND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_manager_scores_and_decides_from_the_inbox(page, live_server, make_chain, lead, author, manager):
    # given a scored review waiting for the manager
    make_chain([{"approver_role": Role.PRESALES_MANAGER}], criteria=CRITERIA)
    review = review_start(actor=author, subject=lead, kind=KIND)
    sign_in(page, live_server, manager)
    assert page.locator("[data-badge=reviews]").inner_text() == "1"
    page.click("[data-nav=reviews]")
    card = page.locator(f"#review-{review.pk}")
    assert "Acme Robotics" in card.inner_text()
    # when they reject without a comment, then the card shows why, in place
    card.locator("label", has_text="2").first.click()
    card.get_by_test_id("reject").click()
    page.get_by_text("Say why you reject it").wait_for()
    assert ReviewTask.objects.get(review=review).state == "pending"
    # when they score every criterion and approve
    card = page.locator(f"#review-{review.pk}")
    for criterion in ("rationality", "innovation", "completeness"):
        card.locator(f"[data-criterion=score_{criterion}] label", has_text="4").click()
    card.get_by_test_id("approve").click()
    # then the card is swapped for the outcome and the badge empties
    page.get_by_test_id("inbox-item-done").wait_for()
    assert "You approved it; the review is complete." in page.get_by_test_id("inbox-item-done").inner_text()
    assert page.locator("[data-badge=reviews]").inner_text() == ""
    task = ReviewTask.objects.get(review=review)
    assert task.state == "approved"
    assert task.scores == {"rationality": 4, "innovation": 4, "completeness": 4}


def test_legal_ticks_and_comments_its_check_items_from_the_inbox_R_REV_2(
    page, live_server, make_chain, lead, author, make_user
):
    # given a review whose legal step has two check items
    legal = make_user(Role.LEGAL, username="legal")
    items = [
        {"code": "contract_terms", "label": "Contract terms"},
        {"code": "ip_statements", "label": "IP statements"},
    ]
    make_chain([{"approver_role": Role.LEGAL, "mode": "any", "check_items": items}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    sign_in(page, live_server, legal)
    page.click("[data-nav=reviews]")
    card = page.locator(f"#review-{review.pk}")
    assert "IP statements" in card.get_by_test_id("inbox-check-items").inner_text()
    # when they approve with one item ticked and the other left blank, the card says which
    card.get_by_role("checkbox", name="Contract terms").check()
    card.get_by_test_id("approve").click()
    page.get_by_text("Check item IP statements: tick it").wait_for()
    assert ReviewTask.objects.get(review=review).state == "pending"
    # when they comment the other item and approve, the decision records both
    card = page.locator(f"#review-{review.pk}")
    card.get_by_role("textbox", name="Comment on IP statements").fill("Licence list to follow")
    card.get_by_test_id("approve").click()
    page.get_by_test_id("inbox-item-done").wait_for()
    task = ReviewTask.objects.get(review=review)
    assert task.checks == {
        "contract_terms": {"ok": True, "comment": ""},
        "ip_statements": {"ok": False, "comment": "Licence list to follow"},
    }

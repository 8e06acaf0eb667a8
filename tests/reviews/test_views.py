"""Web pages: the inbox with inline decisions, the review form (R-REV-6), the list."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from presales.core.roles import Role
from reviews.choices import ReviewStatus, StepMode, TaskState
from reviews.models import ReviewTask
from reviews.services import review_decide, review_start
from tests.factories import LeadFactory, TeamFactory
from tests.reviews.conftest import CRITERIA, KIND

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


@pytest.fixture
def scored_review(make_chain, lead, author, manager, sales_manager):
    make_chain(
        [{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}], criteria=CRITERIA
    )
    return review_start(actor=author, subject=lead, kind=KIND)


def login(client, user):
    client.force_login(user)
    return client


def test_inbox_shows_summary_progress_and_the_decision_form(client, scored_review, manager):
    page = login(client, manager).get(reverse("reviews:inbox")).content.decode()
    assert 'data-testid="inbox-item"' in page
    assert "Acme Robotics" in page
    assert "Steps done: 0 of 2" in page
    assert "Test lead" in page  # the kind tab
    for code in ("rationality", "innovation", "completeness"):
        assert f'name="r{scored_review.pk}-score_{code}"' in page
    assert f'hx-post="{reverse("reviews:decide", args=[scored_review.pk])}"' in page


def test_inbox_is_empty_for_someone_with_nothing_to_decide(client, scored_review, engineer):
    page = login(client, engineer).get(reverse("reviews:inbox")).content.decode()
    assert 'data-testid="inbox-empty"' in page and "Acme Robotics" not in page


def _decision(review, decision, comment="", scores=None, context="inbox"):
    data = {f"r{review.pk}-decision": decision, f"r{review.pk}-comment": comment, "context": context}
    for code, value in (scores or {}).items():
        data[f"r{review.pk}-score_{code}"] = value
    return data


def test_approving_inline_swaps_the_card(client, scored_review, manager):
    """From the inbox, htmx posts the decision and gets the decided card back."""
    login(client, manager)
    response = client.post(
        reverse("reviews:decide", args=[scored_review.pk]),
        _decision(
            scored_review, "approve", "Looks right", {"rationality": 4, "innovation": 4, "completeness": 3}
        ),
        **HTMX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="inbox-item-done"' in page and "You approved it." in page
    assert "hx-swap-oob" in page
    task = ReviewTask.objects.get(review=scored_review, approver=manager)
    assert task.state == TaskState.APPROVED and task.scores == {
        "rationality": 4,
        "innovation": 4,
        "completeness": 3,
    }


def test_rejecting_without_comment_shows_a_form_error_and_keeps_the_input(client, scored_review, manager):
    """R-REV-5: reject requires a comment: a form error, not a 500; nothing is lost."""
    login(client, manager)
    response = client.post(
        reverse("reviews:decide", args=[scored_review.pk]),
        _decision(scored_review, "reject", "", {"rationality": 2}),
        **HTMX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why you reject it" in page
    assert re.search(r'value="2"[^>]*checked', page)  # the score chosen is still selected
    assert ReviewTask.objects.get(review=scored_review, approver=manager).state == TaskState.PENDING


def test_missing_scores_show_on_the_form(client, scored_review, manager):
    login(client, manager)
    response = client.post(
        reverse("reviews:decide", args=[scored_review.pk]), _decision(scored_review, "approve"), **HTMX
    )
    assert "Score Rationality from 1 to 5." in response.content.decode()


def test_a_refusal_shows_on_the_review_page(client, scored_review, sales_manager):
    """Out of turn (R-REV-5): the refusal is shown, not a server error."""
    login(client, sales_manager)
    response = client.post(
        reverse("reviews:decide", args=[scored_review.pk]),
        _decision(
            scored_review,
            "approve",
            scores={"rationality": 3, "innovation": 3, "completeness": 3},
            context="detail",
        ),
    )
    assert response.status_code == 200
    assert "It is not your turn yet" in response.content.decode()


def test_deciding_from_the_review_page_redirects_back_to_it(client, scored_review, manager):
    login(client, manager)
    response = client.post(
        reverse("reviews:decide", args=[scored_review.pk]),
        _decision(
            scored_review,
            "approve",
            scores={"rationality": 3, "innovation": 3, "completeness": 3},
            context="detail",
        ),
    )
    assert response.status_code == 302 and response["Location"] == scored_review.get_absolute_url()


def test_the_review_form_lists_reviewers_decisions_scores_comments_and_times(
    client, make_chain, team, author, manager, sales_manager, general_manager
):
    """R-REV-6: the review form shows every reviewer, decision, score, comment and time,
    the average per criterion, and skipped steps."""
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "name": "Presales check"},
            {"approver_role": Role.SALES_MANAGER, "name": "Commercial check"},
            {"approver_role": Role.GENERAL_MANAGER, "name": "GM sign-off", "condition_min_amount": 10000},
        ],
        criteria=CRITERIA,
    )
    lead = LeadFactory(team=team, owner=author, budget=8000, company_name="Zenith Motors")
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(
        actor=manager,
        review=review,
        decision="approve",
        comment="Sound architecture",
        scores={"rationality": 4, "innovation": 3, "completeness": 5},
    )
    review_decide(
        actor=sales_manager,
        review=review,
        decision="reject",
        comment="Margin too thin",
        scores={"rationality": 2, "innovation": 3, "completeness": 4},
    )
    page = login(client, author).get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Test lead review form" in page
    assert "Zenith Motors" in page
    for text in (
        "Presales check",
        "Commercial check",
        "GM sign-off",
        "Manager",
        "Sales_Manager",
        "Sound architecture",
        "Margin too thin",
        "Rejected",
        "Approved",
    ):
        assert text in page, text
    assert "Skipped: applies only when the amount exceeds 10,000.00 CNY." in page
    # amounts read as everywhere else: the one money filter (issue 8)
    assert re.search(r'data-testid="review-amount">\s*8,000\.00 CNY\s*<', page)
    # the averages per criterion and overall
    assert re.search(r'data-criterion="rationality">.*?3\.00', page, re.S)
    assert re.search(r'data-criterion="completeness">.*?4\.50', page, re.S)
    assert 'data-testid="overall-average">3.50' in page
    # the decision times
    task = ReviewTask.objects.get(review=review, approver=manager)
    from django.utils import timezone

    assert timezone.localtime(task.decided_at).strftime("%Y-%m-%d %H:%M") in page
    assert 'data-testid="outcome-note">Margin too thin' in page
    # printable (the print styles are a static file: the CSP allows no inline style)
    assert "css/review_sheet.css" in page
    assert "@media print" in (ROOT / "static" / "css" / "review_sheet.css").read_text()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("no_role", 403), ("other_team", 404), ("teammate", 200), ("legal", 200)],
)
def test_review_form_visibility(
    client, scored_review, make_user, team, other_team, no_role_user, who, status
):
    users = {
        "anonymous": None,
        "no_role": no_role_user,
        "other_team": make_user(Role.PRESALES_ENGINEER, team=other_team),
        "teammate": make_user(Role.PRESALES_ENGINEER, team=team),
        "legal": make_user(Role.LEGAL, team=TeamFactory(name="Legal")),
    }
    if users[who]:
        client.force_login(users[who])
    assert client.get(reverse("reviews:detail", args=[scored_review.pk])).status_code == status
    if who == "other_team":
        response = client.post(
            reverse("reviews:decide", args=[scored_review.pk]), _decision(scored_review, "approve")
        )
        assert response.status_code == 404


def test_the_author_withdraws_from_the_review_page(client, scored_review, author, manager):
    """R-REV-5: withdraw with a reason; without one the form says so."""
    login(client, manager)
    page = client.get(reverse("reviews:detail", args=[scored_review.pk])).content.decode()
    assert 'data-testid="cancel-form"' not in page  # only the author or an admin
    response = client.post(reverse("reviews:cancel", args=[scored_review.pk]), {"reason": "no"})
    assert "You are not allowed to make this move." in response.content.decode()
    login(client, author)
    page = client.get(reverse("reviews:detail", args=[scored_review.pk])).content.decode()
    assert 'data-testid="cancel-form"' in page and 'data-testid="decide-form"' not in page
    response = client.post(reverse("reviews:cancel", args=[scored_review.pk]), {"reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(reverse("reviews:cancel", args=[scored_review.pk]), {"reason": "Scope changed"})
    assert response.status_code == 302
    scored_review.refresh_from_db()
    assert scored_review.status == ReviewStatus.CANCELLED


def test_list_page_filters_visible_reviews(client, scored_review, manager):
    login(client, manager)
    page = client.get(reverse("reviews:list")).content.decode()
    assert "Acme Robotics" in page and "0 / 2" in page
    page = client.get(reverse("reviews:list"), {"status": "approved"}, **HTMX).content.decode()
    assert "Acme Robotics" not in page and "<html" not in page


def test_navigation_badge_counts_reviews_waiting(client, scored_review, manager, engineer):
    page = login(client, manager).get(reverse("dashboard")).content.decode()
    assert re.search(r'data-badge="reviews">1<', page)
    assert 'data-panel="reviews"' in page
    page = login(client, engineer).get(reverse("dashboard")).content.decode()
    assert 'data-badge="reviews"' not in page


@pytest.fixture
def inbox_queries(client, make_chain, team, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY}], criteria=CRITERIA)

    made = []

    def measure(n):
        """Add reviews until ``n`` wait for the manager; count the inbox page's queries."""
        for i in range(n - len(made)):
            made.append(i)
            review_start(actor=author, subject=LeadFactory(team=team, owner=author, budget=i), kind=KIND)
        client.force_login(manager)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("reviews:inbox"))
        assert response.content.decode().count('data-testid="inbox-item"') == n
        return len(ctx.captured_queries)

    return measure


def test_inbox_page_query_count_is_the_same_for_2_and_10_reviews(inbox_queries, make_chain, team, author):
    assert inbox_queries(2) == inbox_queries(10)


def test_admin_configures_chains_with_inline_steps_and_reads_reviews(client, scored_review, make_user):
    """Support staff: chains with their steps; reviews read-only (no add, change or delete)."""
    staff = make_user(is_superuser=True, is_staff=True)
    client.force_login(staff)
    chain = scored_review.chain
    assert client.get(reverse("admin:reviews_reviewchain_changelist")).status_code == 200
    page = client.get(reverse("admin:reviews_reviewchain_change", args=[chain.pk])).content.decode()
    assert "steps-TOTAL_FORMS" in page and 'name="kind"' in page
    assert client.get(reverse("admin:reviews_reviewchain_add")).status_code == 200
    assert client.get(reverse("admin:reviews_review_changelist")).status_code == 200
    assert client.get(reverse("admin:reviews_review_change", args=[scored_review.pk])).status_code == 200
    assert client.get(reverse("admin:reviews_review_add")).status_code == 403
    response = client.post(reverse("admin:reviews_review_delete", args=[scored_review.pk]), {"post": "yes"})
    assert response.status_code == 403

"""Reads: the inbox (constant query count), visibility, the review form (R-REV-6)."""

from decimal import Decimal

import pytest

from presales.core.roles import Role, scope_of
from reviews.choices import StepMode, StepState
from reviews.models import Review
from reviews.selectors import (
    inbox_counts,
    inbox_for,
    pending_count,
    review_form,
    reviews_for_subject,
    score_averages,
)
from reviews.services import review_decide, review_start
from tests.factories import LeadFactory, TeamFactory
from tests.reviews.conftest import CRITERIA, KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


def _submit(n, *, team, author):
    return [
        review_start(actor=author, subject=LeadFactory(team=team, owner=author, budget=1000 + i), kind=KIND)
        for i in range(n)
    ]


def test_inbox_lists_reviews_waiting_for_the_user_with_progress_and_decisions(
    make_chain, team, author, manager, sales_manager, engineer
):
    """The inbox shows what waits for the user: summary, progress, earlier decisions."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    first, second = _submit(2, team=team, author=author)
    review_decide(actor=manager, review=first, decision="approve", comment="Good")
    # the sales manager waits on the first only, the manager on the second only
    [item] = inbox_for(sales_manager)
    assert item.pk == first.pk
    assert (item.steps_done, item.steps_total) == (1, 2)
    assert [(d.approver, d.comment) for d in item.decisions] == [(manager, "Good")]
    assert item.current_step.order == 2 and item.current_step.state == StepState.CURRENT
    assert [r.pk for r in inbox_for(manager)] == [second.pk]
    assert list(inbox_for(engineer)) == []
    assert pending_count(sales_manager) == 1 and pending_count(engineer) == 0
    assert inbox_counts(manager) == [(KIND, "Test lead", 1)]
    assert list(inbox_for(manager, kind="contract")) == []


@pytest.mark.parametrize("count", [2, 10])
def test_inbox_query_count_does_not_grow_with_the_reviews(
    make_chain, team, author, manager, django_assert_num_queries, count
):
    """The inbox prefetches once: two queries for 2 or 10 reviews, progress included."""
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER},
            {"approver_role": Role.GENERAL_MANAGER, "condition_min_amount": 1_000_000},
        ]
    )
    _submit(count, team=team, author=author)
    manager = type(manager).objects.get(pk=manager.pk)
    with django_assert_num_queries(2):
        items = list(inbox_for(manager))
        rendered = [
            (r.subject_summary, r.steps_done, r.steps_total, r.author.username, r.team.name, len(r.decisions))
            for r in items
        ]
    assert len(rendered) == count


def test_reviews_for_subject_newest_first(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    first = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=manager, review=first, decision="reject", comment="Revise")
    second = review_start(actor=author, subject=lead, kind=KIND)
    assert [r.pk for r in reviews_for_subject(lead)] == [second.pk, first.pk]


def test_review_form_lists_reviewers_decisions_scores_and_averages(make_chain, lead, author, team, make_user):
    """R-REV-6 / R-REV-2: the form lists every reviewer and the average per criterion."""
    a = make_user(Role.PRESALES_MANAGER, team=team, username="a")
    b = make_user(Role.PRESALES_MANAGER, team=team, username="b")
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ALL}], criteria=CRITERIA)
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(
        actor=a,
        review=review,
        decision="approve",
        scores={"rationality": 4, "innovation": 3, "completeness": 5},
    )
    review_decide(
        actor=b,
        review=review,
        decision="approve",
        scores={"rationality": 5, "innovation": 2, "completeness": 4},
        comment="Nice",
    )
    sheet = review_form(Review.objects.with_tasks().get(pk=review.pk))
    assert [c.code for c in sheet.criteria] == ["rationality", "innovation", "completeness"]
    assert [c.average for c in sheet.criteria] == [Decimal("4.50"), Decimal("2.50"), Decimal("4.50")]
    assert sheet.overall_average == Decimal("3.83")
    assert sheet.reviewers == [a, b]
    assert [(d.approver, d.comment) for d in sheet.decisions] == [(a, ""), (b, "Nice")]
    assert sheet.steps[0].state == StepState.APPROVED
    assert score_averages(Review.objects.filter(pk=review.pk)) == {
        "rationality": Decimal("4.50"),
        "innovation": Decimal("2.50"),
        "completeness": Decimal("4.50"),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("author", True),
        ("approver_elsewhere", True),
        ("team_member", True),
        ("team_manager", True),
        ("legal", True),
        ("other_team", False),
        ("no_role", False),
    ],
)
def test_a_review_is_visible_to_its_people_its_team_and_all_scope_roles(
    make_chain, lead, author, team, other_team, make_user, who, sees
):
    rd_head = make_user(Role.DEPARTMENT_HEAD, team=TeamFactory(name="R&D"))
    make_chain([{"approver_user": rd_head}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    boss = make_user(Role.PRESALES_MANAGER, team=other_team)
    team.manager = boss
    team.save()
    users = {
        "author": author,
        "approver_elsewhere": rd_head,
        "team_member": make_user(Role.PRESALES_ENGINEER, team=team),
        "team_manager": type(boss).objects.get(pk=boss.pk),
        "legal": make_user(Role.LEGAL, team=TeamFactory(name="Legal")),
        "other_team": make_user(Role.PRESALES_ENGINEER, team=other_team),
        "no_role": make_user(team=team),
    }
    assert Review.objects.visible_to(users[who]).filter(pk=review.pk).exists() is sees


@pytest.mark.parametrize("count", [3, 12])
def test_the_dashboard_panel_reads_five_reviews_in_three_queries_whatever_the_number(
    make_chain, team, author, manager, sales_manager, django_assert_num_queries, count
):
    """The "waiting for you" panel (R-REV-1): the five that waited longest for the user, in
    the order their task reached the user, and the total; three queries for 3 or 12."""
    from django.utils import timezone

    from reviews.models import ReviewTask
    from reviews.views import inbox_panel

    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    reviews = _submit(count, team=team, author=author)
    # the first review reached the sales manager's step last; the others never did
    review_decide(actor=manager, review=reviews[0], decision="approve")
    # the manager's tasks opened in the reverse order of the reviews' ids
    for i, review in enumerate(reviews[1:]):
        ReviewTask.objects.filter(review=review, approver=manager).update(
            opened_at=timezone.now() - timezone.timedelta(hours=i)
        )
    manager = type(manager).objects.get(pk=manager.pk)
    scope_of(manager)  # the roles, read once per request by the dashboard
    with django_assert_num_queries(3):
        panel = inbox_panel(manager)
        shown = [(r.pk, r.steps_done, r.author.username) for r in panel["reviews"]]
    assert panel["count"] == count - 1
    assert [pk for pk, _done, _author in shown] == [r.pk for r in reversed(reviews[1:])][:5]
    [only] = inbox_panel(sales_manager)["reviews"]
    assert only.pk == reviews[0].pk and only.steps_done == 1


def test_the_inbox_is_driven_by_the_users_pending_tasks(make_chain, team, author, manager):
    """The inbox reads the user's pending tasks first (index review_task_inbox), then their
    reviews by key: no per-review EXISTS over every review in progress."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    _submit(2, team=team, author=author)
    sql = str(inbox_for(manager).query).upper()
    assert (
        "= ANY(ARRAY(" in sql.replace(" ", "").replace("=ANY(ARRAY(", "= ANY(ARRAY(") and "EXISTS" not in sql
    )

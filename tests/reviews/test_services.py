"""The review engine's services: every path allowed and refused (R-REV-1, R-REV-2, R-REV-4, R-REV-5)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from reviews.choices import ApproverScope, ReviewStatus, StepMode, TaskCloseReason, TaskState
from reviews.models import Review, ReviewTask
from reviews.services import (
    review_cancel,
    review_cancel_for_subject,
    review_decide,
    review_start,
)
from tests.factories import LeadFactory, TeamFactory
from tests.reviews.conftest import CRITERIA, FULL_SCORES, KIND

pytestmark = pytest.mark.django_db


def snapshot(review):
    """Everything a refused call must leave untouched."""
    review.refresh_from_db()
    tasks = list(
        ReviewTask.objects.filter(review=review)
        .order_by("pk")
        .values_list("pk", "state", "decided_at", "comment", "scores")
    )
    return (review.status, review.current_step_order, review.version, review.finished_at, tasks)


def states(review, order=None):
    qs = ReviewTask.objects.filter(review=review).order_by("step_order", "pk")
    if order is not None:
        qs = qs.filter(step_order=order)
    return [t.state for t in qs]


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL, team=TeamFactory(name="Legal"), username="legal")


@pytest.fixture
def two_managers(make_user, team, manager):
    """The team's manager and a second presales manager in the team."""
    return manager, make_user(Role.PRESALES_MANAGER, team=team, username="manager2")


# --- start ---------------------------------------------------------------------------------


def test_start_plans_every_step_and_opens_the_first(
    make_chain, lead, author, manager, sales_manager, followups
):
    """R-REV-1: a review runs the active chain; its first step is open, later ones wait."""
    # given a two-step chain: presales manager, then sales manager
    chain = make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    # when the author submits the lead
    review = review_start(actor=author, subject=lead, kind=KIND)
    # then the review is in progress on step 1 with a snapshot of the subject
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS
    assert review.chain == chain
    assert review.current_step_order == 1
    assert review.subject == lead
    assert review.author == author and review.started_by == author and review.team == lead.team
    # (summarised from the subject as stored, re-read under its lock: the budget is a decimal)
    assert review.subject_summary == "Acme Robotics (budget 50000.00)"
    assert review.amount == Decimal("50000")
    tasks = list(review.tasks.order_by("step_order"))
    assert [(t.step_order, t.approver, t.state) for t in tasks] == [
        (1, manager, TaskState.PENDING),
        (2, sales_manager, TaskState.WAITING),
    ]
    assert tasks[0].opened_at is not None and tasks[1].opened_at is None
    # and the approvers' timers were told once: the first step's task opened
    assert followups == [(review.pk, [manager.pk], [], [], "")]


def test_start_refused_when_a_review_is_in_progress(make_chain, lead, author, manager):
    """R-REV-1: at most one review in progress per subject."""
    # given a review in progress
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review_start(actor=author, subject=lead, kind=KIND)
    # when it is submitted again, then it is refused and nothing is added
    with pytest.raises(Conflict) as exc:
        review_start(actor=author, subject=lead, kind=KIND)
    assert exc.value.code == "review_in_progress"
    assert Review.objects.count() == 1


def test_the_database_holds_one_review_in_progress_per_subject(make_chain, lead, author, manager):
    """R-REV-1: the partial unique constraint holds even without the service's check."""
    # given a review in progress
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when a second in-progress row is written directly, then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            subject=lead,
            kind=KIND,
            chain=review.chain,
            author=author,
            started_by=author,
            subject_summary="again",
        )


def test_a_new_review_may_start_after_a_rejection(make_chain, lead, author, manager):
    """R-REV-5: a rejected subject is revised and submitted again for a new review."""
    # given a rejected review
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    first = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=manager, review=first, decision="reject", comment="Add the quote.")
    # when the author submits again, then a second review starts
    second = review_start(actor=author, subject=lead, kind=KIND)
    assert second.pk != first.pk and second.status == ReviewStatus.IN_PROGRESS
    assert Review.objects.for_subject(lead).count() == 2


def test_start_refused_without_an_active_chain(lead_subject_type, lead, author, make_chain, manager):
    # given only an inactive chain
    make_chain([{"approver_role": Role.PRESALES_MANAGER}], is_active=False)
    # when the lead is submitted, then it is refused with a clear message
    with pytest.raises(Conflict) as exc:
        review_start(actor=author, subject=lead, kind=KIND)
    assert exc.value.code == "no_active_chain"
    assert "administrator" in exc.value.message
    assert not Review.objects.exists()


def test_start_refused_when_a_step_has_no_approver_and_names_the_step(make_chain, lead, author, manager):
    """The refusal lists each step that resolves to nobody."""
    # given a chain whose second step needs a sales manager the team does not have
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER},
            {"approver_role": Role.SALES_MANAGER, "name": "Commercial check"},
        ]
    )
    # when the lead is submitted, then it is refused naming step 2
    with pytest.raises(Conflict) as exc:
        review_start(actor=author, subject=lead, kind=KIND)
    assert exc.value.code == "no_approver"
    assert "Commercial check" in exc.value.message
    assert exc.value.reasons == [
        "Step 2 “Commercial check”: nobody active holds Sales manager for team East Presales."
    ]
    assert not Review.objects.exists() and not ReviewTask.objects.exists()


def test_the_author_is_never_their_own_approver(make_chain, team, make_user, lead_subject_type):
    """R-REV-5: the author is left out of the approvers; a step with only them is refused."""
    # given a lead owned by the team's only sales manager
    boss = make_user(Role.SALES_MANAGER, team=team)
    lead = LeadFactory(team=team, owner=boss)
    make_chain([{"approver_role": Role.SALES_MANAGER, "name": "Commercial"}])
    # when the sales manager submits it, then it is refused: nobody else can approve
    with pytest.raises(Conflict) as exc:
        review_start(actor=boss, subject=lead, kind=KIND)
    assert "only the author holds Sales manager" in exc.value.reasons[0]
    # and with a second sales manager, only that one is an approver
    other = make_user(Role.SALES_MANAGER, team=team)
    review = review_start(actor=boss, subject=lead, kind=KIND)
    assert [t.approver for t in review.tasks.all()] == [other]


def test_start_refused_for_a_user_without_role_or_out_of_scope(
    make_chain, lead, manager, no_role_user, other_engineer
):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    # a user without a role may not submit
    with pytest.raises(NotAllowed):
        review_start(actor=no_role_user, subject=lead, kind=KIND)
    # nor someone who cannot see the subject
    with pytest.raises(NotAllowed):
        review_start(actor=other_engineer, subject=lead, kind=KIND)
    assert not Review.objects.exists()


def test_start_refused_for_an_unknown_kind_or_a_wrong_subject(make_chain, lead, author, manager, team):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    with pytest.raises(Conflict) as exc:
        review_start(actor=author, subject=lead, kind="no_such_kind")
    assert exc.value.code == "unknown_kind"
    with pytest.raises(DomainError) as exc:
        review_start(actor=author, subject=team, kind=KIND)
    assert exc.value.code == "wrong_subject"
    assert not Review.objects.exists()


def test_roles_resolve_within_the_subjects_team_and_company_wide_for_all_scope_roles(
    make_chain, lead, author, team, other_team, make_user, legal, lead_subject_type
):
    """Team roles: members of the subject's team plus its manager; legal: company-wide."""
    # given presales managers in and outside the team, and a team manager from elsewhere
    member = make_user(Role.PRESALES_MANAGER, team=team)
    make_user(Role.PRESALES_MANAGER, team=other_team)  # another team's manager: not asked
    outside_boss = make_user(Role.PRESALES_MANAGER, team=other_team)
    team.manager = outside_boss
    team.save()
    make_user(Role.PRESALES_MANAGER, team=team, is_active=False)  # left the company
    make_user(Role.DEPARTMENT_HEAD, team=team)  # holds another role
    rd_head = make_user(Role.DEPARTMENT_HEAD, team=TeamFactory(name="R&D"))
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER},
            {"approver_role": Role.LEGAL},
            {"approver_role": Role.DEPARTMENT_HEAD, "approver_scope": ApproverScope.COMPANY},
            {"approver_user": legal},
        ]
    )
    # when the review starts
    review = review_start(actor=author, subject=lead, kind=KIND)
    # then each step has the expected approvers
    by_step = {}
    for task in review.tasks.order_by("step_order", "approver_id"):
        by_step.setdefault(task.step_order, set()).add(task.approver)
    assert by_step[1] == {member, outside_boss}
    assert by_step[2] == {legal}
    assert rd_head in by_step[3] and len(by_step[3]) == 2  # both department heads, any team
    assert by_step[4] == {legal}


# --- sequential, ALL, ANY ------------------------------------------------------------------


def test_sequential_steps_then_approval_calls_back_once(
    make_chain, lead, author, manager, sales_manager, calls, followups
):
    """R-REV-1: steps run in order; the last approval approves the subject once."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when the presales manager approves, then step 2 opens for the sales manager
    review = review_decide(actor=manager, review=review, decision="approve", comment="Fine")
    assert review.status == ReviewStatus.IN_PROGRESS and review.current_step_order == 2
    assert states(review) == [TaskState.APPROVED, TaskState.PENDING]
    assert followups[-1] == (review.pk, [sales_manager.pk], [manager.pk], [], "")
    assert calls.approved == []
    # when the sales manager approves, then the review is approved and the subject told once
    review = review_decide(actor=sales_manager, review=review, decision="approve")
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert review.finished_at is not None and review.finished_by == sales_manager
    assert review.version == 3
    # the callback ran inside the deciding transaction, seeing the approved review
    assert calls.approved == [(lead.pk, review.pk, sales_manager.pk, ReviewStatus.APPROVED, True)]
    assert calls.rejected == []
    assert followups[-1] == (review.pk, [], [sales_manager.pk], [], "")
    assert len(followups) == 3


def test_all_mode_needs_every_approver(make_chain, lead, author, two_managers, sales_manager):
    """R-REV-1: a parallel ALL step waits for every approver."""
    first, second = two_managers
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ALL},
            {"approver_role": Role.SALES_MANAGER},
        ]
    )
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when one of two managers approves, then the step stays open for the other
    review = review_decide(actor=first, review=review, decision="approve")
    assert review.current_step_order == 1
    assert sorted(states(review, 1)) == [TaskState.APPROVED, TaskState.PENDING]
    # when the other approves too, then the next step opens
    review = review_decide(actor=second, review=review, decision="approve")
    assert review.current_step_order == 2
    assert states(review, 2) == [TaskState.PENDING]


def test_any_mode_needs_one_approval_and_supersedes_the_others(
    make_chain, lead, author, two_managers, sales_manager, calls
):
    """R-REV-1: in an ANY step the first approval suffices; the others are no longer asked."""
    first, second = two_managers
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.SALES_MANAGER},
        ]
    )
    review = review_start(actor=author, subject=lead, kind=KIND)
    # when one approves, then the step is done and the other's task is not needed
    review = review_decide(actor=second, review=review, decision="approve")
    assert review.current_step_order == 2
    assert ReviewTask.objects.get(review=review, approver=first).state == TaskState.SUPERSEDED
    assert not Review.objects.waiting_for(first).exists()
    # and the other cannot decide any more
    with pytest.raises(Conflict) as exc:
        review_decide(actor=first, review=review, decision="approve")
    assert exc.value.code == "step_already_decided"
    # the next step completes the review
    review = review_decide(actor=sales_manager, review=review, decision="approve")
    assert review.status == ReviewStatus.APPROVED
    assert len(calls.approved) == 1


# --- conditional steps (R-REV-4) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "gm_applies"),
    [(Decimal("10000.01"), True), (Decimal("10000"), False), (Decimal("500"), False), (None, True)],
)
def test_contract_general_manager_step_only_above_the_threshold(
    make_chain, team, author, sales_manager, legal, general_manager, calls, budget, gm_applies
):
    """R-REV-4: sales manager → legal → general manager when the amount exceeds 10,000
    (an unknown amount keeps the step)."""
    # given the contract chain and a subject of that amount
    make_chain(
        [
            {"approver_role": Role.SALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.LEGAL, "mode": StepMode.ANY},
            {"approver_role": Role.GENERAL_MANAGER, "mode": StepMode.ANY, "condition_min_amount": 10000},
        ]
    )
    lead = LeadFactory(team=team, owner=author, budget=budget)
    review = review_start(actor=author, subject=lead, kind=KIND)
    gm_tasks = ReviewTask.objects.filter(review=review, step_order=3)
    if gm_applies:
        assert [(t.approver, t.state) for t in gm_tasks] == [(general_manager, TaskState.WAITING)]
    else:
        # the skipped step is recorded, without an approver
        assert [(t.approver, t.state) for t in gm_tasks] == [(None, TaskState.SKIPPED)]
    # when sales and legal approve
    review = review_decide(actor=sales_manager, review=review, decision="approve")
    review = review_decide(actor=legal, review=review, decision="approve")
    # then the general manager decides only above the threshold
    if gm_applies:
        assert review.status == ReviewStatus.IN_PROGRESS and review.current_step_order == 3
        review = review_decide(actor=general_manager, review=review, decision="approve")
    assert review.status == ReviewStatus.APPROVED
    assert len(calls.approved) == 1


def test_skipped_first_step_opens_the_first_applicable(make_chain, lead, author, manager, general_manager):
    # given a chain whose first step applies only above a million
    make_chain(
        [
            {"approver_role": Role.GENERAL_MANAGER, "condition_min_amount": 1_000_000},
            {"approver_role": Role.PRESALES_MANAGER},
        ]
    )
    # when a 50,000 lead is submitted, then step 2 is current
    review = review_start(actor=author, subject=lead, kind=KIND)
    assert review.current_step_order == 2
    assert states(review) == [TaskState.SKIPPED, TaskState.PENDING]
    # and progress counts only the steps that apply
    review = Review.objects.with_tasks().get(pk=review.pk)
    assert (review.steps_done, review.steps_total) == (0, 1)


def test_start_refused_when_no_step_applies(make_chain, lead, author, general_manager):
    make_chain([{"approver_role": Role.GENERAL_MANAGER, "condition_min_amount": 1_000_000}])
    with pytest.raises(Conflict) as exc:
        review_start(actor=author, subject=lead, kind=KIND)
    assert exc.value.code == "no_applicable_step"


# --- scores (R-REV-2) --------------------------------------------------------------------


def test_scores_are_stored_with_the_decision(make_chain, lead, author, manager):
    """R-REV-2: reviewers score rationality, innovation, completeness 1–5."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}], criteria=CRITERIA)
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=manager, review=review, decision="approve", scores=FULL_SCORES, comment="Solid")
    task = ReviewTask.objects.get(review=review)
    assert task.scores == FULL_SCORES and task.comment == "Solid"


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (None, "Score Rationality from 1 to 5."),
        ({"rationality": 4, "innovation": 3}, "Score Completeness from 1 to 5."),
        ({**FULL_SCORES, "rationality": 0}, "The score for Rationality must be a whole number from 1 to 5."),
        ({**FULL_SCORES, "innovation": 6}, "The score for Innovation must be a whole number from 1 to 5."),
        (
            {**FULL_SCORES, "completeness": "5"},
            "The score for Completeness must be a whole number from 1 to 5.",
        ),
        (
            {**FULL_SCORES, "completeness": True},
            "The score for Completeness must be a whole number from 1 to 5.",
        ),
        ({**FULL_SCORES, "beauty": 5}, "Unknown criteria: beauty."),
        ([4, 3, 5], "Give the scores as {criterion: score}."),
    ],
)
def test_missing_or_out_of_range_scores_are_refused(make_chain, lead, author, manager, scores, message):
    """R-REV-2: an approval scores every criterion with a whole number 1–5."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}], criteria=CRITERIA)
    review = review_start(actor=author, subject=lead, kind=KIND)
    before = snapshot(review)
    with pytest.raises(DomainError) as exc:
        review_decide(actor=manager, review=review, decision="approve", scores=scores)
    assert exc.value.status_code == 400
    assert message in exc.value.fields["scores"]
    assert snapshot(review) == before


def test_a_rejection_may_leave_scores_out(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}], criteria=CRITERIA)
    review = review_start(actor=author, subject=lead, kind=KIND)
    review = review_decide(
        actor=manager, review=review, decision="reject", comment="Incomplete", scores={"completeness": 2}
    )
    assert review.status == ReviewStatus.REJECTED
    assert ReviewTask.objects.get(review=review).scores == {"completeness": 2}


def test_scores_refused_when_the_chain_has_no_criteria(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    with pytest.raises(DomainError) as exc:
        review_decide(actor=manager, review=review, decision="approve", scores={"rationality": 3})
    assert exc.value.fields == {"scores": ["This review takes no scores."]}


# --- refusals (R-REV-5) ------------------------------------------------------------------


@pytest.fixture
def two_step_review(make_chain, lead, author, manager, sales_manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}, {"approver_role": Role.SALES_MANAGER}])
    return review_start(actor=author, subject=lead, kind=KIND)


def test_deciding_twice_is_refused(two_managers, two_step_review, manager):
    """R-REV-5: approving twice is refused."""
    # given an ALL step with two managers, one of whom approved
    review = review_decide(actor=manager, review=two_step_review, decision="approve")
    assert review.current_step_order == 1
    before = snapshot(review)
    # when they approve again, then it is refused and nothing changes
    with pytest.raises(Conflict) as exc:
        review_decide(actor=manager, review=review, decision="approve")
    assert exc.value.code == "already_decided"
    assert snapshot(review) == before


def test_deciding_again_on_a_later_step_is_refused(two_step_review, manager, sales_manager):
    review = review_decide(actor=manager, review=two_step_review, decision="approve")
    assert review.current_step_order == 2
    before = snapshot(review)
    with pytest.raises(Conflict) as exc:
        review_decide(actor=manager, review=review, decision="approve")
    assert exc.value.code == "already_decided"
    assert snapshot(review) == before


def test_approving_ones_own_subject_is_refused(make_chain, lead, author, manager, make_user, team):
    """R-REV-5: nobody approves their own work, even when named as approver."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    before = snapshot(review)
    with pytest.raises(NotAllowed) as exc:
        review_decide(actor=author, review=review, decision="approve")
    assert exc.value.code == "own_subject"
    assert snapshot(review) == before


def test_deciding_out_of_turn_is_refused(two_step_review, sales_manager, engineer):
    """R-REV-5: the second step's approver waits for the first; others have no say."""
    before = snapshot(two_step_review)
    with pytest.raises(NotAllowed) as exc:
        review_decide(actor=sales_manager, review=two_step_review, decision="approve")
    assert exc.value.code == "not_your_turn"
    with pytest.raises(NotAllowed) as exc:
        review_decide(actor=engineer, review=two_step_review, decision="approve")
    assert exc.value.code == "not_an_approver"
    assert snapshot(two_step_review) == before


@pytest.mark.parametrize("finish", ["approve", "reject", "cancel"])
def test_deciding_a_finished_or_cancelled_review_is_refused(make_chain, lead, author, two_managers, finish):
    first, second = two_managers
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    if finish == "cancel":
        review = review_cancel(actor=author, review=review, reason="Changed the scope")
    else:
        review = review_decide(actor=first, review=review, decision=finish, comment="Done")
    before = snapshot(review)
    with pytest.raises(Conflict) as exc:
        review_decide(actor=second, review=review, decision="approve")
    assert exc.value.code == "review_closed"
    assert snapshot(review) == before


def test_rejecting_without_comment_is_refused(two_step_review, manager):
    """R-REV-5: a rejection returns the subject with comments, so a comment is required."""
    before = snapshot(two_step_review)
    with pytest.raises(DomainError) as exc:
        review_decide(actor=manager, review=two_step_review, decision="reject", comment="   ")
    assert exc.value.status_code == 400 and "comment" in exc.value.fields
    assert snapshot(two_step_review) == before


def test_an_unknown_decision_or_a_stale_version_is_refused(two_step_review, manager):
    before = snapshot(two_step_review)
    with pytest.raises(DomainError) as exc:
        review_decide(actor=manager, review=two_step_review, decision="maybe")
    assert "decision" in exc.value.fields
    with pytest.raises(Conflict) as exc:
        review_decide(actor=manager, review=two_step_review, decision="approve", expected_version=7)
    assert exc.value.code == "stale"
    assert snapshot(two_step_review) == before
    # the current version is accepted
    review = review_decide(actor=manager, review=two_step_review, decision="approve", expected_version=1)
    assert review.version == 2


def test_rejection_returns_the_subject_to_its_author(two_step_review, manager, calls, followups):
    """R-REV-5: a rejection ends the review, supersedes every open task and calls
    on_rejected once, with the comment kept on the review."""
    review = review_decide(actor=manager, review=two_step_review, decision="reject", comment="Price too low")
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED and review.outcome_note == "Price too low"
    assert states(review) == [TaskState.REJECTED, TaskState.SUPERSEDED]
    assert calls.rejected == [(review.subject.pk, review.pk, manager.pk, ReviewStatus.REJECTED, True)]
    assert calls.approved == []
    assert followups == [(review.pk, [], [manager.pk], [], TaskCloseReason.REVIEW_REJECTED)]


def test_one_reviewer_rejecting_an_all_step_ends_the_review(two_managers, two_step_review):
    first, second = two_managers
    review_decide(actor=first, review=two_step_review, decision="approve")
    review = review_decide(actor=second, review=two_step_review, decision="reject", comment="No")
    assert review.status == ReviewStatus.REJECTED
    assert states(review) == [TaskState.APPROVED, TaskState.REJECTED, TaskState.SUPERSEDED]


def test_a_failing_callback_rolls_the_decision_back(make_chain, lead, author, manager, calls):
    """The subject's callback runs in the deciding transaction: if it fails, nothing is decided."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    before = snapshot(review)
    calls.fail_on_approve = True
    with pytest.raises(RuntimeError):
        review_decide(actor=manager, review=review, decision="approve")
    assert snapshot(review) == before


# --- cancel ------------------------------------------------------------------------------


def test_the_author_withdraws_a_changed_subject(two_step_review, author, manager, calls, followups):
    """R-REV-5: a changed subject needs a new review: the author withdraws the old one."""
    review = review_cancel(actor=author, review=two_step_review, reason="The scope changed")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED and review.outcome_note == "The scope changed"
    assert states(review) == [TaskState.SUPERSEDED, TaskState.SUPERSEDED]
    assert len(calls.cancelled) == 1
    assert followups == [(review.pk, [], [], [manager.pk], TaskCloseReason.REVIEW_CANCELLED)]


def test_an_admin_may_withdraw_a_review(two_step_review, make_user):
    admin = make_user(Role.ADMIN)
    review = review_cancel(actor=admin, review=two_step_review, reason="Duplicate submission")
    assert review.status == ReviewStatus.CANCELLED


def test_withdrawal_refusals(two_step_review, manager, author):
    before = snapshot(two_step_review)
    # an approver may not withdraw someone else's review
    with pytest.raises(NotAllowed):
        review_cancel(actor=manager, review=two_step_review, reason="No")
    # a reason is required
    with pytest.raises(DomainError) as exc:
        review_cancel(actor=author, review=two_step_review, reason=" ")
    assert "reason" in exc.value.fields
    assert snapshot(two_step_review) == before
    # a finished review cannot be withdrawn
    review = review_decide(actor=manager, review=two_step_review, decision="reject", comment="No")
    with pytest.raises(GateRefused):
        review_cancel(actor=author, review=review, reason="Too late")


def test_cancel_for_subject_withdraws_the_review_in_progress(two_step_review, lead, engineer):
    """R-REV-5: the subject's own service withdraws the review when the subject changes."""
    review = review_cancel_for_subject(actor=engineer, subject=lead, reason="Edited after submission")
    assert review.pk == two_step_review.pk and review.status == ReviewStatus.CANCELLED
    assert review_cancel_for_subject(actor=engineer, subject=lead, reason="Again") is None

"""Write use cases of the review engine (R-REV-1, R-REV-2, R-REV-4, R-REV-5).

Every service is keyword-only and atomic. Starting, deciding and cancelling take their locks
in the one order of reviews/locks.py: the review's subject first (through its subject type's
``lock`` hook), then the review row, and re-check everything on the locked rows, so two
approvers of an ANY step, or one approver clicking twice, yield exactly one decision, and a
decision racing the subject's own withdrawal waits for it instead of deadlocking.
Subject apps plug in through ``reviews.registry``; their ``on_approved`` /
``on_rejected`` / ``on_cancelled`` callbacks run inside the same transaction and receive the
locked subject.

Follow-ups are called explicitly, never through hook lists: after every start, decision and
withdrawal that opened, decided or closed tasks, ``_tasks_changed`` calls
``reviews.timers.review_tasks_changed`` (the approvers' SLA timers) inside the transaction,
under the review lock. What it writes commits or rolls back with the decision, and when it
fails the whole decision is refused (R-REV-1, R-REV-5: a decision and its deadlines never
disagree). The notices are the other follow-up (reviews/notifications.py), called from the
services: each approver of a step that opens, and the author and owners of the subject when
the review is approved, rejected or withdrawn; the rows are written in the transaction (unique
keys: sent once), their deliveries enqueued after it commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from presales.accounts.models import Team, User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.money import BASE_CURRENCY, Money
from presales.core.roles import ROLE_SCOPE, Role, Scope, scope_of
from presales.core.writes import apply_fields, check_version, delete_as, save_as, validate
from reviews import locks
from reviews.choices import (
    DECIDED_STATES,
    OPEN_STATES,
    SCORE_MAX,
    SCORE_MIN,
    ApproverScope,
    Decision,
    ReviewStatus,
    StepMode,
    TaskCloseReason,
    TaskState,
)
from reviews.models import Review, ReviewChain, ReviewChainStep, ReviewTask
from reviews.notifications import notify_finished, notify_step_opened
from reviews.registry import SubjectType, describe_in_every_language, find_subject_type, kind_choices
from reviews.timers import review_tasks_changed
from reviews.transitions import REVIEW_MACHINE


@dataclass(frozen=True)
class TaskChanges:
    """What one start, decision or withdrawal did to a review's tasks (R-REV-1).

    ``opened``: tasks that became pending (their approvers must decide now; ``opened_at``
    set); ``decided``: the task its own approver just approved or rejected; ``closed``: tasks
    that were pending and are no longer needed, for ``closed_because`` (a TaskCloseReason).
    Tasks that were only waiting for a later step are in none of them.
    """

    review: Review
    at: datetime
    opened: tuple[ReviewTask, ...] = ()
    decided: tuple[ReviewTask, ...] = ()
    closed: tuple[ReviewTask, ...] = ()
    closed_because: str = ""


def _tasks_changed(changes: TaskChanges) -> None:
    """The follow-ups of tasks opened, decided or closed, inside the transaction under the
    review lock: the approvers' timers (see the module docstring)."""
    if not (changes.opened or changes.decided or changes.closed):
        return
    review_tasks_changed(changes)


def _subject_type(kind: str) -> SubjectType:
    subject_type = find_subject_type(kind)
    if subject_type is None:
        raise Conflict(
            _("No subject type %(kind)s is registered with the review engine.") % {"kind": kind},
            code="unknown_kind",
        )
    return subject_type


# --- approvers ---------------------------------------------------------------------------


def resolve_approvers(step: ReviewChainStep, *, team: Team | None) -> list[User]:
    """The people who approve ``step`` for a subject of ``team`` (active users only).

    A named approver is that person. A role is looked up among the team's members and its
    manager; company-wide for roles that see every record (legal, finance, general
    manager, admin) and for steps configured company-wide (department heads).
    """
    if step.approver_user is not None:
        return [step.approver_user] if step.approver_user.is_active else []
    users = User.objects.filter(is_active=True, groups__name=step.approver_role).select_related("team")
    company_wide = (
        step.approver_scope == ApproverScope.COMPANY or ROLE_SCOPE.get(step.approver_role) == Scope.ALL
    )
    if not company_wide:
        if team is None:
            return []
        in_team = Q(team=team)
        if team.manager_id:
            in_team |= Q(pk=team.manager_id)
        users = users.filter(in_team)
    return list(users.distinct().order_by("pk"))


# --- the subject's facts -----------------------------------------------------------------


def own_work_ids(subject_type: SubjectType, subject: Any, *, extra: Iterable[int | None] = ()) -> set[int]:
    """Ids of everyone whose own work ``subject`` is (R-REV-5): who wrote or owns it (the
    subject type's ``authors_of``), its author, and ``extra`` (the submitter, the review's
    recorded author). None of them may decide on its review."""
    ids = {pk for pk in extra if pk is not None}
    ids.add(subject_type.author_of(subject).pk)
    if subject_type.authors_of is not None:
        ids.update(pk for pk in subject_type.authors_of(subject) if pk is not None)
    return ids


def _money_of(subject_type: SubjectType, subject: Any) -> Money | None:
    """The subject's amount as recorded (R-REV-4); a plain Decimal is CNY. A foreign amount
    without its rate to CNY cannot be compared with a CNY threshold: refused (400), since
    skipping or keeping a step on a guess would decide who approves."""
    if subject_type.amount_of is None:
        return None
    value = subject_type.amount_of(subject)
    if value is None:
        return None
    money = value if isinstance(value, Money) else Money(amount=Decimal(value), currency=BASE_CURRENCY)
    if money.cny is None:
        raise DomainError(
            _(
                "The amount is in %(currency)s and has no exchange rate to CNY: record the rate "
                "(and its date) before sending it to review."
            )
            % {"currency": money.currency},
            code="fx_rate_missing",
            fields={
                "fx_rate_to_cny": [
                    _("Give the exchange rate of %(currency)s to CNY.") % {"currency": money.currency}
                ]
            },
        )
    return money


def _margin_of(subject_type: SubjectType, subject: Any) -> Decimal | None:
    """The subject's margin % (R-QUOTE-1), or None when unknown (then every
    price-authority step applies: fail safe)."""
    if subject_type.margin_of is None:
        return None
    value = subject_type.margin_of(subject)
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


MARGIN_PLACES = Decimal("0.01")


# --- start -------------------------------------------------------------------------------


@transaction.atomic
def review_start(*, actor: User, subject: Any, kind: str) -> Review:
    """Start the active chain of ``kind`` on ``subject`` (R-REV-1).

    Every step is planned now: conditional steps that do not apply (R-REV-4) are recorded
    as skipped, the others get one task per approver, and the first applicable step opens.
    Refused when the subject already has a review in progress, when no chain is active,
    or when a step has no approver other than the author (who may not approve their own
    work, R-REV-5). The caller (the subject's service) already holds the subject's lock;
    taking it again here keeps the order even for a caller that forgot (it costs no wait).
    """
    subject_type = _subject_type(kind)
    if subject._meta.label != subject_type.model:
        raise DomainError(
            _("A %(kind)s review needs a %(model)s subject.") % {"kind": kind, "model": subject_type.model},
            code="wrong_subject",
        )
    subject = locks.lock_subject(subject_type, subject)
    if scope_of(actor) is None:
        raise NotAllowed(_("Your account has no role; it cannot submit anything for review."))
    if (
        subject_type.visible_to is not None
        and not subject_type.visible_to(actor).filter(pk=subject.pk).exists()
    ):
        raise NotAllowed(_("You cannot submit a subject you cannot see."))
    chain = ReviewChain.objects.active().filter(kind=kind).first()
    if chain is None:
        raise Conflict(
            _("No active review chain is configured for %(kind)s; ask an administrator to set one up.")
            % {"kind": subject_type.label},
            code="no_active_chain",
        )
    if Review.objects.for_subject(subject).in_progress().exists():
        raise Conflict(
            _("This subject already has a review in progress; wait for it or withdraw it first."),
            code="review_in_progress",
        )

    author = subject_type.author_of(subject)
    team = subject_type.team_of(subject)
    money = _money_of(subject_type, subject)
    amount = money.cny if money is not None else None
    margin = _margin_of(subject_type, subject)
    own = own_work_ids(subject_type, subject, extra=(author.pk, actor.pk))
    steps = list(chain.steps.select_related("approver_user__team").order_by("order"))
    if not steps:
        raise Conflict(
            _("The review chain %(chain)s has no steps; ask an administrator to add them.")
            % {"chain": chain},
            code="empty_chain",
        )

    plan: list[tuple[ReviewChainStep, list[User] | None]] = []
    problems: list[str] = []
    for step in steps:
        if not step.applies_to(amount, margin):
            plan.append((step, None))
            continue
        candidates = resolve_approvers(step, team=team)
        approvers = [u for u in candidates if u.pk not in own]
        if not approvers:
            if [u.pk for u in candidates] == [author.pk]:
                problems.append(
                    _(
                        "Step %(order)s “%(step)s”: only the author holds %(who)s, and nobody may "
                        "approve their own work."
                    )
                    % {"order": step.order, "step": step.name, "who": step.approver_label}
                )
            elif candidates:
                # R-REV-5: refused here, naming who is left out, rather than started with a
                # step nobody may decide (it would wait for ever).
                problems.append(
                    _(
                        "Step %(order)s “%(step)s”: everyone who holds %(who)s (%(names)s) wrote or "
                        "owns this subject, and nobody may approve their own work; ask an "
                        "administrator to name another approver for this step."
                    )
                    % {
                        "order": step.order,
                        "step": step.name,
                        "who": step.approver_label,
                        "names": ", ".join(str(u) for u in candidates),
                    }
                )
            else:
                problems.append(
                    _("Step %(order)s “%(step)s”: nobody active holds %(who)s for team %(team)s.")
                    % {
                        "order": step.order,
                        "step": step.name,
                        "who": step.approver_label,
                        "team": team or "—",
                    }
                )
        plan.append((step, approvers))
    if problems:
        raise Conflict(
            _("The review cannot start: %(problems)s") % {"problems": " ".join(problems)},
            code="no_approver",
            reasons=problems,
        )
    applicable = [step for step, approvers in plan if approvers is not None]
    if not applicable:
        raise Conflict(
            _("No step of the chain %(chain)s applies to this subject.") % {"chain": chain},
            code="no_applicable_step",
        )

    # R-REV-1: a step marked parallel runs alongside the one before it; the steps that run
    # together form a stage, numbered by its first step's order. A review's current step is
    # its current stage.
    stage_of: dict[int, int] = {}
    stage = 0
    for step in steps:
        if not (step.parallel_with_previous and stage_of):
            stage = step.order
        stage_of[step.order] = stage

    now = timezone.now()
    first = stage_of[applicable[0].order]
    summary = str(subject_type.summary_of(subject) or subject)[:300]
    review = Review(
        subject=subject,
        kind=kind,
        chain=chain,
        status=ReviewStatus.IN_PROGRESS,
        current_step_order=first,
        author=author,
        started_by=actor,
        team=team,
        subject_summary=summary,
        subject_url=str(subject_type.url_of(subject) or "")[:500],
        amount=amount,
        original_amount=money.amount if money is not None else None,
        currency=money.currency if money is not None else "",
        fx_rate_to_cny=money.rate_to_cny if money is not None and money.is_foreign else None,
        fx_rate_date=money.rate_date if money is not None and money.is_foreign else None,
        margin=margin.quantize(MARGIN_PLACES, rounding=ROUND_HALF_UP) if margin is not None else None,
        score_criteria=list(chain.score_criteria or []),
        scores_required_on_reject=chain.scores_required_on_reject,
        content_snapshot=describe_in_every_language(subject_type, subject),
        started_at=now,
    )
    # The partial unique constraint is checked by the database below (a race between two
    # starts ends there as a conflict), not by a query here.
    validate(review, exclude=["content_type", "object_id"])
    try:
        with transaction.atomic():
            save_as(review, actor)
    except IntegrityError:
        raise Conflict(
            _("This subject already has a review in progress; wait for it or withdraw it first."),
            code="review_in_progress",
        ) from None

    tasks: list[ReviewTask] = []
    for step, step_approvers in plan:
        snapshot = {
            "review": review,
            "step": step,
            "step_order": step.order,
            "stage_order": stage_of[step.order],
            "step_name": step.name,
            "mode": step.mode,
            "condition_min_amount": step.condition_min_amount,
            "condition_max_margin": step.condition_max_margin,
            "check_items": [dict(item) for item in step.check_items or []],
        }
        if step_approvers is None:
            tasks.append(ReviewTask(**snapshot, approver=None, state=TaskState.SKIPPED))
            continue
        is_first = stage_of[step.order] == first
        for approver in step_approvers:
            tasks.append(
                ReviewTask(
                    **snapshot,
                    approver=approver,
                    state=TaskState.PENDING if is_first else TaskState.WAITING,
                    opened_at=now if is_first else None,
                )
            )
    ReviewTask.objects.bulk_create(tasks)
    opened = tuple(t for t in tasks if t.state == TaskState.PENDING)
    _tasks_changed(TaskChanges(review=review, at=now, opened=opened))
    notify_step_opened(review, opened, actor=actor)
    return review


# --- decide ------------------------------------------------------------------------------


def _clean_scores(review: Review, decision: str, scores: Any) -> tuple[dict[str, int], list[str]]:
    """R-REV-2: with criteria, an approval scores each one 1–5; a rejection may score,
    unless the chain requires scores on rejections too (solution reviews)."""
    criteria = review.criteria
    required = decision == Decision.APPROVE or review.scores_required_on_reject
    if scores in (None, ""):
        scores = {}
    if not isinstance(scores, dict):
        return {}, [_("Give the scores as {criterion: score}.")]
    if not criteria:
        return {}, ([_("This review takes no scores.")] if scores else [])
    errors: list[str] = []
    codes = {code for code, _label in criteria}
    unknown = sorted(str(code) for code in scores if code not in codes)
    if unknown:
        errors.append(_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)})
    cleaned: dict[str, int] = {}
    for code, label in criteria:
        value = scores.get(code)
        if value is None or value == "":
            if required:
                errors.append(
                    _("Score %(criterion)s from %(low)s to %(high)s.")
                    % {"criterion": label, "low": SCORE_MIN, "high": SCORE_MAX}
                )
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            errors.append(
                _("The score for %(criterion)s must be a whole number from %(low)s to %(high)s.")
                % {"criterion": label, "low": SCORE_MIN, "high": SCORE_MAX}
            )
            continue
        cleaned[code] = value
    return cleaned, errors


def _clean_checks(task: ReviewTask, decision: str, checks: Any) -> tuple[dict[str, dict], list[str]]:
    """R-REV-2: each check item of the approver's step is ticked (``ok``) or commented (a
    comment is required when it is not ok). An approval goes through every item; a
    rejection may leave items unmarked. ``checks``: ``{code: {"ok": bool, "comment": str}}``."""
    items = task.check_item_labels
    if checks in (None, ""):
        checks = {}
    if not isinstance(checks, dict):
        return {}, [_('Give the check results as {item: {"ok": true/false, "comment": "…"}}.')]
    if not items:
        return {}, ([_("This step has no check items.")] if checks else [])
    errors: list[str] = []
    codes = {code for code, _label in items}
    unknown = sorted(str(code) for code in checks if code not in codes)
    if unknown:
        errors.append(_("Unknown check items: %(codes)s.") % {"codes": ", ".join(unknown)})
    cleaned: dict[str, dict] = {}
    for code, label in items:
        result = checks.get(code)
        if result is None:
            if decision == Decision.APPROVE:
                errors.append(
                    _("Check item %(item)s: tick it, or say what is wrong with it.") % {"item": label}
                )
            continue
        if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
            errors.append(_("Check item %(item)s: say whether it is ok (true or false).") % {"item": label})
            continue
        comment = result.get("comment") or ""
        if not isinstance(comment, str):
            errors.append(_("Check item %(item)s: the comment must be text.") % {"item": label})
            continue
        comment = comment.strip()
        if not result["ok"] and not comment:
            errors.append(
                _("Check item %(item)s is not ticked: say what is wrong with it.") % {"item": label}
            )
            continue
        cleaned[code] = {"ok": result["ok"], "comment": comment}
    return cleaned, errors


def _task_to_decide(review: Review, tasks: list[ReviewTask], actor: User) -> ReviewTask:
    """The actor's pending task (only the current step has any), or the refusal saying why
    not (R-REV-5: approving twice or out of turn)."""
    mine = [t for t in tasks if t.approver_id == actor.pk]
    if not mine:
        raise NotAllowed(_("You are not an approver of this review."), code="not_an_approver")
    for task in mine:
        if task.state == TaskState.PENDING:
            return task
    decided = [t for t in mine if t.state in DECIDED_STATES]
    if any(t.stage_order == review.current_step_order for t in decided):
        [task] = [t for t in decided if t.stage_order == review.current_step_order]
        raise Conflict(
            _("You already decided on this step (%(decision)s).") % {"decision": task.get_state_display()},
            code="already_decided",
        )
    if any(t.state == TaskState.WAITING for t in mine):
        raise NotAllowed(
            _("It is not your turn yet: step %(step)s must be approved first.")
            % {"step": review.current_step_order},
            code="not_your_turn",
        )
    if any(t.state == TaskState.SUPERSEDED for t in mine):
        raise Conflict(
            _("Another approver already approved your step; your decision is no longer needed."),
            code="step_already_decided",
        )
    if decided:
        raise Conflict(_("You already decided on this review."), code="already_decided")
    raise NotAllowed(_("You have no decision to make on this review now."), code="not_your_turn")


def _finish(review: Review, *, actor: User, move: str, note: str = "") -> datetime:
    """Close ``review`` by ``move``; returns the moment it finished."""
    finished_at = timezone.now()
    review.status = REVIEW_MACHINE.get(move).target
    review.finished_at = finished_at
    review.finished_by = actor
    review.outcome_note = note
    ReviewTask.objects.filter(review=review, state__in=OPEN_STATES).update(state=TaskState.SUPERSEDED)
    return finished_at


def _superseded(tasks: list[ReviewTask]) -> tuple[ReviewTask, ...]:
    """The in-memory copies of tasks just superseded by an UPDATE, brought up to date."""
    for task in tasks:
        task.state = TaskState.SUPERSEDED
    return tuple(tasks)


@transaction.atomic
def review_decide(
    *,
    actor: User,
    review: Review,
    decision: str,
    comment: str = "",
    scores: dict[str, Any] | None = None,
    checks: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Review:
    """Record ``actor``'s approval or rejection on the current step (R-REV-1, R-REV-5).

    Refused: a finished or cancelled review, a stale ``expected_version``, the subject's
    author, someone who is not an approver of the current step (out of turn), a second
    decision, a rejection without a comment, missing or out-of-range scores, an approval
    with a check item of the step neither ticked nor commented (R-REV-2).
    An ANY step closes with its first approval (the others are superseded), an ALL step
    with its last; then the next applicable step opens, or the review is approved and the
    subject's ``on_approved`` runs. A rejection ends the review and runs ``on_rejected``,
    which returns the subject to its author with the comment.

    Locks the subject, then the review (reviews/locks.py); every check below runs on the
    locked review, which may have changed while the subject's lock was awaited.
    """
    subject_type = _subject_type(review.kind)
    subject, review = locks.lock_subject_then_review(subject_type, review)
    if review.status != ReviewStatus.IN_PROGRESS:
        raise Conflict(
            _("This review is %(status)s; it takes no more decisions.")
            % {"status": review.get_status_display().lower()},
            code="review_closed",
        )
    if expected_version is not None and expected_version != review.version:
        raise Conflict(_("The review changed since you opened it; reload it and decide again."), code="stale")
    # R-REV-5: whoever wrote or owns the subject now (owners may have changed since the
    # start), its recorded author and its submitter decide nothing on it, approve or reject.
    if actor.pk in own_work_ids(subject_type, subject, extra=(review.author_id, review.started_by_id)):
        raise NotAllowed(_("Nobody may approve their own work."), code="own_subject")

    tasks = list(review.tasks.select_related("approver__team").order_by("step_order", "pk"))
    task = _task_to_decide(review, tasks, actor)

    fields: dict[str, list[str]] = {}
    if decision not in Decision.values:
        fields["decision"] = [_("Choose approve or reject.")]
    comment = (comment or "").strip()
    if decision == Decision.REJECT and not comment:
        fields["comment"] = [_("Say why you reject it: the author needs your comments to revise it.")]
    cleaned_scores, score_errors = _clean_scores(review, decision, scores)
    if score_errors:
        fields["scores"] = score_errors
    cleaned_checks, check_errors = _clean_checks(task, decision, checks)
    if check_errors:
        fields["checks"] = check_errors
    if fields:
        raise DomainError(fields=fields)

    now = timezone.now()
    task.state = TaskState.APPROVED if decision == Decision.APPROVE else TaskState.REJECTED
    task.decided_at = now
    task.comment = comment
    task.scores = cleaned_scores
    task.checks = cleaned_checks
    task.save(update_fields=["state", "decided_at", "comment", "scores", "checks"])
    # Under the review lock a plain increment is safe (no concurrent writer of this row).
    review.version += 1

    if decision == Decision.REJECT:
        others = [t for t in tasks if t.state == TaskState.PENDING and t.pk != task.pk]
        _finish(review, actor=actor, move="reject", note=comment)
        save_as(review, actor)
        _tasks_changed(
            TaskChanges(
                review=review,
                at=now,
                decided=(task,),
                closed=_superseded(others),
                closed_because=TaskCloseReason.REVIEW_REJECTED,
            )
        )
        subject_type.on_rejected(subject=subject, review=review, actor=actor)
        _notify_finished(review, subject_type=subject_type, subject=subject, actor=actor)
        return review

    step_tasks = [t for t in tasks if t.step_order == task.step_order and t.pk != task.pk]
    still_pending = [t for t in step_tasks if t.state == TaskState.PENDING]
    superseded: tuple[ReviewTask, ...] = ()
    if task.mode == StepMode.ANY and still_pending:
        ReviewTask.objects.filter(pk__in=[t.pk for t in still_pending]).update(state=TaskState.SUPERSEDED)
        superseded = _superseded(still_pending)
    # The stage (this step and those running alongside it) is done when none of its tasks
    # is still pending: an ANY step's others were just superseded, an ALL step waits for all.
    closed_ids = {t.pk for t in superseded}
    stage_done = not [
        t
        for t in tasks
        if t.stage_order == task.stage_order
        and t.state == TaskState.PENDING
        and t.pk != task.pk
        and t.pk not in closed_ids
    ]
    decided = TaskChanges(
        review=review,
        at=now,
        decided=(task,),
        closed=superseded,
        closed_because=TaskCloseReason.STEP_DECIDED if superseded else "",
    )
    if not stage_done:
        save_as(review, actor)
        _tasks_changed(decided)
        return review

    next_order = min((t.stage_order for t in tasks if t.state == TaskState.WAITING), default=None)
    if next_order is None:
        _finish(review, actor=actor, move="approve")
        save_as(review, actor)
        _tasks_changed(decided)
        subject_type.on_approved(subject=subject, review=review, actor=actor)
        _notify_finished(review, subject_type=subject_type, subject=subject, actor=actor)
        return review

    opening = [t for t in tasks if t.stage_order == next_order and t.state == TaskState.WAITING]
    ReviewTask.objects.filter(review=review, stage_order=next_order, state=TaskState.WAITING).update(
        state=TaskState.PENDING, opened_at=now
    )
    for waiting in opening:
        waiting.state, waiting.opened_at = TaskState.PENDING, now
    review.current_step_order = next_order
    save_as(review, actor)
    _tasks_changed(replace(decided, opened=tuple(opening)))
    notify_step_opened(review, opening, actor=actor)
    return review


# --- cancel ------------------------------------------------------------------------------


def _cancel(review: Review, *, subject_type: SubjectType, subject: Any, actor: User, reason: str) -> Review:
    """Withdraw ``review``; the caller holds the locks of ``subject`` and then ``review``."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(fields={"reason": [_("Say why the review is withdrawn.")]})
    review.version += 1
    pending = list(ReviewTask.objects.filter(review=review, state=TaskState.PENDING).order_by("pk"))
    finished_at = _finish(review, actor=actor, move="cancel", note=reason)
    save_as(review, actor)
    _tasks_changed(
        TaskChanges(
            review=review,
            at=finished_at,
            closed=_superseded(pending),
            closed_because=TaskCloseReason.REVIEW_CANCELLED,
        )
    )
    if subject_type.on_cancelled is not None:
        subject_type.on_cancelled(subject=subject, review=review, actor=actor)
    _notify_finished(review, subject_type=subject_type, subject=subject, actor=actor)
    return review


def _notify_finished(review: Review, *, subject_type: SubjectType, subject: Any, actor: User) -> None:
    """The author, everyone who wrote or owns the subject (R-REV-5: the people its
    review is for) and its watchers (``watchers_of``) hear the outcome, inside the transaction (reviews/notifications.py)."""
    recipients = own_work_ids(subject_type, subject, extra=(review.author_id, review.started_by_id))
    if subject_type.watchers_of is not None:
        recipients.update(pk for pk in subject_type.watchers_of(subject) if pk is not None)
    edit_url = subject_type.edit_url_of(subject) if subject_type.edit_url_of is not None else ""
    notify_finished(review, recipient_ids=recipients, actor=actor, edit_url=str(edit_url or ""))


@transaction.atomic
def review_cancel(*, actor: User, review: Review, reason: str) -> Review:
    """Withdraw a review in progress, with a reason (R-REV-5: a changed subject needs a
    new review). Only its author or an admin; open tasks become not needed. Locks the
    subject, then the review (reviews/locks.py)."""
    subject_type = _subject_type(review.kind)
    subject, review = locks.lock_subject_then_review(subject_type, review)
    REVIEW_MACHINE.check(review, actor, "cancel")
    return _cancel(review, subject_type=subject_type, subject=subject, actor=actor, reason=reason)


@transaction.atomic
def review_cancel_for_subject(*, actor: User, subject: Any, reason: str) -> Review | None:
    """Withdraw the subject's review in progress, if any, because the subject changed
    (R-REV-5). For the subject's own services, which have already checked that ``actor``
    may change the subject (and normally hold its lock); returns the cancelled review or None.

    The review, read without a lock, only says which subject type's ``lock`` to take; the
    review in progress is looked up again under the subject's lock (reviews/locks.py)."""
    review = Review.objects.for_subject(subject).in_progress().first()
    if review is None:
        return None
    subject_type = _subject_type(review.kind)
    subject = locks.lock_subject(subject_type, subject)
    review = locks.lock_review_in_progress(subject)
    if review is None:
        return None
    return _cancel(review, subject_type=subject_type, subject=subject, actor=actor, reason=reason)


# --- chains (admin configuration) --------------------------------------------------------

# What an admin configures on a chain and on each of its steps, in display order: the one
# declaration the API serializers (reviews/api/serializers.py) and the admin
# (reviews/admin.py) derive their field lists from.
CHAIN_FIELDS = ("kind", "name", "description", "is_active", "score_criteria", "scores_required_on_reject")
STEP_FIELDS = (
    "order",
    "name",
    "approver_role",
    "approver_user",
    "approver_scope",
    "mode",
    "condition_min_amount",
    "condition_max_margin",
    "check_items",
    "parallel_with_previous",
)


def _require_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise NotAllowed(_("Only administrators configure review chains."))


def _check_kind(kind: str) -> None:
    if kind not in {code for code, _label in kind_choices()}:
        raise DomainError(fields={"kind": [_("Unknown kind of subject: %(kind)s.") % {"kind": kind}]})


def _save_steps(chain: ReviewChain, steps: list[dict], actor: User) -> None:
    """Replace the chain's steps with ``steps`` (matched by order). Reviews under way keep
    the plan they started with: their tasks carry a copy of each step."""
    orders = [s.get("order") for s in steps]
    if len(set(orders)) != len(orders):
        raise DomainError(fields={"steps": [_("Two steps of a chain cannot share an order.")]})
    existing = {s.order: s for s in chain.steps.all()}
    errors: list[str] = []
    for data in steps:
        order = data.get("order")
        step = (existing.pop(order, None) if order is not None else None) or ReviewChainStep(chain=chain)
        data = {"approver_role": "", "approver_user": None, **data}
        if "check_items" in data and data["check_items"] is None:
            data["check_items"] = []
        apply_fields(step, data, STEP_FIELDS)
        try:
            validate(step)
        except DomainError as exc:
            for name, messages in exc.fields.items():
                label = "" if name == "__all__" else f"{name}: "
                errors.extend(
                    _("Step %(order)s: %(message)s") % {"order": step.order, "message": f"{label}{m}"}
                    for m in messages
                )
            continue
        save_as(step, actor)
    if errors:
        raise DomainError(fields={"steps": errors})
    for step in existing.values():
        delete_as(step, actor)


@transaction.atomic
def review_chain_create(*, actor: User, data: dict[str, Any], steps: list[dict]) -> ReviewChain:
    """Configure a new chain with its steps (admins only, R-REV-1)."""
    _require_admin(actor)
    chain = ReviewChain()
    apply_fields(chain, data, CHAIN_FIELDS)
    _check_kind(chain.kind)
    validate(chain)
    save_as(chain, actor)
    _save_steps(chain, steps, actor)
    return chain


@transaction.atomic
def review_chain_update(
    *,
    actor: User,
    chain: ReviewChain,
    data: dict[str, Any],
    steps: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
) -> ReviewChain:
    """Change a chain and, when given, replace its steps (admins only). Reviews under
    way are not affected."""
    _require_admin(actor)
    chain = locks.lock_chain(chain)
    check_version(chain, expected_version)
    apply_fields(chain, data, CHAIN_FIELDS)
    _check_kind(chain.kind)
    validate(chain)
    save_as(chain, actor)
    if steps is not None:
        _save_steps(chain, steps, actor)
    return chain


@transaction.atomic
def review_chain_delete(*, actor: User, chain: ReviewChain) -> None:
    """Delete a chain that never ran; one with reviews is deactivated instead (its reviews
    keep pointing at it)."""
    _require_admin(actor)
    chain = locks.lock_chain(chain)
    if chain.reviews.exists():
        raise Conflict(
            _("This chain has reviews; deactivate it instead of deleting it."), code="chain_in_use"
        )
    for step in chain.steps.all():
        delete_as(step, actor)
    delete_as(chain, actor)

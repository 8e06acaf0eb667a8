"""The approval-chain engine: chains configured by admins, reviews of subjects, one task
per approver per step (R-REV-1, R-REV-2, R-REV-5, R-REV-6).

Writes go through reviews/services.py. A review's status and its tasks' states change only
there, under a lock on the review row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.money import plain_rate
from presales.core.ordering import null_sort_key
from presales.core.roles import Actor, Role, scope_of
from presales.core.scoping import AnyOf, visibility_q
from reviews.choices import (
    KNOWN_CRITERIA,
    ApproverScope,
    ReviewStatus,
    StepMode,
    StepState,
    TaskState,
)
from reviews.registry import kind_label

USER = settings.AUTH_USER_MODEL


def criteria_errors(criteria) -> list[str]:
    """Why a score-criteria list is malformed (empty = fine): ``[{"code", "label"}, ...]``."""
    if criteria in (None, ""):
        return []
    if not isinstance(criteria, list):
        return [str(_("Give the criteria as a list of {code, label} entries."))]
    errors: list[str] = []
    seen: set[str] = set()
    for item in criteria:
        code = item.get("code") if isinstance(item, dict) else None
        label = item.get("label", "") if isinstance(item, dict) else None
        if not isinstance(code, str) or not code or not code.replace("_", "").isalnum() or not code.isascii():
            errors.append(str(_("Each criterion needs a code made of letters, digits and underscores.")))
        elif code in seen:
            errors.append(str(_("The criterion %(code)s appears twice.") % {"code": code}))
        else:
            seen.add(code)
        if not isinstance(label, str):
            errors.append(str(_("A criterion's label must be text.")))
    return errors


def check_item_errors(items) -> list[str]:
    """Why a step's check-item list is malformed (empty = fine): ``[{"code", "label"}, ...]``
    (R-REV-2: each step signs off its part of the review form item by item)."""
    if items in (None, ""):
        return []
    if not isinstance(items, list):
        return [str(_("Give the check items as a list of {code, label} entries."))]
    errors: list[str] = []
    seen: set[str] = set()
    for item in items:
        code = item.get("code") if isinstance(item, dict) else None
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(code, str) or not code or not code.replace("_", "").isalnum() or not code.isascii():
            errors.append(str(_("Each check item needs a code made of letters, digits and underscores.")))
        elif code in seen:
            errors.append(str(_("The check item %(code)s appears twice.") % {"code": code}))
        else:
            seen.add(code)
        if not isinstance(label, str) or not label.strip():
            errors.append(str(_("Each check item needs a label.")))
    return errors


def check_item_labels(items) -> list[tuple[str, str]]:
    """(code, label) pairs of a step's check items, in their order."""
    return [(item["code"], str(item.get("label") or item["code"])) for item in items or []]


def criteria_labels(criteria) -> list[tuple[str, str]]:
    """(code, label) pairs; the criteria PROCESS.md names get their translated label."""
    pairs = []
    for item in criteria or []:
        code = item["code"]
        label = KNOWN_CRITERIA.get(code) or item.get("label") or code
        pairs.append((code, str(label)))
    return pairs


class ReviewChainQuerySet(models.QuerySet["ReviewChain"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def visible_to(self, user: Actor) -> Self:
        """Chains are configuration: everyone with a role may read them."""
        return self if scope_of(user) is not None else self.none()


class ReviewChain(VersionedModel, TimeStampedModel):
    """An admin-configured approval chain for one kind of subject (R-REV-1).

    At most one chain per kind is active; it is the one a new review uses. Steps run in
    their order; a review keeps the plan it started with when the chain is edited later.
    """

    kind = models.SlugField(
        _("subject kind"),
        max_length=40,
        db_index=True,
        help_text=_("Which subjects this chain reviews: initiation, solution_version, bid, contract."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    score_criteria = models.JSONField(
        _("score criteria"),
        default=list,
        blank=True,
        help_text=_(
            'Reviewers score each criterion from 1 to 5, e.g. [{"code": "rationality", '
            '"label": "Rationality"}]. Leave empty for reviews without scores.'
        ),
    )
    scores_required_on_reject = models.BooleanField(
        _("scores required on rejection too"),
        default=False,
        help_text=_(
            "Reviewers score every criterion when they reject as well as when they approve "
            "(R-REV-2: solution reviews feed the solution-quality KPI)."
        ),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ReviewChainQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("review chain")
        verbose_name_plural = _("review chains")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_active=True),
                name="one_active_chain_per_kind",
                violation_error_message=_(
                    "Another active chain already reviews this kind of subject; deactivate it first."
                ),
            ),
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="review_chain_name_unique",
                violation_error_message=_("A chain with this name already exists for this kind."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = criteria_errors(self.score_criteria)
        if errors:
            raise ValidationError({"score_criteria": errors})

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def criteria(self) -> list[tuple[str, str]]:
        return criteria_labels(self.score_criteria)


class ReviewChainStep(models.Model):
    """One step of a chain: a role (resolved when a review starts) or a named person; ALL
    of its approvers must approve or ANY one suffices; optionally only above an amount."""

    chain = models.ForeignKey(
        ReviewChain, verbose_name=_("chain"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    approver_role = models.CharField(_("approver role"), max_length=30, choices=Role.choices, blank=True)
    approver_user = models.ForeignKey(
        USER,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approver_scope = models.CharField(
        _("look the role up"),
        max_length=10,
        choices=ApproverScope.choices,
        default=ApproverScope.TEAM,
        help_text=_(
            "Legal, finance, general manager and admin are always looked up company-wide; "
            "choose company-wide for department heads."
        ),
    )
    mode = models.CharField(_("mode"), max_length=5, choices=StepMode.choices, default=StepMode.ALL)
    condition_min_amount = models.DecimalField(
        _("only when the amount exceeds"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty for a step that always applies (e.g. 10000 for the general manager)."),
    )
    parallel_with_previous = models.BooleanField(
        _("runs alongside the step before"),
        default=False,
        help_text=_(
            "Its approvers decide at the same time as those of the step before (e.g. the legal, "
            "commercial and technical heads each signing off their part); the next step opens "
            "when all of them are done. Ignored on the first step."
        ),
    )
    condition_max_margin = models.DecimalField(
        _("only when the margin percentage is below"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Price-authority band (R-QUOTE-1): the step applies only when the subject's margin "
            "is below this percentage (e.g. 15 for finance, 5 for the general manager). A "
            "subject whose margin is unknown gets the step. Leave empty for a step that "
            "always applies."
        ),
    )
    check_items = models.JSONField(
        _("check items"),
        default=list,
        blank=True,
        help_text=_(
            'What this step signs off, item by item (R-REV-2), e.g. [{"code": "contract_terms", '
            '"label": "Contract terms"}]. Each is ticked or commented when the reviewer decides.'
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["chain", "order"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "order"],
                name="review_step_order_unique",
                violation_error_message=_("Two steps of a chain cannot share an order."),
            ),
            models.CheckConstraint(
                condition=(Q(approver_role="") & Q(approver_user__isnull=False))
                | (~Q(approver_role="") & Q(approver_user__isnull=True)),
                name="review_step_role_xor_user",
                violation_error_message=_("A step names either an approver role or an approver, not both."),
            ),
            models.CheckConstraint(
                condition=Q(condition_min_amount__isnull=True) | Q(condition_min_amount__gte=0),
                name="review_step_threshold_not_negative",
                violation_error_message=_("The amount threshold cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def clean(self) -> None:
        errors = check_item_errors(self.check_items)
        if errors:
            raise ValidationError({"check_items": errors})

    def applies_to(self, amount: Decimal | None, margin: Decimal | None = None) -> bool:
        """R-REV-4: a conditional step applies when the amount exceeds its threshold;
        R-QUOTE-1: a price-authority step applies when the margin % is below its band. Both
        conditions must hold when both are set. An unknown amount or margin applies the
        step: an approval is never skipped for lack of data (fail safe)."""
        return step_applies(
            amount,
            margin,
            min_amount=self.condition_min_amount,
            max_margin=self.condition_max_margin,
        )

    @property
    def check_item_labels(self) -> list[tuple[str, str]]:
        return check_item_labels(self.check_items)

    @property
    def approver_label(self) -> str:
        if self.approver_user_id:
            return str(self.approver_user)
        return (
            str(Role(self.approver_role).label) if self.approver_role in Role.values else self.approver_role
        )


def step_applies(
    amount: Decimal | None,
    margin: Decimal | None,
    *,
    min_amount: Decimal | None,
    max_margin: Decimal | None,
) -> bool:
    """Whether a step with these conditions applies (see ``ReviewChainStep.applies_to``)."""
    amount_ok = min_amount is None or amount is None or amount > min_amount
    margin_ok = max_margin is None or margin is None or margin < max_margin
    return amount_ok and margin_ok


# --- reviews -----------------------------------------------------------------------------


@dataclass
class StepView:
    """One step of a review as shown in the inbox and on the review form."""

    order: int
    name: str
    mode: str
    tasks: list = field(default_factory=list)
    state: str = StepState.WAITING
    condition_min_amount: Decimal | None = None
    condition_max_margin: Decimal | None = None
    check_items: list[tuple[str, str]] = field(default_factory=list)
    stage: int = 0  # the order of the first step it runs alongside (its own when sequential)

    @property
    def is_parallel(self) -> bool:
        return bool(self.stage) and self.stage != self.order

    @property
    def state_label(self) -> str:
        return str(StepState(self.state).label)

    @property
    def mode_label(self) -> str:
        return str(StepMode(self.mode).label)


def _step_state(review, order: int, tasks: list) -> str:
    states = {t.state for t in tasks}
    if states == {TaskState.SKIPPED}:
        return StepState.SKIPPED
    if TaskState.REJECTED in states:
        return StepState.REJECTED
    # The current stage's steps that still wait for a decision (parallel steps: several).
    if review.status == ReviewStatus.IN_PROGRESS and TaskState.PENDING in states:
        return StepState.CURRENT
    if TaskState.WAITING in states:
        return StepState.WAITING
    if TaskState.APPROVED in states and (tasks[0].mode == StepMode.ANY or states == {TaskState.APPROVED}):
        return StepState.APPROVED
    # The review ended (rejected or cancelled) before this step was complete.
    return StepState.UNFINISHED


class ReviewQuerySet(models.QuerySet["Review"]):
    def in_progress(self) -> Self:
        return self.filter(status=ReviewStatus.IN_PROGRESS)

    def for_subject(self, subject: models.Model) -> Self:
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
            object_id=subject.pk,
        )

    def waiting_for(self, user: Actor) -> Self:
        """In-progress reviews where ``user`` holds a pending task (of the current step).

        Driven by the user's pending tasks (index ``review_task_waiting``): their review ids
        are read first and the reviews fetched by primary key, so the cost follows the user's
        own pending work, never the number of reviews in progress (an EXISTS per review let
        the planner walk every review in progress in ``started_at`` order looking for five).
        """
        pending = ReviewTask.objects.filter(approver=user.pk, state=TaskState.PENDING)
        return self.in_progress().filter(AnyOf("pk", pending.values("review_id")))

    def visible_to(self, user: Actor) -> Self:
        """Its approvers, its author and starter, its team (members and managers), and
        all-scope roles. Approvers from other teams (legal, department heads) see it too."""
        approver_of = ReviewTask.objects.filter(approver=user.pk).values("review_id")
        return self.filter(
            visibility_q(
                user, team_field="team", people_fields=("author", "started_by"), personal=[approver_of]
            )
        )

    def with_tasks(self) -> Self:
        """Everything the inbox, the list and the form show, in a constant number of queries."""
        return self.select_related("chain", "author", "started_by", "team", "finished_by").prefetch_related(
            models.Prefetch(
                "tasks", queryset=ReviewTask.objects.select_related("approver").order_by("step_order", "pk")
            )
        )


class Review(models.Model):
    """One run of a chain on one subject (R-REV-1). At most one is in progress per subject.

    The plan (every step's approvers) is fixed when the review starts, so every step is
    known to have an approver and the review form lists the whole plan from the start.
    ``version`` grows with every decision for optimistic checks by clients.
    """

    # What the subject type says of its subject, set by ``reviews.selectors.with_content``
    # for the inbox and the review form (not columns): the content as it was sent to review
    # (from ``content_snapshot``), and whether the subject reads differently now.
    content: list[Any]
    content_changed: bool

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, editable=False
    )
    object_id = models.PositiveBigIntegerField(_("subject id"), editable=False)
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.SlugField(_("kind"), max_length=40, editable=False)
    chain = models.ForeignKey(
        ReviewChain, verbose_name=_("chain"), on_delete=models.PROTECT, related_name="reviews", editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.IN_PROGRESS,
        editable=False,
    )
    current_step_order = models.PositiveSmallIntegerField(_("current step"), null=True, editable=False)
    author = models.ForeignKey(
        USER,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="authored_reviews",
        editable=False,
    )
    started_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        related_name="reviews",
        editable=False,
    )
    subject_summary = models.CharField(_("subject"), max_length=300, editable=False)
    subject_url = models.CharField(_("subject link"), max_length=500, blank=True, editable=False)
    # R-REV-4: ``amount`` is in CNY, the figure the step thresholds were compared with; the
    # subject's own amount, currency and the recorded rate it was converted at are kept
    # beside it (blank currency: a review started before amounts were converted).
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True, editable=False
    )
    original_amount = models.DecimalField(
        _("amount as recorded"), max_digits=16, decimal_places=2, null=True, blank=True, editable=False
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, editable=False)
    fx_rate_to_cny = models.DecimalField(
        _("exchange rate to CNY"), max_digits=12, decimal_places=6, null=True, blank=True, editable=False
    )
    fx_rate_date = models.DateField(_("exchange rate date"), null=True, blank=True, editable=False)
    # R-QUOTE-1: the subject's margin % when the review started (the figure the
    # price-authority bands were compared with); null when the subject type tells none.
    margin = models.DecimalField(
        _("margin %"), max_digits=9, decimal_places=2, null=True, blank=True, editable=False
    )
    score_criteria = models.JSONField(_("score criteria"), default=list, blank=True, editable=False)
    scores_required_on_reject = models.BooleanField(
        _("scores required on rejection too"), default=False, editable=False
    )
    # What was sent to review, as the subject type described it at the start, in every
    # interface language ({"en": [item, …], "zh-hans": […], …}; R-REV-6): the review form
    # shows what the reviewers decided on, not the subject as it reads after later edits.
    content_snapshot = models.JSONField(_("content as submitted"), default=dict, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    finished_by = models.ForeignKey(
        USER,
        verbose_name=_("finished by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    outcome_note = models.TextField(
        _("outcome note"),
        blank=True,
        editable=False,
        help_text=_("The rejection comment or the cancellation reason."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="review_subject"),
            models.Index(fields=["status", "kind"], name="review_status_kind"),
            models.Index(fields=["team", "status"], name="review_team_status"),
            # Issue 9: the list's orderings (started_at has its own index; the API appends "-id").
            models.Index(
                null_sort_key("finished_at", models.DateTimeField()), F("id").desc(), name="review_finished"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(status="in_progress"),
                name="one_review_in_progress_per_subject",
                violation_error_message=_("This subject already has a review in progress."),
            ),
            models.CheckConstraint(
                condition=(Q(status="in_progress") & Q(finished_at__isnull=True))
                | (~Q(status="in_progress") & Q(finished_at__isnull=False)),
                name="review_finished_at_matches_status",
                violation_error_message=_("A finished review has a finish time; one in progress has none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label}: {self.subject_summary}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def is_in_progress(self) -> bool:
        return self.status == ReviewStatus.IN_PROGRESS

    @property
    def criteria(self) -> list[tuple[str, str]]:
        return criteria_labels(self.score_criteria)

    @property
    def is_converted(self) -> bool:
        """The subject's amount was in another currency, converted to CNY at a rate."""
        return self.fx_rate_to_cny is not None and self.original_amount is not None

    @property
    def fx_rate_display(self) -> str:
        return plain_rate(self.fx_rate_to_cny) if self.fx_rate_to_cny is not None else ""

    # Derived from the (prefetched) tasks: use ``Review.objects.with_tasks()``.
    @cached_property
    def steps(self) -> list[StepView]:
        by_order: dict[int, StepView] = {}
        for task in self.tasks.all():
            view = by_order.get(task.step_order)
            if view is None:
                view = by_order[task.step_order] = StepView(
                    order=task.step_order,
                    name=task.step_name,
                    mode=task.mode,
                    condition_min_amount=task.condition_min_amount,
                    condition_max_margin=task.condition_max_margin,
                    check_items=task.check_item_labels,
                    stage=task.stage_order,
                )
            view.tasks.append(task)
        steps = [by_order[order] for order in sorted(by_order)]
        for step in steps:
            step.state = _step_state(self, step.order, step.tasks)
        return steps

    @property
    def steps_total(self) -> int:
        """Steps that apply to this subject (skipped conditional steps do not count)."""
        return sum(1 for s in self.steps if s.state != StepState.SKIPPED)

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.state == StepState.APPROVED)

    @property
    def current_step(self) -> StepView | None:
        for step in self.steps:
            if step.state == StepState.CURRENT:
                return step
        return None

    @property
    def decisions(self) -> list[ReviewTask]:
        """Decided tasks, in the order they were decided."""
        decided = [t for t in self.tasks.all() if t.decided_at is not None]
        return sorted(decided, key=lambda t: (t.decided_at, t.pk))

    def pending_task_for(self, user) -> ReviewTask | None:
        for task in self.tasks.all():
            if task.approver_id == user.pk and task.state == TaskState.PENDING:
                return task
        return None


class ReviewTask(models.Model):
    """One approver's part in one step of a review (or one row recording a skipped step).

    The step's name, mode and condition are copied from the chain when the review starts,
    so editing the chain later never changes a review under way or a finished form.
    """

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="tasks"
    )
    step = models.ForeignKey(
        ReviewChainStep,
        verbose_name=_("chain step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    step_order = models.PositiveSmallIntegerField(_("step"))
    # The stage the step runs in: its own order, or the order of the first step it runs
    # alongside (``ReviewChainStep.parallel_with_previous``). ``Review.current_step_order``
    # names the current stage.
    stage_order = models.PositiveSmallIntegerField(_("stage"), default=0)
    step_name = models.CharField(_("step name"), max_length=100)
    mode = models.CharField(_("mode"), max_length=5, choices=StepMode.choices)
    condition_min_amount = models.DecimalField(
        _("only when the amount exceeds"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    condition_max_margin = models.DecimalField(
        _("only when the margin percentage is below"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    # The step's check items as the review started ([{"code", "label"}, …], R-REV-2), and
    # this approver's result for each: {code: {"ok": bool, "comment": str}}.
    check_items = models.JSONField(_("check items"), default=list, blank=True, editable=False)
    checks = models.JSONField(_("check results"), default=dict, blank=True, editable=False)
    approver = models.ForeignKey(
        USER,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_tasks",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=TaskState.choices, default=TaskState.WAITING, editable=False
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(
        pgettext_lazy("review decision", "decided at"), null=True, blank=True, editable=False
    )
    comment = models.TextField(_("comment"), blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)

    class Meta:
        ordering = ["review", "step_order", "pk"]
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        indexes = [
            models.Index(fields=["approver", "state"], name="review_task_inbox"),
            # The dashboard's "waiting for you" (reviews.selectors.longest_waiting): a user's
            # pending tasks in the order they reached them, read five at a time.
            models.Index(
                fields=["approver", "opened_at", "review"],
                condition=Q(state="pending"),
                name="review_task_waiting",
            ),
            # The review-turnaround chart's drill-down (reviews.filtersets): one approver's
            # decisions in a period, a range scan.
            models.Index(
                fields=["approver", "decided_at"],
                condition=Q(decided_at__isnull=False),
                name="review_task_decided",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "step_order", "approver"],
                name="review_task_one_per_approver_per_step",
                violation_error_message=_("An approver has one task per step."),
            ),
            models.UniqueConstraint(
                fields=["review", "step_order"],
                condition=Q(approver__isnull=True),
                name="review_task_one_skip_per_step",
                violation_error_message=_("A skipped step is recorded once."),
            ),
            models.CheckConstraint(
                condition=(Q(state="skipped") & Q(approver__isnull=True))
                | (~Q(state="skipped") & Q(approver__isnull=False)),
                name="review_task_skipped_has_no_approver",
                violation_error_message=_("Only a skipped step has no approver."),
            ),
            models.CheckConstraint(
                condition=(Q(state__in=["approved", "rejected"]) & Q(decided_at__isnull=False))
                | (~Q(state__in=["approved", "rejected"]) & Q(decided_at__isnull=True)),
                name="review_task_decided_at_matches_state",
                violation_error_message=_("A decision has a time; an undecided task has none."),
            ),
        ]

    def __str__(self) -> str:
        # Names the review, so a deadline or a notification about the task says what it is
        # about (fetch tasks with select_related("review") when listing many).
        return f"{self.review} · {self.step_order}. {self.step_name}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.review_id])

    @property
    def mode_label(self) -> str:
        return str(StepMode(self.mode).label)

    @property
    def check_item_labels(self) -> list[tuple[str, str]]:
        return check_item_labels(self.check_items)

    @property
    def check_rows(self) -> list[tuple[str, str, bool | None, str]]:
        """(code, label, ok, comment) per check item of the step; ``ok`` is None for an item
        this approver left unmarked (undecided, or a rejection that did not go through it)."""
        rows = []
        for code, label in self.check_item_labels:
            result = (self.checks or {}).get(code) or {}
            rows.append((code, label, result.get("ok"), result.get("comment", "")))
        return rows

    def score_items(self, criteria: list[tuple[str, str]]) -> list[tuple[str, int | None]]:
        """(label, score) for each criterion of the review, in the criteria's order."""
        return [(label, (self.scores or {}).get(code)) for code, label in criteria]

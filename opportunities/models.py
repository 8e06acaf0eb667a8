"""Opportunities, their stage history, the project initiation request and the project team.

Rules: R-OPP-1 (what an opportunity records), R-OPP-2 (initiation approved by the sales
manager forms the project team), R-OPP-3 (stage changes only along the lifecycle, each one
recorded). Writes go through opportunities/services.py; ``stage`` and the initiation ``status``
change only through the moves in opportunities/transitions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from opportunities import notes as _notes  # noqa: F401  (registers the lifecycle's system notes)
from opportunities.choices import (
    CLOSED_STAGES,
    OPEN_STAGES,
    CloseReason,
    Currency,
    InitiationStatus,
    ProjectRole,
    Stage,
)
from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.money import BASE_CURRENCY, FX_RATE_MAX, FX_RATE_MIN, Money, plain_rate
from presales.core.notes import MoveRecord
from presales.core.ordering import null_sort_key
from presales.core.roles import Actor
from presales.core.scoping import personal_q, visibility_q

USER = settings.AUTH_USER_MODEL


def _member_of(user) -> Q:
    """Opportunities whose project team names ``user`` (a subquery: never duplicates rows)."""
    return Q(pk__in=_projects_of(user))


def _projects_of(user: Actor) -> QuerySet[Any]:
    """The ids of the opportunities whose project team names ``user`` (one index)."""
    return ProjectMember.objects.filter(user_id=user.pk).values("opportunity_id")


# R-CUST-6: the people on a customer's opportunities see the customer. One per-user set per
# way of being on an opportunity, each answered by one index (issue 9): registered for
# ``leads.Customer`` in OpportunitiesConfig.ready (leads sits below this app).
def customers_sold_by(user: Actor) -> QuerySet[Any]:
    return Opportunity.objects.filter(sales_owner_id=user.pk).values("customer_id")


def customers_presold_by(user: Actor) -> QuerySet[Any]:
    return Opportunity.objects.filter(presales_owner_id=user.pk).values("customer_id")


def customers_of_projects_of(user: Actor) -> QuerySet[Any]:
    return ProjectMember.objects.filter(user_id=user.pk).values("customer_id")


def opportunity_visibility_q(user: Actor, prefix: str = "") -> Q:
    """R-CUST-6 for opportunities, as index-backed pieces (presales.core.scoping, issue 9).
    ``prefix`` (e.g. ``"opportunity__"``) scopes a row attached to an opportunity (an
    initiation request, a proposal, a bid) by the opportunity's own pieces, never by a nested
    ``opportunity IN (visible opportunities)``: its team and owners through the join (a
    team's opportunities are too many to hash in work_mem), its project team as a set."""
    return visibility_q(
        user,
        team_field="team",
        people_fields=("sales_owner", "presales_owner"),
        personal=[_projects_of(user)] if user.is_authenticated else [],
        prefix=prefix,
        model=Opportunity,
        parent_sets=False,
    )


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def open(self) -> Self:
        return self.filter(stage__in=OPEN_STAGES)

    def closed(self) -> Self:
        return self.filter(stage__in=CLOSED_STAGES)

    def visible_to(self, user: Actor) -> Self:
        """The owning team (and its manager), the owners, the project team; all-scope roles."""
        return self.filter(opportunity_visibility_q(user))

    def involving(self, user: Actor) -> Self:
        """Opportunities the user personally works on: owner or project team member."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(sales_owner=user) | Q(presales_owner=user) | _member_of(user))

    def close_to(self, user: Actor) -> Self:
        """The user's teams' opportunities and those naming them (R-CUST-6 unmasking)."""
        return self.filter(
            personal_q(
                user,
                team_field="team",
                people_fields=("sales_owner", "presales_owner"),
                personal=[_projects_of(user)] if user.is_authenticated else [],
            )
        )

    def for_cards(self) -> Self:
        """Everything a board card, a list row or a move menu reads, fetched once."""
        # The members with their people: a list or board shows each member's name (issue 9:
        # without the join, one user query per member of every row).
        queryset = self.select_related(
            "customer", "team", "sales_owner", "presales_owner", "initiation"
        ).prefetch_related(Prefetch("members", queryset=ProjectMember.objects.select_related("user")))
        if _CARD_FACTS:
            queryset = queryset.annotate(**{name: factory() for name, factory in _CARD_FACTS.items()})
        return queryset


# Facts the gates of apps above this one read (e.g. "has an approved solution version"),
# annotated on every card, list row and detail by ``for_cards`` so a board of many cards
# shows each card's moves without a query per card. Registered from ``AppConfig.ready``.
_CARD_FACTS: dict[str, Callable[[], Any]] = {}


def register_card_fact(name: str, factory: Callable[[], Any]) -> None:
    """Annotate ``name`` (an expression built by ``factory``, e.g. ``Exists(...)`` over
    ``OuterRef("pk")``) on the querysets ``for_cards`` builds."""
    _CARD_FACTS[name] = factory


def card_fact(opportunity: Any, name: str, compute: Callable[[], Any]) -> Any:
    """A gate's fact: the annotated value when the opportunity came from ``for_cards``, else
    ``compute()`` (a service re-reads the row under its lock, unannotated, so it computes)."""
    if name in opportunity.__dict__:
        return opportunity.__dict__[name]
    return compute()


class Opportunity(VersionedModel, TimeStampedModel):
    """A deal pursued with a customer, from lead intake to handoff, or lost/abandoned (R-OPP-1)."""

    customer = models.ForeignKey(
        "leads.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="opportunities"
    )
    lead = models.OneToOneField(
        "leads.Lead",
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunity",
        editable=False,
    )
    title = models.CharField(pgettext_lazy("opportunity name", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    # R-REV-4: approval thresholds are in CNY; an amount in another currency carries the rate
    # it is converted at (CNY per unit) and the date of that rate, recorded by its owner.
    fx_rate_to_cny = models.DecimalField(
        _("exchange rate to CNY"),
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_(
            "CNY for one unit of the currency (e.g. 7.1 for USD); needed unless the amount is in CNY."
        ),
    )
    fx_rate_date = models.DateField(
        _("exchange rate date"), null=True, blank=True, help_text=_("The day the exchange rate is from.")
    )
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    competitors = models.JSONField(
        _("competitors"), default=list, blank=True, help_text=_("Names of the competing vendors.")
    )
    has_tender = models.BooleanField(
        _("public tender"),
        default=False,
        help_text=_("The customer buys through a tender (招标); without one the bid stage is skipped."),
    )
    team = models.ForeignKey(
        "presales.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="opportunities"
    )
    sales_owner = models.ForeignKey(
        USER, verbose_name=_("sales owner"), on_delete=models.PROTECT, related_name="sales_opportunities"
    )
    presales_owner = models.ForeignKey(
        USER,
        verbose_name=_("presales owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presales_opportunities",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD_INTAKE, editable=False
    )
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now, editable=False)
    bid_skip_reason = models.TextField(_("reason the bid stage was skipped"), blank=True, editable=False)
    close_reason = models.CharField(
        _("close reason"), max_length=30, choices=CloseReason.choices, blank=True, editable=False
    )
    close_note = models.TextField(_("close note"), blank=True, editable=False)
    winning_competitor = models.CharField(_("winning competitor"), max_length=200, blank=True, editable=False)
    # R-COMP-1: the competitor record the lost opportunity went to (``winning_competitor``
    # keeps the name as it was given).
    winner = models.ForeignKey(
        "opportunities.Competitor",
        verbose_name=_("winner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="won_opportunities",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(table_name="presales_historicalopportunity", excluded_fields=["updated_at"])

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        db_table = "presales_opportunity"  # the table kept its name when the model left presales
        ordering = ["-updated_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            # The board groups a team's opportunities by stage, oldest in stage first.
            models.Index(fields=["team", "stage", "stage_entered_at"], name="opp_board"),
            # The board's columns, each walked oldest-in-stage first (issue 9).
            models.Index(fields=["stage", "stage_entered_at", "id"], name="opp_stage_column"),
            # The board's counts and totals per stage: an index-only scan, for a team or all.
            models.Index(
                fields=["team", "stage", "currency"], include=["amount"], name="opp_team_stage_totals"
            ),
            models.Index(fields=["stage", "currency"], include=["amount"], name="opp_stage_totals"),
            models.Index(fields=["sales_owner", "stage"], name="opp_sales_owner_stage"),
            models.Index(fields=["presales_owner", "stage"], name="opp_presales_owner_stage"),
            models.Index(fields=["stage", "expected_close"], name="opp_stage_close"),
            # Issue 9: the default ordering and every ordering of the list (the API appends
            # "-id"; a nullable key is sorted through the Coalesce of presales.api.filters).
            models.Index(fields=["-updated_at", "-id"], name="opp_recent"),
            # The per-user customer sets of R-CUST-6 read from the index alone (index-only
            # scans: no heap page per opportunity the person is on).
            models.Index(fields=["sales_owner"], include=["customer"], name="opp_sales_owner_customer"),
            models.Index(fields=["presales_owner"], include=["customer"], name="opp_presales_owner_customer"),
            models.Index(fields=["id"], include=["customer"], name="opp_customer_by_id"),
            models.Index(fields=["title", "-id"], name="opp_title"),
            models.Index(fields=["amount", "-id"], name="opp_amount"),
            models.Index(fields=["stage_entered_at", "-id"], name="opp_stage_entered"),
            models.Index(
                null_sort_key("expected_close", models.DateField()), F("id").desc(), name="opp_expected_close"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="opportunity_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(fx_rate_to_cny__isnull=True)
                | Q(fx_rate_to_cny__gte=FX_RATE_MIN, fx_rate_to_cny__lte=FX_RATE_MAX),
                name="opportunity_fx_rate_in_bounds",
                # A literal (lazy) message: formatting it at import would freeze one language
                # into the migration state. The bounds are FX_RATE_MIN and FX_RATE_MAX.
                violation_error_message=_("The exchange rate must be between 0.0001 and 1000."),
            ),
            models.CheckConstraint(
                condition=Q(fx_rate_to_cny__isnull=True, fx_rate_date__isnull=True)
                | Q(fx_rate_to_cny__isnull=False, fx_rate_date__isnull=False),
                name="opportunity_fx_rate_has_date",
                violation_error_message=_("An exchange rate is recorded with its date."),
            ),
            models.CheckConstraint(
                condition=~Q(currency=BASE_CURRENCY) | Q(fx_rate_to_cny__isnull=True),
                name="opportunity_cny_has_no_fx_rate",
                violation_error_message=_("An amount in CNY takes no exchange rate."),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.LOST, Stage.ABANDONED]) | ~Q(close_reason=""),
                name="opportunity_closed_has_reason",
                violation_error_message=_("A lost or abandoned opportunity needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opportunities:detail", args=[self.pk])

    def clean(self) -> None:
        """R-REV-4: an amount in another currency carries its rate to CNY and the rate's
        date (not in the future). Checked on every write through the services, so a foreign
        opportunity cannot be saved, nor sent to review, without a rate; rows saved before
        the rate existed get one at their next edit (hence not a database constraint)."""
        errors: dict[str, list[str]] = {}
        if self.currency and self.currency != BASE_CURRENCY:
            if self.fx_rate_to_cny is None:
                errors["fx_rate_to_cny"] = [
                    _("Give the exchange rate of %(currency)s to CNY: thresholds are compared in CNY.")
                    % {"currency": self.currency}
                ]
            if self.fx_rate_date is None:
                errors["fx_rate_date"] = [_("Give the date of the exchange rate.")]
        if self.fx_rate_date is not None and self.fx_rate_date > timezone.localdate():
            errors.setdefault("fx_rate_date", []).append(_("The rate's date cannot be in the future."))
        if errors:
            raise ValidationError(errors)

    @property
    def fx_rate_display(self) -> str:
        return plain_rate(self.fx_rate_to_cny) if self.fx_rate_to_cny is not None else ""

    def money(self) -> Money:
        """The amount as recorded, with its rate to CNY (R-REV-4)."""
        return Money(
            amount=self.amount,
            currency=self.currency,
            rate_to_cny=self.fx_rate_to_cny if self.currency != BASE_CURRENCY else None,
            rate_date=self.fx_rate_date if self.currency != BASE_CURRENCY else None,
        )

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def days_in_stage(self) -> int:
        return max((timezone.now() - self.stage_entered_at).days, 0)

    @property
    def initiation_or_none(self) -> ProjectInitiation | None:
        """The initiation request, or None (no query when fetched with ``for_cards``)."""
        try:
            return self.initiation
        except ProjectInitiation.DoesNotExist:
            return None

    def member_ids(self) -> set[int]:
        """Ids of the project team (uses the prefetch of ``for_cards`` when present)."""
        return {m.user_id for m in self.members.all()}


class StageChange(MoveRecord):
    """One row per stage move (R-OPP-3): who moved it, when, from where to where, and why."""

    from_field = "from_stage"
    to_field = "to_stage"

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta(MoveRecord.Meta):
        db_table = "presales_stagechange"  # the table kept its name when the model left presales
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["opportunity", "-at"], name="stage_change_opp_at")]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.from_label} → {self.to_label}"

    # What a move asked for, by its key in ``details`` (the move's ``input_fields`` in opportunities.transitions).
    DETAIL_LABELS = {
        "reason": _("Close reason"),
        "winning_competitor": _("Winning competitor"),
        "bid_skip_reason": _("Why the bid stage is skipped"),
    }

    @property
    def detail_lines(self) -> list[tuple[str, str]]:
        """``details`` as (label, value) in the reader's language: a close reason shows its
        label (价格), not its stored code (price)."""
        lines = []
        for key, value in (self.details or {}).items():
            if key == "reason" and value in CloseReason.values:
                value = CloseReason(value).label
            lines.append((str(self.DETAIL_LABELS.get(key, key)), str(value)))
        return lines


class ProjectInitiation(VersionedModel, TimeStampedModel):
    """The project initiation request (項目立項申請表, R-OPP-2): basic facts, sales strategy,
    expected goals and the proposed team. Approved by review; approval forms the team.

    ``revision`` grows with every change, ``reviewed_revision`` is the one last sent to
    review: a rejected request goes back to review only once it has changed (R-REV-5).
    """

    opportunity = models.OneToOneField(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="initiation"
    )
    background = models.TextField(
        _("basic facts"), help_text=_("The project's background, scope, budget and decision process.")
    )
    sales_strategy = models.TextField(_("sales strategy"))
    expected_goals = models.TextField(_("expected goals"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InitiationStatus.choices,
        default=InitiationStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    reviewed_revision = models.PositiveIntegerField(
        _("revision sent to review"), null=True, blank=True, editable=False
    )
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True, editable=False)
    # R-REV-5: the opportunity's facts the approval was given on (amount, currency, rate to
    # CNY), recorded on approval; when one of them changes the request goes back to review.
    reviewed_facts = models.JSONField(_("reviewed facts"), default=dict, blank=True, editable=False)
    history = HistoricalRecords(
        table_name="presales_historicalprojectinitiation", excluded_fields=["updated_at"]
    )

    class Meta:
        db_table = "presales_projectinitiation"  # the table kept its name when the model left presales
        verbose_name = _("project initiation")
        verbose_name_plural = _("project initiations")

    def __str__(self) -> str:
        return str(_("Initiation: %(title)s") % {"title": self.opportunity.title})

    def get_absolute_url(self) -> str:
        return reverse("opportunities:detail", args=[self.opportunity_id]) + "#initiation"

    @property
    def is_editable(self) -> bool:
        return self.status in (InitiationStatus.DRAFT, InitiationStatus.REJECTED)

    @property
    def changed_since_review(self) -> bool:
        return self.reviewed_revision is None or self.revision > self.reviewed_revision

    @property
    def was_reopened(self) -> bool:
        """Approved once, and sent back since because a reviewed fact changed (R-REV-5)."""
        return self.approved_at is not None and self.status != InitiationStatus.APPROVED

    def writer_ids(self) -> set[int]:
        """Everyone who wrote the request (R-REV-5): who saved each of its revisions, read
        from its history. Every change of its text or proposed team raises the revision
        (``initiation_save``); status moves (submit, approve, reject …) keep it, so the
        approvers of an earlier revision are not counted as its writers."""
        writers: set[int] = set()
        previous = None
        rows = self.history.order_by("history_date", "history_id").values_list("revision", "history_user_id")
        for revision, user_id in rows:
            if revision != previous and user_id is not None:
                writers.add(user_id)
            previous = revision
        return writers


class InitiationStatusChange(MoveRecord):
    """One row per move of the initiation request's status (R-OPP-2, R-OPP-3, R-REV-5): who
    moved it, when, from where to where, by which move, and why. Written only by the
    request's one status door (``opportunities.services._initiation_move``)."""

    initiation = models.ForeignKey(
        ProjectInitiation,
        verbose_name=_("initiation request"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=InitiationStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=InitiationStatus.choices)
    # The request's revision the move applied to (a rejected request goes back changed, R-REV-5).
    revision = models.PositiveIntegerField(_("revision"))

    class Meta(MoveRecord.Meta):
        verbose_name = _("initiation status change")
        verbose_name_plural = _("initiation status changes")
        indexes = [models.Index(fields=["initiation", "-at"], name="initiation_status_change_at")]

    def __str__(self) -> str:
        return f"{self.initiation}: {self.from_label} → {self.to_label}"


class InitiationMember(models.Model):
    """A person proposed for the project team in the initiation request, with a role."""

    initiation = models.ForeignKey(
        ProjectInitiation,
        verbose_name=_("initiation request"),
        on_delete=models.CASCADE,
        related_name="proposed_members",
    )
    user = models.ForeignKey(USER, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role in the project"), max_length=30, choices=ProjectRole.choices)
    responsibility = models.CharField(
        pgettext_lazy("project team", "responsibility"), max_length=200, blank=True
    )
    history = HistoricalRecords(table_name="presales_historicalinitiationmember")

    class Meta:
        db_table = "presales_initiationmember"  # the table kept its name when the model left presales
        ordering = ["id"]
        verbose_name = _("proposed team member")
        verbose_name_plural = _("proposed team members")
        constraints = [
            models.UniqueConstraint(
                fields=["initiation", "user"],
                name="initiation_member_unique",
                violation_error_message=_("This person is already proposed for the team."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ProjectMember(models.Model):
    """A named member of the project team, with a role (formed when the initiation is
    approved, R-OPP-2). One row per person and opportunity."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.PROTECT, related_name="project_memberships"
    )
    role = models.CharField(_("role in the project"), max_length=30, choices=ProjectRole.choices)
    responsibility = models.CharField(
        pgettext_lazy("project team", "responsibility"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    # The opportunity's customer, kept by the database (triggers of migration 0011 set it on
    # every insert and follow the opportunity's customer when it changes, whoever writes):
    # "the customers of my projects" is then one index-only range, not a join of every
    # membership with its opportunity (R-CUST-6 at scale, issue 9).
    customer = models.ForeignKey(
        "leads.Customer",
        verbose_name=_("customer"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords(table_name="presales_historicalprojectmember", excluded_fields=["customer"])

    class Meta:
        db_table = "presales_projectmember"  # the table kept its name when the model left presales
        ordering = ["id"]
        verbose_name = _("project team member")
        verbose_name_plural = _("project team members")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "user"],
                name="project_member_unique",
                violation_error_message=_("This person is already on the project team."),
            )
        ]
        indexes = [
            models.Index(fields=["user", "opportunity"], name="project_member_user"),
            models.Index(fields=["user", "customer"], name="project_member_user_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


# R-COMP-1: the competitor records live in their own sub-package, registered with this app.
from opportunities.competitors.models import (  # noqa: E402, F401
    Competitor,
    CompetitorIntel,
    CompetitorProduct,
    OpportunityCompetitor,
)

"""Solutions and their versions (R-SOL-1..6, R-QUOTE-1).

A solution belongs to an opportunity and has numbered versions. A version's ``status``
changes only through the proposals services (the version's move table,
proposals/solutions/transitions.py); from submission on the version is frozen: its sections,
quote lines and requirement answers are refused by the services and, on PostgreSQL, by the
database triggers of migration ``0002_solution_content`` (an edit starts the next version).

Amounts: proposals/solutions/money.py is the one rounding rule (half up to the fen at each
line total; version totals are sums of line totals).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.notes import MoveRecord
from proposals.choices import FROZEN_STATUSES, VersionStatus
from proposals.models.needs import requirement_code
from proposals.solutions.choices import SECTION_ORDER, AcceptanceMethod, LineKind, SectionKind

USER = settings.AUTH_USER_MODEL


def _visible(queryset: models.QuerySet, user: Any, prefix: str) -> models.QuerySet:
    # Imported here: opportunities.models imports nothing of this app, but keeping the
    # import local leaves the model module cheap to import in migrations.
    from opportunities.models import opportunity_visibility_q

    return queryset.filter(opportunity_visibility_q(user, prefix=prefix))


class SolutionQuerySet(models.QuerySet["Solution"]):
    def visible_to(self, user: Any) -> Self:
        return _visible(self, user, "opportunity__")


class Solution(VersionedModel, TimeStampedModel):
    """The solution (解決方案) written for an opportunity; its content lives in its versions."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="solutions",
    )
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = SolutionQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity", "id"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    def __str__(self) -> str:
        return self.title


class SolutionVersionQuerySet(models.QuerySet["SolutionVersion"]):
    def visible_to(self, user: Any) -> Self:
        return _visible(self, user, "solution__opportunity__")

    def submitted(self) -> Self:
        """In review or approved: what the move into the review stage needs."""
        return self.filter(status__in=(VersionStatus.IN_REVIEW, VersionStatus.APPROVED))

    def approved(self) -> Self:
        return self.filter(status=VersionStatus.APPROVED)


class SolutionVersion(TimeStampedModel):
    """One numbered version of a solution: sections, quote lines, its review (R-SOL-3).

    ``currency`` and ``fx_rate_to_cny`` are the opportunity's when the version was created,
    taken again when it is submitted: a frozen version keeps the rate its quote was reviewed
    at (R-QUOTE-1)."""

    solution = models.ForeignKey(
        Solution, verbose_name=_("solution"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"), editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT, editable=False
    )
    author = models.ForeignKey(
        USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    fx_rate_to_cny = models.DecimalField(
        _("rate to CNY"), max_digits=12, decimal_places=6, null=True, blank=True, editable=False
    )
    fx_rate_date = models.DateField(_("rate date"), null=True, blank=True, editable=False)
    presented_at = models.DateTimeField(_("presented at"), null=True, blank=True, editable=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = SolutionVersionQuerySet.as_manager()

    class Meta:
        ordering = ["solution", "-number"]
        verbose_name = _("solution version")
        verbose_name_plural = _("solution versions")
        constraints = [
            models.UniqueConstraint(fields=["solution", "number"], name="solution_version_number_unique"),
            models.UniqueConstraint(
                fields=["solution"],
                condition=Q(status="draft"),
                name="solution_one_draft",
                violation_error_message=_("This solution already has a draft version."),
            ),
        ]
        indexes = [models.Index(fields=["status", "solution"], name="solution_version_status")]

    def __str__(self) -> str:
        return f"{self.solution} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        """R-SOL-3: submitted versions are immutable."""
        return self.status in FROZEN_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status == VersionStatus.APPROVED

    @property
    def opportunity(self) -> Any:
        return self.solution.opportunity

    @property
    def changed_requirement_codes(self) -> list[str]:
        """R-NEED-6: the codes (REQ-001 …) of the opportunity's requirements added or changed
        after the customer's confirmation since this version was submitted (a draft: since it
        was started), read from the annotation of
        ``proposals.solutions.selectors.with_requirement_changes`` (one query here otherwise)."""
        numbers = self.__dict__.get("changed_requirement_numbers")
        if numbers is None:
            from proposals.needs.selectors import requirement_changes_since

            numbers = list(
                requirement_changes_since(self.solution.opportunity_id, self.submitted_at or self.created_at)
                .filter(requirement__isnull=False)
                .values_list("requirement__number", flat=True)
                .distinct()
            )
            self.__dict__["changed_requirement_numbers"] = numbers
        return [requirement_code(n) for n in sorted(set(numbers or []))]

    @property
    def needs_revision(self) -> bool:
        """R-NEED-6: the version was built on a requirement text that has changed since."""
        return bool(self.changed_requirement_codes)


class VersionStatusChange(MoveRecord):
    """One move of a version's status (submit, approve, reject, withdraw, present)."""

    solution_version = models.ForeignKey(
        SolutionVersion, verbose_name=_("solution version"), on_delete=models.CASCADE, related_name="moves"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=VersionStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=VersionStatus.choices)

    class Meta(MoveRecord.Meta):
        verbose_name = _("solution version status change")
        verbose_name_plural = _("solution version status changes")
        indexes = [models.Index(fields=["solution_version", "at"], name="version_move_at")]


class VersionPartQuerySet(models.QuerySet):
    """Sections, quote lines, answers, feedback: visible with their opportunity."""

    def visible_to(self, user: Any) -> Self:
        return _visible(self, user, "solution_version__solution__opportunity__")


class SolutionTemplate(TimeStampedModel):
    """The company's solution template (R-SOL-1), maintained by an admin: a first version
    starts with its section bodies."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("solution template")
        verbose_name_plural = _("solution templates")

    def __str__(self) -> str:
        return self.name


class SolutionTemplateSection(models.Model):
    template = models.ForeignKey(
        SolutionTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(_("section"), max_length=24, choices=SectionKind.choices)
    body_html = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["template", "id"]
        verbose_name = _("template section")
        verbose_name_plural = _("template sections")
        constraints = [
            models.UniqueConstraint(fields=["template", "kind"], name="template_section_kind_unique"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class SolutionSection(VersionedModel, TimeStampedModel):
    """One section of a version (R-SOL-1): rich text sanitised on save (nh3), a writer with
    a due date (the ``solution_section_due`` timer), done when the writer says so."""

    solution_version = models.ForeignKey(
        SolutionVersion, verbose_name=_("solution version"), on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(_("section"), max_length=24, choices=SectionKind.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    body_html = models.TextField(_("text"), blank=True)
    writer = models.ForeignKey(
        USER, verbose_name=_("writer"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        ordering = ["solution_version", "position", "id"]
        verbose_name = _("solution section")
        verbose_name_plural = _("solution sections")
        constraints = [
            models.UniqueConstraint(fields=["solution_version", "kind"], name="solution_section_kind_unique"),
        ]
        indexes = [models.Index(fields=["writer", "done_at"], name="solution_section_writer")]

    def __str__(self) -> str:
        return f"{self.solution_version} · {self.get_kind_display()}"

    @property
    def default_position(self) -> int:
        return SECTION_ORDER.get(self.kind, len(SECTION_ORDER))


class QuoteLine(VersionedModel, TimeStampedModel):
    """One line of the version's quote (R-SOL-2). Unit cost and unit price are per unit;
    the unit cost is without tax, the unit price with or without tax as ``tax_inclusive``
    says. Amounts: proposals/solutions/money.py."""

    solution_version = models.ForeignKey(
        SolutionVersion,
        verbose_name=_("solution version"),
        on_delete=models.CASCADE,
        related_name="quote_lines",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=10, choices=LineKind.choices)
    item = models.CharField(_("item"), max_length=200)
    specification = models.TextField(_("specification"), blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("13.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    tax_inclusive = models.BooleanField(_("price includes tax"), default=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        ordering = ["solution_version", "position", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="quote_line_quantity_positive",
                violation_error_message=_("The quantity must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0) & Q(unit_price__gte=0),
                name="quote_line_amounts_not_negative",
                violation_error_message=_("Costs and prices cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100),
                name="quote_line_tax_rate_range",
                violation_error_message=_("The tax rate is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.item

    @property
    def amounts(self) -> Any:
        from proposals.solutions.money import line_amounts

        return line_amounts(self)


class SolutionAnswer(TimeStampedModel):
    """Which section or quote line answers a requirement in this version (R-SOL-1)."""

    solution_version = models.ForeignKey(
        SolutionVersion, verbose_name=_("solution version"), on_delete=models.CASCADE, related_name="answers"
    )
    requirement = models.ForeignKey(
        "proposals.Requirement",
        verbose_name=_("requirement"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    section = models.ForeignKey(
        SolutionSection,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
    )
    quote_line = models.ForeignKey(
        QuoteLine,
        verbose_name=_("quote line"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
    )
    note = models.TextField(_("note"), blank=True)

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        ordering = ["solution_version", "requirement__position", "requirement__number", "id"]
        verbose_name = _("requirement answer")
        verbose_name_plural = _("requirement answers")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(section__isnull=False, quote_line__isnull=True)
                    | Q(section__isnull=True, quote_line__isnull=False)
                ),
                name="solution_answer_one_target",
                violation_error_message=_("An answer points to one section or one quote line."),
            ),
            models.UniqueConstraint(
                fields=["solution_version", "requirement", "section"],
                condition=Q(section__isnull=False),
                name="solution_answer_section_unique",
            ),
            models.UniqueConstraint(
                fields=["solution_version", "requirement", "quote_line"],
                condition=Q(quote_line__isnull=False),
                name="solution_answer_line_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.code} → {self.section or self.quote_line}"


class Feedback(TimeStampedModel):
    """The customer's feedback on a presented version (R-SOL-3): starts the 48-hour revision
    timer on the solution, satisfied when the next version is submitted."""

    solution_version = models.ForeignKey(
        SolutionVersion, verbose_name=_("solution version"), on_delete=models.CASCADE, related_name="feedback"
    )
    received_at = models.DateTimeField(_("received at"))
    contact_name = models.CharField(_("from"), max_length=200, blank=True)
    content = models.TextField(_("feedback"))
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = VersionPartQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")
        indexes = [models.Index(fields=["solution_version", "received_at"], name="solution_feedback_at")]

    def __str__(self) -> str:
        return self.content[:60]


class AcceptanceQuerySet(models.QuerySet["Acceptance"]):
    def visible_to(self, user: Any) -> Self:
        return _visible(self, user, "opportunity__")


class Acceptance(TimeStampedModel):
    """The customer's acceptance of a version (R-SOL-6, 方案確認): who, how, when. One
    accepted version per opportunity at a time: a later acceptance supersedes it."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="solution_acceptances",
        editable=False,
    )
    solution_version = models.ForeignKey(
        SolutionVersion,
        verbose_name=_("solution version"),
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    contact = models.ForeignKey(
        "leads.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_name = models.CharField(_("accepted by"), max_length=200, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=AcceptanceMethod.choices)
    accepted_at = models.DateTimeField(_("accepted at"))
    evidence = models.FileField(_("evidence"), upload_to="acceptances/%Y/%m/", blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True, editable=False)

    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        ordering = ["-accepted_at", "-id"]
        verbose_name = _("solution acceptance")
        verbose_name_plural = _("solution acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=Q(superseded_at__isnull=True),
                name="one_accepted_version_per_opportunity",
                violation_error_message=_("This opportunity already has an accepted version."),
            ),
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | ~Q(contact_name=""),
                name="acceptance_names_who",
                violation_error_message=_("Name who accepted: a contact or a name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.solution_version} ({self.get_method_display()})"

    @property
    def who(self) -> str:
        return str(self.contact) if self.contact_id else self.contact_name

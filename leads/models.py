"""Customers (accounts), contacts, leads and communication records.

Rules: R-LEAD-1..4, R-CUST-1..6, R-COMM-1. Writes go through leads/services.py; the lead
status changes only through leads/transitions.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from leads.choices import (
    CadenceScope,
    Channel,
    ContactSource,
    DecisionRole,
    DisqualifyReason,
    FirstContactState,
    Grade,
    Industry,
    LeadSource,
    LeadStatus,
    SizeClass,
    Tier,
    VisitStatus,
)
from leads.normalize import normalize_company, normalize_email, normalize_phone
from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.notes import MoveRecord, register_note
from presales.core.roles import Actor, Scope, scope_of
from presales.core.scoping import personal_q, personal_rows, visibility_q
from presales.core.validators import CLOCK_SKEW, date_floor_error, long_text_validator, validate_phone

# Bounds of the customer's list fields (R-CUST-1): a tag list is a summary, not a catalogue.
MAX_NEED_TAGS = 20
# "Create anyway" reasons (R-LEAD-2) are a sentence or two.
OVERRIDE_REASON_MAX = 1000
# How far back a lead's receipt time may be given at intake (R-LEAD-3).
RECEIPT_MAX_AGE = timedelta(days=365)
# How far ahead a promised follow-up may be dated (R-COMM-1).
NEXT_STEP_MAX_AHEAD = timedelta(days=2 * 365)


class LoadedValuesMixin:
    """Remember some fields' values as read from the database, so ``clean()`` can tell a
    changed value from an unchanged one on every path (service, admin, API)."""

    tracked_fields: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = {
            name: getattr(instance, name) for name in cls.tracked_fields if name in field_names
        }
        return instance

    def value_changed(self, name: str) -> bool:
        """True for a new row, or when ``name`` differs from the stored value by a second or more."""
        if self._state.adding or name not in getattr(self, "_loaded_values", {}):
            return True
        return not same_moment(getattr(self, name), self._loaded_values[name])


def same_moment(a, b) -> bool:
    """Equal times, ignoring sub-second differences (a form or a client may drop them)."""
    if a is None or b is None:
        return a is b
    return abs(a - b) < timedelta(seconds=1)


USER = settings.AUTH_USER_MODEL

# The customer list's sort key for revenue: NULL (no revenue) sorts as the lowest, non-null
# so a cursor can compare it; the index ``customer_revenue`` is on this expression.
REVENUE_SORT = Coalesce(
    "annual_revenue", Value(Decimal(-1)), output_field=models.DecimalField(max_digits=16, decimal_places=2)
)


class NeedTag(models.Model):
    """A customer need tag such as cost control 降本 or production efficiency 效率 (R-CUST-1)."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("need tag")
        verbose_name_plural = _("need tags")

    def __str__(self) -> str:
        return self.name


CUSTOMER = "leads.Customer"


def _assigned_customers(user: Actor) -> QuerySet[Any]:
    """Customers the user is assigned to as presales (R-CUST-5)."""
    return CustomerPresales.objects.filter(user_id=user.pk).values("customer_id")


def customer_access_q(user: Actor, prefix: str = "") -> Q:
    """R-CUST-6: the owning team, the sales owner, the assigned presales and whoever the
    apps above register (the people on the customer's opportunities), as index-backed
    pieces (presales.core.scoping). ``prefix`` reaches the customer from a child row
    (``"customer__"`` from a contact or a communication record)."""
    return personal_q(
        user,
        team_field="team",
        people_fields=("owner",),
        personal=[_assigned_customers(user), *personal_rows(CUSTOMER, user)],
        prefix=prefix,
        model=Customer,
    )


class CustomerQuerySet(models.QuerySet["Customer"]):
    def active(self) -> Self:
        return self.filter(merged_into__isnull=True)

    def _personal(self, user: Actor) -> Q:
        return customer_access_q(user)

    def visible_to(self, user: Actor) -> Self:
        """R-CUST-6: the owning team, the sales owner, assigned presales; all-scope roles."""
        if scope_of(user) == Scope.ALL:
            return self
        if scope_of(user) is None:
            return self.none()
        return self.filter(self._personal(user))

    def with_contact_access(self, user: Actor) -> Self:
        """Annotate ``contact_access``: may this user see unmasked contact details?"""
        if scope_of(user) != Scope.ALL or user.is_superuser:
            # Team-scope users only see rows close to them; superusers are support staff.
            return self.annotate(contact_access=Value(True))
        return self.annotate(
            contact_access=Exists(Customer.objects.filter(pk=OuterRef("pk")).filter(self._personal(user)))
        )


class Customer(VersionedModel, TimeStampedModel):
    """An account: industry, size, region, need tags, grade, tier, owning team (R-CUST-1..4)."""

    name = models.CharField(_("company name"), max_length=200)
    normalized_name = models.CharField(
        _("normalized company name"), max_length=200, db_index=True, editable=False
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    need_tags = models.ManyToManyField(NeedTag, verbose_name=_("need tags"), blank=True)
    # The tag names as one value, kept by the services with the relation: the customer's
    # history records the tag list as a field (one row per save) instead of copying every
    # tag row of the relation into a history table on every save (issue 8, item 10).
    need_tag_names = models.JSONField(_("need tags"), default=list, blank=True, editable=False)
    fit_score = models.PositiveSmallIntegerField(
        _("fit (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)], default=3
    )
    value_score = models.PositiveSmallIntegerField(
        _("value (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)], default=3
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.B)
    grade_reason = models.TextField(_("grade reason"), blank=True, validators=[long_text_validator()])
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.GENERAL)
    # R-CUST-4: a tier other than the suggested one says why.
    tier_override_reason = models.TextField(
        _("tier override reason"), blank=True, validators=[long_text_validator()]
    )
    # R-CUST-4: the tier suggested from won amounts and open pipeline (leads/tiering.py).
    suggested_tier = models.CharField(
        _("suggested tier"), max_length=20, choices=Tier.choices, blank=True, editable=False
    )
    suggested_tier_reason = models.CharField(
        _("suggestion reason"), max_length=300, blank=True, editable=False
    )
    suggested_at = models.DateTimeField(_("suggested at"), null=True, blank=True, editable=False)
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, default=SizeClass.MEDIUM
    )
    team = models.ForeignKey(
        "presales.Team", verbose_name=_("owning team"), on_delete=models.PROTECT, related_name="customers"
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("sales owner"), on_delete=models.PROTECT, related_name="owned_customers"
    )
    last_progress_at = models.DateTimeField(
        _("last progress"),
        default=timezone.now,
        db_index=True,
        help_text=_("Last recorded interaction or stage change; drives the grade review."),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[long_text_validator()])
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["normalized_name", "updated_at"])

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["team", "grade"], name="customer_team_grade"),
            models.Index(fields=["-updated_at", "-id"], name="customer_recent"),
            # A team's customers as a set of ids, read from the index alone (contacts and
            # communications filter by it: presales.core.scoping).
            models.Index(fields=["team", "id"], name="customer_team_ids"),
            # Issue 9: every ordering of the list (the API appends "-id") served by an index.
            models.Index(fields=["name", "-id"], name="customer_name"),
            models.Index(fields=["grade", "-id"], name="customer_grade_asc"),
            models.Index(fields=["-grade", "-id"], name="customer_grade_desc"),
            # The API sorts revenue through this exact expression (CustomerViewSet.revenue_sort).
            models.Index(REVENUE_SORT, F("id").desc(), name="customer_revenue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_revenue__isnull=True) | Q(annual_revenue__gte=0),
                name="customer_revenue_not_negative",
                violation_error_message=_("Annual revenue cannot be negative."),
            ),
            # R-LEAD-2: one active customer per normalised company name. The services check
            # first under an advisory lock (a 409 listing the match); this holds the rule for
            # every other writer (admin, shell, imports) and for a race the services missed.
            models.UniqueConstraint(
                fields=["normalized_name"],
                condition=Q(merged_into__isnull=True) & ~Q(normalized_name=""),
                name="one_active_customer_per_name",
                violation_error_message=_("A customer with this company name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("leads:customer_detail", args=[self.pk])

    def clean(self):
        super().clean()
        # R-LEAD-2 for writers outside the services (admin): the constraint below is checked
        # on a field no form shows, so it is said here on the name.
        normalized = normalize_company(self.name)
        if (
            normalized
            and self.merged_into_id is None
            and Customer.objects.active().filter(normalized_name=normalized).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"name": _("A customer with this company name already exists.")})

    def save(self, *args, **kwargs):
        # Derived match key for duplicate detection (R-LEAD-2); never edited by hand.
        self.normalized_name = normalize_company(self.name)
        super().save(*args, **kwargs)

    def assignments(self) -> list[CustomerPresales]:
        """The presales assignments: the list a ``Prefetch(..., to_attr="prefetched_assignments")``
        left on the row (a list page reads it without Django building a queryset per row,
        issue 9), else the relation."""
        prefetched = self.__dict__.get("prefetched_assignments")
        return prefetched if prefetched is not None else list(self.presales_assignments.all())

    @property
    def primary_presales(self):
        """The one primary presales engineer (R-CUST-5), or None."""
        for assignment in self.assignments():
            if assignment.is_primary:
                return assignment.user
        return None


class CustomerPresales(models.Model):
    """A presales engineer on a customer: exactly one is primary, others assist (R-CUST-5)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="presales_assignments"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("presales engineer"), on_delete=models.PROTECT, related_name="presales_customers"
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("presales assignment")
        verbose_name_plural = _("presales assignments")
        # The per-user set of assigned customers from the index alone (issue 9).
        indexes = [models.Index(fields=["user", "customer"], name="presales_assignment_user")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "user"],
                name="presales_assignment_unique",
                violation_error_message=_("This engineer is already on the customer."),
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="one_primary_presales_per_customer",
                violation_error_message=_("A customer has exactly one primary presales engineer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} / {self.user}"


class ContactQuerySet(models.QuerySet["Contact"]):
    def visible_to(self, user: Actor) -> Self:
        """The contacts of the customers the user sees (R-CUST-6), through the customer's
        own pieces (``customer__team``, ``customer_id IN (...)``), never a nested
        ``customer IN (visible customers)`` (issue 9)."""
        scope = scope_of(user)
        if scope == Scope.ALL:
            return self
        if scope is None:
            return self.none()
        return self.filter(customer_access_q(user, prefix="customer__"))

    def with_contact_access(self, user: Actor) -> Self:
        if scope_of(user) != Scope.ALL or user.is_superuser:
            return self.annotate(contact_access=Value(True))
        return self.annotate(
            contact_access=Exists(
                Customer.objects.with_contact_access(user).filter(
                    pk=OuterRef("customer_id"), contact_access=True
                )
            )
        )


class Contact(VersionedModel, TimeStampedModel):
    """A person at a customer, with title and decision role (R-CUST-1)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    phone_normalized = models.CharField(
        _("normalized phone"), max_length=40, blank=True, db_index=True, editable=False
    )
    email_normalized = models.CharField(
        _("normalized email"), max_length=254, blank=True, db_index=True, editable=False
    )
    decision_role = models.CharField(
        _("decision role"), max_length=30, choices=DecisionRole.choices, default=DecisionRole.OTHER
    )
    notes = models.TextField(_("notes"), blank=True, validators=[long_text_validator()])
    # R-CUST-8: where the details came from (lawful sources only for new contacts).
    source = models.CharField(
        _("source of details"), max_length=30, choices=ContactSource.choices, blank=True
    )
    # R-POST-1, R-NEED-3: the language the customer's links and e-mails are written in.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the surveys and confirmation links sent to this person; "
            "blank: the site's default language."
        ),
    )
    # R-CUST-8: set once when the person's details are erased on request (leads/erasure.py).
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["phone_normalized", "email_normalized", "updated_at"])

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            # Issue 9: the list's orderings (the API appends "-id"); created_at has its own.
            models.Index(fields=["name", "-id"], name="contact_name"),
            models.Index(fields=["-updated_at", "-id"], name="contact_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"

    def get_absolute_url(self) -> str:
        return self.customer.get_absolute_url()

    def preferred_language(self, default: str | None = None) -> str:
        """The language to write to this person in (R-POST-1, R-NEED-3): their own when set,
        else ``default`` (e.g. the language a page was asked for), else the site's default."""
        return self.language or default or settings.LANGUAGE_CODE

    def save(self, *args, **kwargs):
        self.phone_normalized = normalize_phone(self.phone)
        self.email_normalized = normalize_email(self.email)
        super().save(*args, **kwargs)


class LeadQuerySet(models.QuerySet["Lead"]):
    def open(self) -> Self:
        return self.filter(status__in=[LeadStatus.NEW, LeadStatus.CONTACTED])

    def first_contact_pending(self) -> Self:
        return self.open().filter(first_contacted_at__isnull=True)

    def first_contact_due(self, now: datetime | None = None) -> Self:
        """Still inside the 24-hour first-contact window (R-LEAD-3)."""
        return self.first_contact_pending().filter(first_contact_due_at__gt=now or timezone.now())

    def first_contact_overdue(self, now: datetime | None = None) -> Self:
        """Past the 24-hour first-contact deadline with no contact recorded (R-LEAD-3)."""
        return self.first_contact_pending().filter(first_contact_due_at__lte=now or timezone.now())

    def access_q(self, user: Actor, prefix: str = "") -> Q:
        """The team's leads and those naming the user (``prefix`` from a child row)."""
        return personal_q(
            user,
            team_field="team",
            people_fields=("owner", "presales_owner"),
            prefix=prefix,
            model=Lead,
            # A team's leads are a tenth of the table: joined, not hashed (issue 9).
            parent_sets=False,
        )

    def _personal(self, user: Actor) -> Q:
        return self.access_q(user)

    def visible_to(self, user: Actor) -> Self:
        return self.filter(visibility_q(user, team_field="team", people_fields=("owner", "presales_owner")))

    def with_contact_access(self, user: Actor) -> Self:
        if scope_of(user) != Scope.ALL or user.is_superuser:
            return self.annotate(contact_access=Value(True))
        return self.annotate(
            contact_access=Exists(Lead.objects.filter(pk=OuterRef("pk")).filter(self._personal(user)))
        )


class Lead(LoadedValuesMixin, VersionedModel, TimeStampedModel):
    """A sales lead from intake to qualification (R-LEAD-1..4). Its receipt time is fixed
    at intake: the first-contact clock counts from it and no edit moves it (R-LEAD-3)."""

    tracked_fields = ("received_at",)

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=LeadStatus.choices,
        default=LeadStatus.NEW,
        editable=False,
        db_index=True,
    )
    source = models.CharField(_("source channel"), max_length=20, choices=LeadSource.choices)
    company_name = models.CharField(_("company"), max_length=200)
    company_normalized = models.CharField(
        _("normalized company name"), max_length=200, db_index=True, editable=False
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    contact_name = models.CharField(_("contact"), max_length=100)
    contact_title = models.CharField(_("contact title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    phone_normalized = models.CharField(
        _("normalized phone"), max_length=40, blank=True, db_index=True, editable=False
    )
    email_normalized = models.CharField(
        _("normalized email"), max_length=254, blank=True, db_index=True, editable=False
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    background = models.TextField(_("project background"), blank=True, validators=[long_text_validator()])
    initial_needs = models.TextField(_("initial needs"), blank=True, validators=[long_text_validator()])
    budget = models.DecimalField(
        _("budget (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    timing = models.CharField(
        _("timing"), max_length=100, blank=True, help_text=_("e.g. purchase planned for Q3")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    first_contact_due_at = models.DateTimeField(_("first contact due"), db_index=True, editable=False)
    first_contacted_at = models.DateTimeField(_("first contacted at"), null=True, blank=True, editable=False)
    team = models.ForeignKey(
        "presales.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="leads"
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("sales owner"), on_delete=models.PROTECT, related_name="owned_leads"
    )
    presales_owner = models.ForeignKey(
        USER,
        verbose_name=_("presales engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presales_leads",
    )
    # R-LEAD-4 qualification: feasibility and potential value on five aspects.
    eval_background = models.TextField(
        _("background assessment"), blank=True, editable=False, validators=[long_text_validator()]
    )
    eval_needs = models.TextField(
        _("needs assessment"), blank=True, editable=False, validators=[long_text_validator()]
    )
    eval_budget = models.TextField(
        _("budget assessment"), blank=True, editable=False, validators=[long_text_validator()]
    )
    eval_competition = models.TextField(
        _("competition assessment"), blank=True, editable=False, validators=[long_text_validator()]
    )
    eval_timeline = models.TextField(
        _("timeline assessment"), blank=True, editable=False, validators=[long_text_validator()]
    )
    disqualify_reason = models.CharField(
        _("disqualification reason"),
        max_length=30,
        choices=DisqualifyReason.choices,
        blank=True,
        editable=False,
    )
    disqualify_note = models.TextField(
        _("disqualification note"), blank=True, editable=False, validators=[long_text_validator()]
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
    )
    # R-LEAD-2: created (or edited) although it matched existing records: why, who, when.
    duplicate_override_reason = models.TextField(
        _("reason to keep despite duplicates"),
        blank=True,
        editable=False,
        validators=[MaxLengthValidator(OVERRIDE_REASON_MAX)],
    )
    duplicate_override_by = models.ForeignKey(
        USER,
        verbose_name=_("kept despite duplicates by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    duplicate_override_at = models.DateTimeField(
        _("kept despite duplicates at"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(
        excluded_fields=["company_normalized", "phone_normalized", "email_normalized", "updated_at"]
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["team", "status"], name="lead_team_status"),
            models.Index(fields=["-received_at", "-id"], name="lead_received"),
            models.Index(fields=["company_name", "-id"], name="lead_company"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="lead_budget_not_negative",
                violation_error_message=_("Budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(status="disqualified") | ~Q(disqualify_reason=""),
                name="lead_disqualified_has_reason",
                violation_error_message=_("A disqualified lead needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} / {self.contact_name}"

    def get_absolute_url(self) -> str:
        return reverse("leads:lead_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.received_at is None:
            return
        # R-LEAD-3: the receipt time is given at intake, plausible, and then fixed.
        error = date_floor_error(self.received_at)
        now = timezone.now()
        if error is None and self.received_at > now + CLOCK_SKEW:
            error = _("A lead cannot be received in the future.")
        if error is None and self._state.adding and self.received_at < now - RECEIPT_MAX_AGE:
            error = _("A lead received more than a year ago cannot be entered as new.")
        if error is None and self.value_changed("received_at") and not self._state.adding:
            error = _("The receipt time is fixed at intake: the first-contact limit counts from it.")
        if error:
            raise ValidationError({"received_at": error})

    def save(self, *args, **kwargs):
        self.company_normalized = normalize_company(self.company_name)
        self.phone_normalized = normalize_phone(self.phone)
        self.email_normalized = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in (LeadStatus.NEW, LeadStatus.CONTACTED)

    @property
    def first_contact_state(self) -> str:
        if self.first_contacted_at:
            return FirstContactState.DONE
        return (
            FirstContactState.OVERDUE
            if self.first_contact_due_at <= timezone.now()
            else FirstContactState.DUE
        )


class CommunicationQuerySet(models.QuerySet["CommunicationRecord"]):
    def visible_to(self, user: Actor) -> Self:
        """The records of the customers and the leads the user sees (R-CUST-6), through
        their own pieces (issue 9): ``customer__team IN (...)``, ``customer_id IN (...)``,
        ``lead__owner = user`` …, never nested ``IN (visible customers)``."""
        scope = scope_of(user)
        if scope == Scope.ALL:
            return self
        if scope is None:
            return self.none()
        return self.filter(
            customer_access_q(user, prefix="customer__") | Lead.objects.access_q(user, prefix="lead__")
        )

    def follow_ups_due(self, now: datetime | None = None) -> Self:
        return self.filter(next_step_due_at__isnull=False, next_step_due_at__lte=now or timezone.now())


class CommunicationRecord(LoadedValuesMixin, VersionedModel, TimeStampedModel):
    """One customer interaction (R-COMM-1); the first one on a lead is its first contact
    (R-LEAD-3), flagged ``entered_late`` when recorded more than 24 hours after the
    conversation (the stated time against the system's ``created_at``)."""

    tracked_fields = ("next_step_due_at",)

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="communications",
    )
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="communications",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # R-COMM-2: participants are people: our users and the customer's contacts; the text
    # keeps anyone else (a consultant, a third party) by name.
    participant_users = models.ManyToManyField(
        USER, verbose_name=_("our participants"), blank=True, related_name="communications_attended"
    )
    participant_contacts = models.ManyToManyField(
        Contact, verbose_name=_("customer participants"), blank=True, related_name="communications_attended"
    )
    participants = models.TextField(_("other participants"), blank=True, validators=[long_text_validator()])
    key_points = models.TextField(_("key points"), validators=[long_text_validator()])
    customer_feedback = models.TextField(
        _("customer feedback"), blank=True, validators=[long_text_validator()]
    )
    concerns = models.TextField(_("concerns"), blank=True, validators=[long_text_validator()])
    next_step = models.TextField(_("next step"), blank=True, validators=[long_text_validator()])
    next_step_due_at = models.DateTimeField(_("next step due"), null=True, blank=True, db_index=True)
    is_first_contact = models.BooleanField(_("first contact"), default=False, editable=False)
    entered_late = models.BooleanField(
        _("late entry"),
        default=False,
        editable=False,
        db_index=True,
        help_text=_("A first contact recorded more than 24 hours after the conversation (R-LEAD-3)."),
    )
    author = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("communication record")
        verbose_name_plural = _("communication records")
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="communication_recent"),
            # The detail pages' timelines (a customer's, a lead's communications, newest
            # first, keyset on (occurred_at, id); issue 9).
            models.Index(fields=["customer", "-occurred_at", "-id"], name="communication_customer_recent"),
            models.Index(fields=["lead", "-occurred_at", "-id"], name="communication_lead_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(lead__isnull=False),
                name="communication_has_subject",
                violation_error_message=_("A communication belongs to a customer or a lead."),
            ),
            models.CheckConstraint(
                condition=Q(next_step_due_at__isnull=True) | ~Q(next_step=""),
                name="communication_due_needs_next_step",
                violation_error_message=_("A next-step date needs the next step described."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        # From the ids: a list of many records' links (timers, the sweep) fetches no
        # customer or lead per record (issue 9).
        if self.customer_id:
            return reverse("leads:customer_detail", args=[self.customer_id])
        return reverse("leads:lead_detail", args=[self.lead_id])

    def clean(self):
        super().clean()
        errors = {}
        now = timezone.now()
        if self.occurred_at is not None:
            error = date_floor_error(self.occurred_at)
            if error is None and self.occurred_at > now + CLOCK_SKEW:
                error = _("An interaction cannot be recorded in the future.")
            if error:
                errors["occurred_at"] = error
        due = self.next_step_due_at
        if due is not None and self.value_changed("next_step_due_at"):
            # R-COMM-1: a promise is dated from now on, within two years (an unchanged date
            # of an older record stays valid, so correcting its text is still possible).
            error = date_floor_error(due)
            if error is None and due < now - CLOCK_SKEW:
                error = _("A next step cannot be due in the past.")
            if error is None and due > now + NEXT_STEP_MAX_AHEAD:
                error = _("A next step is due within two years.")
            if error:
                errors["next_step_due_at"] = error
        if errors:
            raise ValidationError(errors)


class MergeRecord(models.Model):
    """A merge of a duplicate into a survivor (R-LEAD-2): what moved, by whom, when."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        LEAD = "lead", _("Lead")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source_id = models.PositiveBigIntegerField(_("merged record id"))
    source_label = models.CharField(_("merged record"), max_length=300)
    target_id = models.PositiveBigIntegerField(_("surviving record id"), db_index=True)
    moved = models.JSONField(_("moved"), default=dict)
    actor = models.ForeignKey(USER, verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("merge record")
        verbose_name_plural = _("merge records")

    def __str__(self) -> str:
        return f"{self.kind} {self.source_label} → {self.target_id}"


# The notes the lead's status door writes itself, shown in the reader's language.
FIRST_CONTACT_TAKEN_OVER = "first_contact_taken_over"
MERGED_INTO = "merged_into"
register_note(FIRST_CONTACT_TAKEN_OVER, _("First contact taken over from the merged lead #%(id)s."))
register_note(MERGED_INTO, _("Merged into lead #%(id)s."))


class LeadStatusChange(MoveRecord):
    """One row per lead status move (R-LEAD-2, R-LEAD-4): who moved it, when, from where to
    where, by which move, and why. Written only by the lead's one status door
    (``leads.services._lead_move``), never edited."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=LeadStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=LeadStatus.choices)

    class Meta(MoveRecord.Meta):
        verbose_name = _("lead status change")
        verbose_name_plural = _("lead status changes")
        indexes = [models.Index(fields=["lead", "-at"], name="lead_status_change_at")]

    def __str__(self) -> str:
        return f"{self.lead}: {self.from_label} → {self.to_label}"


class CadencePolicy(models.Model):
    """R-CUST-7: how often a customer is contacted, per grade, per tier (a tier may only
    shorten the grade's cadence) and for decision makers. Admins edit these rows; a missing
    row means the default of ``leads.cadence.DEFAULT_DAYS``."""

    scope = models.CharField(_("applies to"), max_length=20, choices=CadenceScope.choices)
    value = models.CharField(
        _("grade or tier"), max_length=20, blank=True, help_text=_("Empty for decision makers.")
    )
    days = models.PositiveSmallIntegerField(
        _("days between contacts"), validators=[MinValueValidator(1), MaxValueValidator(730)]
    )

    class Meta:
        verbose_name = _("contact cadence")
        verbose_name_plural = _("contact cadences")
        constraints = [models.UniqueConstraint(fields=["scope", "value"], name="cadence_scope_value")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.value}: {self.days}"


class VisitPlanQuerySet(models.QuerySet["VisitPlan"]):
    def visible_to(self, user: Actor) -> Self:
        """The visits of the customers the user sees (R-CUST-6)."""
        scope = scope_of(user)
        if scope == Scope.ALL:
            return self
        if scope is None:
            return self.none()
        return self.filter(customer_access_q(user, prefix="customer__"))


class VisitPlan(VersionedModel, TimeStampedModel):
    """R-CUST-7 拜訪計劃: a planned visit to a customer; a follow-up timer on its planner
    until it is held (a communication record) or cancelled."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="visit_plans"
    )
    planned_at = models.DateTimeField(_("planned for"), db_index=True)
    purpose = models.TextField(_("purpose"), validators=[long_text_validator()])
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("customer contacts"), blank=True, related_name="visit_plans"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our participants"), blank=True, related_name="+"
    )
    planner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    outcome = models.TextField(_("outcome"), blank=True, validators=[long_text_validator()])
    communication = models.ForeignKey(
        CommunicationRecord,
        verbose_name=_("communication record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = VisitPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_at", "-id"]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        indexes = [models.Index(fields=["planner", "-planned_at", "-id"], name="visit_plan_planner")]

    def __str__(self) -> str:
        return f"{self.customer} {self.planned_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.customer.get_absolute_url()


class ContactErasure(models.Model):
    """R-CUST-8: the tombstone of an erased contact: that it existed and who erased it on
    whose request, never its details. Irreversible."""

    contact_id_erased = models.PositiveBigIntegerField(_("contact id"), db_index=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("erased by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), validators=[long_text_validator()])
    request_reference = models.CharField(_("request reference"), max_length=100)
    counts = models.JSONField(_("rows scrubbed"), default=dict)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("contact erasure")
        verbose_name_plural = _("contact erasures")

    def __str__(self) -> str:
        return f"#{self.contact_id_erased} {self.erased_at:%Y-%m-%d}"

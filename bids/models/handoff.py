"""The handoff to after-sales / delivery and the customer's acceptance (R-HAND-1..3, R-POST-1).

Signing the contract makes its :class:`Handoff` (one per contract) with the package frozen as
JSON: the confirmed requirements, the product configuration, the approved solution version,
the contract terms, the sections other areas register (payment plan, open risks) and the
customer's contacts. The receiving team acknowledges it and names the after-sales owner, who
is told to the customer with the :class:`ServiceGuide` (R-HAND-2). Acceptances record the
product or service acceptance with its signed scan; a failed one opens a
:class:`Rectification` (R-HAND-3); a passed one schedules the surveys (R-POST-1).

Every write goes through ``bids.handoff.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bids.handoff.choices import AcceptanceKind, AcceptanceResult, HandoffStatus, RectificationStatus
from presales.accounts.models import User
from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Scope, scope_of

USER = settings.AUTH_USER_MODEL


def handoff_visibility_q(user: Any, prefix: str = "") -> Q:
    """Who sees a handoff: whoever sees its opportunity, and the receiving team (its members
    and manager) and the after-sales owner, who usually do not."""
    from opportunities.models import opportunity_visibility_q

    q = opportunity_visibility_q(user, prefix=f"{prefix}opportunity__")
    scope = scope_of(user) if user.is_authenticated else None
    # All scope is no filter at all (an empty Q OR-ed with a piece would narrow it to the piece).
    if scope is None or scope == Scope.ALL:
        return q
    return (
        q
        | Q(**{f"{prefix}receiving_team_id__in": list(user.team_ids)})
        | Q(**{f"{prefix}after_sales_owner_id": user.pk})
    )


class HandoffQuerySet(models.QuerySet["Handoff"]):
    def visible_to(self, user: Any) -> HandoffQuerySet:
        return self.filter(handoff_visibility_q(user))


class Handoff(VersionedModel, TimeStampedModel):
    """The handoff package of a signed contract (R-HAND-1) and its acknowledgment (R-HAND-2).

    ``package`` is a snapshot taken at signing and never rewritten: a later change of the
    contract, the requirements or the contacts does not alter what was handed over."""

    contract = models.OneToOneField(
        "bids.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="handoff",
        editable=False,
    )
    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="handoff",
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=HandoffStatus.choices, default=HandoffStatus.SENT, editable=False
    )
    package = models.JSONField(_("package"), default=dict, editable=False)
    receiving_team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("receiving team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handoffs",
        editable=False,
    )
    acknowledged_by = models.ForeignKey(
        USER,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    acknowledgment_note = models.TextField(_("acknowledgment note"), blank=True, editable=False)
    after_sales_owner = models.ForeignKey(
        USER,
        verbose_name=_("after-sales owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="after_sales_handoffs",
        editable=False,
    )
    customer_informed_at = models.DateTimeField(
        _("customer informed at"), null=True, blank=True, editable=False
    )
    informed_contact = models.ForeignKey(
        "leads.Contact",
        verbose_name=_("contact informed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    informed_contact_name = models.CharField(
        _("contact informed"), max_length=100, blank=True, editable=False
    )
    guide = models.ForeignKey(
        "bids.ServiceGuide",
        verbose_name=_("service guide sent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    guide_version = models.PositiveIntegerField(
        _("guide version sent"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = HandoffQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=HandoffStatus.ACKNOWLEDGED)
                | (Q(acknowledged_at__isnull=False) & Q(after_sales_owner__isnull=False)),
                name="handoff_acknowledged_has_owner",
                violation_error_message=_("An acknowledged handoff names its after-sales owner."),
            ),
        ]
        indexes = [
            models.Index(fields=["receiving_team", "status", "-created_at"], name="handoff_team_status"),
            models.Index(fields=["status", "-created_at"], name="handoff_status_created"),
        ]

    def __str__(self) -> str:
        return str(
            _("Handoff of %(contract)s") % {"contract": self.package.get("contract", {}).get("title", "")}
        )

    def get_absolute_url(self) -> str:
        return reverse("bids:handoff-detail", args=[self.pk])


class ServiceGuide(TimeStampedModel):
    """The after-sales service guide (《售後服務指南》, R-HAND-2) in one language: the services,
    the response limits and the process. Administrators publish a new version rather than
    editing an old one that customers were sent; the highest version of a language is the one
    sent."""

    language = models.CharField(_("language"), max_length=10, choices=User.Language.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    services = models.TextField(_("services"))
    response_limits = models.TextField(_("response limits"))
    process = models.TextField(_("process"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["language", "-version"]
        verbose_name = _("after-sales service guide")
        verbose_name_plural = _("after-sales service guides")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "version"],
                name="service_guide_language_version",
                violation_error_message=_("This language already has a guide of this version."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_language_display()})"


class AcceptanceQuerySet(models.QuerySet["CustomerAcceptance"]):
    def visible_to(self, user: Any) -> AcceptanceQuerySet:
        return self.filter(handoff_visibility_q(user, prefix="handoff__"))


class CustomerAcceptance(VersionedModel, TimeStampedModel):
    """One acceptance of the delivered product or service (驗收, R-HAND-3): a product
    acceptance is pending from the goods' receipt (due within 3 working days) until its
    result; a service acceptance is held at a meeting. At most one passed per kind."""

    handoff = models.ForeignKey(
        Handoff,
        verbose_name=_("handoff"),
        on_delete=models.CASCADE,
        related_name="acceptances",
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AcceptanceKind.choices, editable=False)
    result = models.CharField(
        _("result"),
        max_length=10,
        choices=AcceptanceResult.choices,
        default=AcceptanceResult.PENDING,
        editable=False,
    )
    received_on = models.DateField(_("goods received on"), null=True, blank=True, editable=False)
    accepted_on = models.DateField(_("acceptance date"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True, editable=False)
    signed_scan = models.FileField(
        _("signed scan"), upload_to="acceptances/%Y/%m/", blank=True, editable=False
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(_("result recorded at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        ordering = ["handoff", "-created_at", "-id"]
        verbose_name = _("customer acceptance")
        verbose_name_plural = _("customer acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["handoff", "kind"],
                condition=Q(result=AcceptanceResult.PASSED),
                name="acceptance_one_passed_per_kind",
                violation_error_message=_("This handoff already has a passed acceptance of this kind."),
            ),
            models.UniqueConstraint(
                fields=["handoff", "kind"],
                condition=Q(result=AcceptanceResult.PENDING),
                name="acceptance_one_pending_per_kind",
                violation_error_message=_("This handoff already has a pending acceptance of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(result=AcceptanceResult.PENDING) | Q(accepted_on__isnull=False),
                name="acceptance_decided_has_date",
                violation_error_message=_("A decided acceptance has its date."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=AcceptanceKind.PRODUCT) | Q(received_on__isnull=False),
                name="acceptance_product_has_receipt",
                violation_error_message=_("A product acceptance has the date the goods were received."),
            ),
        ]
        indexes = [models.Index(fields=["handoff", "-created_at", "-id"], name="acceptance_handoff")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_result_display()}"

    def get_absolute_url(self) -> str:
        return reverse("bids:handoff-detail", args=[self.handoff_id])


class RectificationQuerySet(models.QuerySet["Rectification"]):
    def visible_to(self, user: Any) -> RectificationQuerySet:
        return self.filter(handoff_visibility_q(user, prefix="acceptance__handoff__"))

    def open(self) -> RectificationQuerySet:
        return self.filter(status=RectificationStatus.OPEN)


class Rectification(VersionedModel, TimeStampedModel):
    """The rectification (整改) a failed acceptance opens (R-HAND-3): the items to put right,
    an owner, due within 24 hours (timer ``rectification``); closed with a note, after which
    a new acceptance of that kind can be recorded."""

    acceptance = models.OneToOneField(
        CustomerAcceptance,
        verbose_name=_("failed acceptance"),
        on_delete=models.CASCADE,
        related_name="rectification",
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        editable=False,
    )
    items = models.TextField(_("items to rectify"), editable=False)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="rectifications", editable=False
    )
    due_at = models.DateTimeField(_("due at"), editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        USER,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    close_note = models.TextField(_("closing note"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RectificationStatus.OPEN)
                | (Q(closed_at__isnull=False) & ~Q(close_note="")),
                name="rectification_closed_has_note",
                violation_error_message=_("A closed rectification has its closing note."),
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="rectification_owner_status")]

    def __str__(self) -> str:
        return str(_("Rectification of %(acceptance)s") % {"acceptance": self.acceptance})

    def get_absolute_url(self) -> str:
        return reverse("bids:handoff-detail", args=[self.acceptance.handoff_id])

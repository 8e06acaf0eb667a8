"""Payment collection (R-PAY-1, 回款).

Each contract has one payment plan (``PaymentPlan``): its instalments (``PaymentInstalment``),
each a percentage of the contract amount or a fixed amount, due on a fixed date or some days
after an event (signing, delivery, acceptance). The plan's instalments sum exactly to the
contract amount (the last percentage instalment absorbs the rounding remainder; the contract
is not submitted otherwise). Receipts (``PaymentReceipt``) are recorded against instalments
on signed contracts; a reversal is a correcting entry, never an edit.

The plan keeps the contract amount (``amount``) and what was received (``received_total``,
kept by the receipt service under the plan's row lock); a database CHECK refuses a received
total above the amount, so no route, however it writes, collects more than the contract. The
default plan is an admin-editable template (``PaymentPlanTemplate``) when the contract's
payment terms say nothing the plan can read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bids.payments.choices import InstalmentStatus, PaymentMethod, ReceiptKind, Trigger
from presales.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL
ZERO = Decimal("0.00")


class PaymentPlanTemplate(TimeStampedModel):
    """A default payment plan an administrator keeps (e.g. 30 % on signing, 60 % on delivery,
    10 % on acceptance). The active default one makes the plan of a new contract whose
    payment terms give no percentages."""

    name = models.CharField(_("name"), max_length=120)
    is_default = models.BooleanField(_("default"), default=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("payment plan template")
        verbose_name_plural = _("payment plan templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="payment_template_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PaymentTemplateLine(models.Model):
    template = models.ForeignKey(
        PaymentPlanTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=120)
    percentage = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    trigger = models.CharField(
        _("due"),
        max_length=16,
        choices=[(t.value, t.label) for t in Trigger if t != Trigger.FIXED_DATE],
        default=Trigger.ON_SIGNING,
    )
    offset_days = models.PositiveIntegerField(_("days after the event"), default=0)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("payment template line")
        verbose_name_plural = _("payment template lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__gt=0) & Q(percentage__lte=100), name="payment_template_line_pct"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.percentage}%"


class PaymentPlanQuerySet(models.QuerySet["PaymentPlan"]):
    def visible_to(self, user: Any) -> PaymentPlanQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="contract__opportunity__"))


class PaymentPlan(VersionedModel, TimeStampedModel):
    """The payment plan of a contract (one per contract, R-PAY-1)."""

    contract = models.OneToOneField(
        "bids.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="payment_plan",
        editable=False,
    )
    amount = models.DecimalField(
        _("contract amount"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    received_total = models.DecimalField(
        _("received"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PaymentPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        constraints = [
            # R-PAY-1: receipts never exceed the contract amount, whatever route writes them.
            models.CheckConstraint(
                condition=Q(received_total__gte=0) & Q(received_total__lte=F("amount")),
                name="payment_plan_received_within_amount",
                violation_error_message=_("The received total cannot exceed the contract amount."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Payment plan of %(contract)s") % {"contract": self.contract})

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received_total


class PaymentInstalmentQuerySet(models.QuerySet["PaymentInstalment"]):
    def visible_to(self, user: Any) -> PaymentInstalmentQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="plan__contract__opportunity__"))


class PaymentInstalment(VersionedModel, TimeStampedModel):
    """One instalment: a percentage of the contract amount or a fixed amount (``amount_due``
    is computed by the services), due on ``fixed_date`` or ``offset_days`` after its event;
    ``due_on`` is set when it is triggered (at signing for fixed dates and "on signing")."""

    plan = models.ForeignKey(
        PaymentPlan,
        verbose_name=_("payment plan"),
        on_delete=models.CASCADE,
        related_name="instalments",
        editable=False,
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=120)
    percentage = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    fixed_amount = models.DecimalField(
        _("fixed amount"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    amount_due = models.DecimalField(
        _("amount due"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    trigger = models.CharField(_("due"), max_length=16, choices=Trigger.choices, default=Trigger.ON_SIGNING)
    offset_days = models.PositiveIntegerField(
        _("days after the event"), default=0, validators=[MaxValueValidator(3650)]
    )
    fixed_date = models.DateField(_("fixed due date"), null=True, blank=True)
    event_on = models.DateField(_("event date"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("due date"), null=True, blank=True, editable=False)
    received_total = models.DecimalField(
        _("received"), max_digits=16, decimal_places=2, default=ZERO, editable=False
    )
    settled_at = models.DateTimeField(_("fully received at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PaymentInstalmentQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("payment instalment")
        verbose_name_plural = _("payment instalments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(percentage__isnull=False) & Q(fixed_amount__isnull=True))
                | (Q(percentage__isnull=True) & Q(fixed_amount__isnull=False)),
                name="payment_instalment_percentage_or_amount",
                violation_error_message=_("Give either a percentage or a fixed amount."),
            ),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | (Q(percentage__gt=0) & Q(percentage__lte=100)),
                name="payment_instalment_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(fixed_amount__isnull=True) | Q(fixed_amount__gt=0),
                name="payment_instalment_amount_positive",
            ),
            models.CheckConstraint(
                condition=~Q(trigger=Trigger.FIXED_DATE) | Q(fixed_date__isnull=False),
                name="payment_instalment_fixed_has_date",
                violation_error_message=_("An instalment due on a fixed date needs that date."),
            ),
            models.CheckConstraint(
                condition=Q(received_total__gte=0) & Q(received_total__lte=F("amount_due")),
                name="payment_instalment_received_within_due",
                violation_error_message=_("The received total cannot exceed the instalment's amount."),
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "position", "id"], name="payment_instalment_position"),
            models.Index(fields=["due_on"], name="payment_instalment_due_on"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        opportunity_id = self.plan.contract.opportunity_id
        return reverse("opportunities:detail", args=[opportunity_id]) + "#payments"

    @property
    def outstanding(self) -> Decimal:
        return self.amount_due - self.received_total

    @property
    def team(self) -> Any:
        """The opportunity's team (the timers' team, presales/sla/services.py)."""
        return self.plan.contract.opportunity.team

    def status_on(self, today: date) -> str:
        if self.amount_due > 0 and self.received_total >= self.amount_due:
            return InstalmentStatus.RECEIVED
        if self.received_total > 0:
            return InstalmentStatus.PART_RECEIVED
        if self.due_on is None:
            return InstalmentStatus.WAITING
        if self.due_on < today:
            return InstalmentStatus.OVERDUE
        return InstalmentStatus.SCHEDULED

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(InstalmentStatus(self.status).label)


class PaymentReceiptQuerySet(models.QuerySet["PaymentReceipt"]):
    def visible_to(self, user: Any) -> PaymentReceiptQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="instalment__plan__contract__opportunity__"))


class PaymentReceipt(TimeStampedModel):
    """Money received against an instalment, or the reversal of such a receipt (a
    correcting entry with its reason; the amount is always positive, the kind says its
    sign). Receipts are never edited or deleted."""

    instalment = models.ForeignKey(
        PaymentInstalment,
        verbose_name=_("instalment"),
        on_delete=models.PROTECT,
        related_name="receipts",
        editable=False,
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ReceiptKind.choices, default=ReceiptKind.RECEIPT, editable=False
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        editable=False,
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PaymentReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment receipt")
        verbose_name_plural = _("payment receipts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_receipt_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind=ReceiptKind.RECEIPT) & Q(reverses__isnull=True))
                | (Q(kind=ReceiptKind.REVERSAL) & Q(reverses__isnull=False)),
                name="payment_receipt_reversal_names_its_receipt",
            ),
        ]
        indexes = [
            models.Index(fields=["instalment", "-received_on", "-id"], name="payment_receipt_instalment")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.received_on})"

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == ReceiptKind.REVERSAL else self.amount

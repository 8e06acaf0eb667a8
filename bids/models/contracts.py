"""Contracts (R-CON-1..4, R-REV-4, R-SOL-6).

A contract is drawn from the opportunity's accepted solution version and its quote: the quote
lines are copied into contract lines, the amount is their total with tax under the quote's one
rounding rule (proposals/solutions/money.py), in the version's currency at a rate to CNY
recorded on the contract. Its terms are fields (R-CON-1). A line differing from the quote
carries its explanation (R-CON-2). It is approved through the review engine (kind
``contract``), then signed (R-CON-3), then its signed scan is archived (R-CON-4).

Statuses change only through ``bids.contracts.services`` (with a status-change row per move).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bids.contracts.choices import (
    ClauseKey,
    ClauseLanguage,
    ContractStatus,
    SignatoryCapacity,
    SigningMethod,
)
from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.notes import MoveRecord

USER = settings.AUTH_USER_MODEL


class ContractQuerySet(models.QuerySet["Contract"]):
    def visible_to(self, user: Any) -> ContractQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))


class Contract(VersionedModel, TimeStampedModel):
    """The contract of an opportunity (one per opportunity)."""

    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="contract",
        editable=False,
    )
    solution_version = models.ForeignKey(
        "proposals.SolutionVersion",
        verbose_name=_("accepted solution version"),
        on_delete=models.PROTECT,
        related_name="contracts",
        editable=False,
    )
    number = models.CharField(_("contract number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        editable=False,
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    amount = models.DecimalField(
        _("amount (tax included)"), max_digits=16, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    amount_excl_tax = models.DecimalField(
        _("amount without tax"), max_digits=16, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    fx_rate_to_cny = models.DecimalField(
        _("rate to CNY"),
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("1000"))],
    )
    fx_rate_date = models.DateField(_("rate date"), null=True, blank=True)
    # R-CON-1: the terms, one field each.
    party_customer = models.CharField(_("customer (party A)"), max_length=200)
    party_company = models.CharField(_("our company (party B)"), max_length=200)
    scope = models.TextField(_("scope and specifications"), blank=True)
    price_terms = models.TextField(_("price terms (tax)"), blank=True)
    payment_terms = models.TextField(_("payment terms"), blank=True)
    delivery_time = models.CharField(_("delivery time"), max_length=200, blank=True)
    delivery_place = models.CharField(_("delivery place"), max_length=200, blank=True)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    obligations = models.TextField(_("obligations of both sides"), blank=True)
    warranty = models.TextField(_("warranty"), blank=True)
    liability = models.TextField(_("liability for breach"), blank=True)
    confidentiality = models.TextField(_("confidentiality"), blank=True)
    dispute_resolution = models.TextField(_("dispute resolution"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    # R-CON-3: signing.
    customer_signatory_name = models.CharField(
        _("customer signatory"), max_length=120, blank=True, editable=False
    )
    customer_signatory_title = models.CharField(
        _("customer signatory's title"), max_length=120, blank=True, editable=False
    )
    customer_authorisation_ref = models.CharField(
        _("authorisation document (授權委託書)"), max_length=200, blank=True, editable=False
    )
    our_signatory_name = models.CharField(_("our signatory"), max_length=120, blank=True, editable=False)
    our_signatory_capacity = models.CharField(
        _("our signatory's capacity"),
        max_length=12,
        choices=SignatoryCapacity.choices,
        blank=True,
        editable=False,
    )
    signing_method = models.CharField(
        _("signing method"), max_length=12, choices=SigningMethod.choices, blank=True, editable=False
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signing recorded at"), null=True, blank=True, editable=False)
    # R-CON-4: the archive.
    signed_scan = models.FileField(_("signed scan"), upload_to="contracts/%Y/%m/", blank=True, editable=False)
    archive_location = models.CharField(
        _("paper archive location"), max_length=200, blank=True, editable=False
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    # R-CON-5: the language the clauses were drawn in, and per clause the template version it
    # started from ({"warranty": {"template": id, "version": n}}); a deviation is a clause
    # whose text differs from its template's (bids/contracts/selectors.deviations).
    clause_language = models.CharField(
        _("clause language"), max_length=10, choices=ClauseLanguage.choices, blank=True, editable=False
    )
    clause_origins = models.JSONField(_("clause origins"), default=dict, blank=True, editable=False)
    # R-CON-2: why a line copied from the quote was deleted ({"<quote line id>": explanation}).
    removed_quote_lines = models.JSONField(_("removed quote lines"), default=dict, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ContractStatus.SIGNED)
                | (Q(signed_on__isnull=False) & ~Q(signing_method="")),
                name="contract_signed_has_date_and_method",
                violation_error_message=_("A signed contract has its signing date and method."),
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="contract_status_created")]

    def __str__(self) -> str:
        return self.number or self.title

    def get_absolute_url(self) -> str:
        return reverse("opportunities:detail", args=[self.opportunity_id]) + "#contract"


class ContractLineQuerySet(models.QuerySet["ContractLine"]):
    def visible_to(self, user: Any) -> ContractLineQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="contract__opportunity__"))


class ContractLine(VersionedModel, TimeStampedModel):
    """One line of the contract, copied from a quote line (``quote_line``) or added; its
    figures follow the quote's rounding rule. ``explanation`` says why it differs from the
    quote (R-CON-2)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines", editable=False
    )
    quote_line = models.ForeignKey(
        "proposals.QuoteLine",
        verbose_name=_("quote line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    item = models.CharField(_("item"), max_length=200)
    specification = models.TextField(_("specification"), blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
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
    price_excl = models.DecimalField(_("amount without tax"), max_digits=16, decimal_places=2, editable=False)
    tax = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, editable=False)
    price_incl = models.DecimalField(_("amount with tax"), max_digits=16, decimal_places=2, editable=False)
    explanation = models.TextField(_("explanation of the difference from the quote"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ContractLineQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "position", "id"]
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="contract_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="contract_line_price_not_negative"),
        ]
        indexes = [models.Index(fields=["contract", "position", "id"], name="contract_line_position")]

    def __str__(self) -> str:
        return self.item

    def get_absolute_url(self) -> str:
        return self.contract.get_absolute_url()


class ContractStatusChange(MoveRecord):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=ContractStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=ContractStatus.choices)

    class Meta(MoveRecord.Meta):
        verbose_name = _("contract status change")
        verbose_name_plural = _("contract status changes")
        indexes = [models.Index(fields=["contract", "-at"], name="contract_status_change_at")]


class ClauseTemplate(TimeStampedModel):
    """One version of a standard clause in one language (R-CON-5), maintained by an admin
    (bids/contracts/services.clause_template_publish): publishing a new text makes a new
    version active; earlier versions stay, as contracts point at the one they started from."""

    key = models.CharField(_("clause"), max_length=30, choices=ClauseKey.choices)
    language = models.CharField(_("language"), max_length=10, choices=ClauseLanguage.choices)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    text = models.TextField(_("standard text"))
    active = models.BooleanField(_("active"), default=True, editable=False)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["key", "language", "-version"]
        verbose_name = _("standard clause")
        verbose_name_plural = _("standard clauses")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language", "version"],
                name="clause_template_version_unique",
                violation_error_message=_("This version of the clause exists already."),
            ),
            models.UniqueConstraint(
                fields=["key", "language"],
                condition=Q(active=True),
                name="clause_template_one_active",
                violation_error_message=_("A clause has one active text per language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.language}) v{self.version}"


class NegotiationMinuteQuerySet(models.QuerySet["NegotiationMinute"]):
    def visible_to(self, user: Any) -> NegotiationMinuteQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="contract__opportunity__"))


class NegotiationMinute(TimeStampedModel):
    """Minutes of a negotiation of the contract (R-CON-5): who met, what was agreed, and the
    terms it changed (``changes``: [{"field", "before", "after"}], written by the service)."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="minutes",
        editable=False,
    )
    held_on = models.DateField(_("held on"))
    our_attendees = models.TextField(_("our attendees"))
    customer_attendees = models.TextField(_("customer's attendees"))
    summary = models.TextField(_("summary"))
    changes = models.JSONField(_("changed clauses"), default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = NegotiationMinuteQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "-held_on", "-id"]
        verbose_name = _("negotiation minute")
        verbose_name_plural = _("negotiation minutes")
        indexes = [models.Index(fields=["contract", "-held_on", "-id"], name="negotiation_minute_held")]

    def __str__(self) -> str:
        return f"{self.contract} · {self.held_on}"

    @property
    def changed_labels(self) -> list[str]:
        """The labels of the terms the minutes changed."""
        names = {f.name: f.verbose_name for f in Contract._meta.fields}
        return [str(names.get(c.get("field"), c.get("field"))) for c in self.changes or []]

    def get_absolute_url(self) -> str:
        return self.contract.get_absolute_url()


class ClauseChangeQuerySet(models.QuerySet["ClauseChange"]):
    def visible_to(self, user: Any) -> ClauseChangeQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="contract__opportunity__"))

    def pending(self) -> ClauseChangeQuerySet:
        return self.filter(confirmed_at__isnull=True)


class ClauseChange(TimeStampedModel):
    """A term changed while the contract was in review or rejected (R-CON-5, R-REV-5): the
    customer confirms it (who on their side, on which day, recorded by which of our users)
    before the contract is submitted again."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="clause_changes",
        editable=False,
    )
    field = models.CharField(_("term"), max_length=40, editable=False)
    before = models.TextField(_("before"), blank=True, editable=False)
    after = models.TextField(_("after"), blank=True, editable=False)
    status_at_change = models.CharField(
        _("contract status at the change"), max_length=10, choices=ContractStatus.choices, editable=False
    )
    changed_by = models.ForeignKey(
        USER, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    minute = models.ForeignKey(
        NegotiationMinute,
        verbose_name=_("negotiation minute"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clause_changes",
        editable=False,
    )
    customer_confirmed_by = models.CharField(
        _("confirmed by (customer)"), max_length=120, blank=True, editable=False
    )
    customer_confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        USER,
        verbose_name=_("confirmation recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    confirmed_at = models.DateTimeField(_("confirmation recorded at"), null=True, blank=True, editable=False)

    objects = ClauseChangeQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "-created_at", "-id"]
        verbose_name = _("clause change")
        verbose_name_plural = _("clause changes")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "field"],
                condition=Q(confirmed_at__isnull=True),
                name="clause_change_one_pending_per_term",
                violation_error_message=_("This term has a change waiting for confirmation already."),
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True)
                | (Q(customer_confirmed_on__isnull=False) & ~Q(customer_confirmed_by="")),
                name="clause_change_confirmed_has_who_and_when",
                violation_error_message=_("A confirmation names the customer's person and the day."),
            ),
        ]
        indexes = [models.Index(fields=["contract", "confirmed_at"], name="clause_change_pending")]

    def __str__(self) -> str:
        return f"{self.contract} · {self.field}"

    @property
    def label(self) -> str:
        return str(Contract._meta.get_field(self.field).verbose_name)

    def get_absolute_url(self) -> str:
        return self.contract.get_absolute_url()

"""Bid decisions, tenders and bids (R-BID-1, R-BID-2, R-BID-4, R-BID-5, R-REV-3).

Decisions and statuses change only through ``bids.tenders.services`` (each locks the
opportunity first, then the record)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bids.tenders.choices import BidStatus, Decision
from presales.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user):
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    """An IANA time zone name (``Asia/Hong_Kong``, ``Europe/Berlin``)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            _("Enter a time zone name such as Asia/Shanghai or Europe/Berlin."), code="time_zone"
        ) from None


class BidDecision(VersionedModel, TimeStampedModel):
    """The bid / no-bid decision (R-BID-5): the tender analysis and the strategy, decided by
    the presales manager."""

    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="bid_decision",
    )
    analysis = models.TextField(_("tender analysis"), blank=True)
    strategy = models.TextField(_("bid focus and strategy"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING, editable=False
    )
    reason = models.TextField(_("reason"), blank=True, editable=False)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid decision")
        verbose_name_plural = _("bid decisions")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.get_decision_display()}"


class Tender(VersionedModel, TimeStampedModel):
    """The public tender of an opportunity (R-BID-1)."""

    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="tender",
    )
    issuer = models.CharField(_("issuer"), max_length=200)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("The tender's dates are entered and shown in this zone (IANA name)."),
    )
    number = models.CharField(_("tender number"), max_length=100)
    documents_purchase_at = models.DateTimeField(_("documents purchase"), null=True, blank=True)
    documents_purchased_on = models.DateField(_("documents purchased on"), null=True, blank=True)
    questions_until = models.DateTimeField(_("clarification questions until"), null=True, blank=True)
    questions_sent_on = models.DateField(_("questions sent on"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("submission deadline"))
    opening_at = models.DateTimeField(_("opening"), null=True, blank=True)
    bond_amount = models.DecimalField(
        _("bid bond amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    bond_paid_on = models.DateField(_("bid bond paid on"), null=True, blank=True)
    bond_returned_on = models.DateField(_("bid bond returned on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bond_amount__isnull=True) | models.Q(bond_amount__gte=0),
                name="tender_bond_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.number}"

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            return ZoneInfo(settings.TIME_ZONE)


class TenderDocument(TimeStampedModel):
    """One row of the tender's required documents checklist (R-BID-1)."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="documents"
    )
    name = models.CharField(_("document"), max_length=200)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class Bid(VersionedModel, TimeStampedModel):
    """The bid submitted to a tender: reviewed (R-REV-3), sealed (R-BID-2), won or lost (R-BID-4)."""

    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="bid",
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=BidStatus.choices,
        default=BidStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True, editable=False)
    result_at = models.DateTimeField(_("result at"), null=True, blank=True, editable=False)
    winning_vendor = models.CharField(_("winning vendor"), max_length=200, blank=True, editable=False)
    # R-COMP-1: the competitor record of the winning vendor (``winning_vendor`` keeps the name).
    winning_competitor_ref = models.ForeignKey(
        "opportunities.Competitor",
        verbose_name=_("winning competitor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="won_bids",
    )
    winning_price = models.DecimalField(
        _("winning price"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("opportunities:detail", args=[self.opportunity_id]) + "#bids"

"""Needs analysis: the requirements of an opportunity (R-NEED-2).

Writes go through the proposals services; a requirement's number is allocated once per
opportunity and never reused (REQ-001, REQ-002 …).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from opportunities.models import opportunity_visibility_q
from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Actor
from proposals.choices import (
    ConfirmationMethod,
    ConfirmationStatus,
    Feasibility,
    Priority,
    RDRequestStatus,
    RequirementCategory,
    RequirementKind,
)

USER = settings.AUTH_USER_MODEL


class OpportunityPartQuerySet(models.QuerySet):
    """Rows hanging from an opportunity: seen by whoever sees the opportunity (the
    opportunity's own visibility through the foreign key, never a nested ``__in``)."""

    opportunity_path = "opportunity__"

    def visible_to(self, user: Actor) -> OpportunityPartQuerySet:
        return self.filter(opportunity_visibility_q(user, prefix=self.opportunity_path))


class RequirementPartQuerySet(OpportunityPartQuerySet):
    opportunity_path = "requirement__opportunity__"


def requirement_code(number: int) -> str:
    """A requirement's number as shown: REQ-001 (numbers are never reused, R-NEED-2)."""
    return f"REQ-{number:03d}"


class Requirement(VersionedModel, TimeStampedModel):
    """One customer requirement (需求) of an opportunity, with the fields of R-NEED-2."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=10, choices=RequirementKind.choices)
    category = models.CharField(_("category"), max_length=12, choices=RequirementCategory.choices)
    description = models.TextField(_("description"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.MEDIUM
    )
    key_metric = models.CharField(_("key metric"), max_length=300, blank=True)
    feasibility = models.CharField(
        _("feasibility"), max_length=12, choices=Feasibility.choices, default=Feasibility.FEASIBLE
    )
    feasibility_note = models.TextField(_("feasibility note"), blank=True)
    alternative = models.TextField(
        _("agreed alternative"),
        blank=True,
        help_text=_("What the customer agreed instead, when not feasible."),
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    # R-NEED-3: the customer's confirmation of this row, written only by the confirmation
    # services (the full record of every confirmation is RequirementConfirmation).
    confirmation_status = models.CharField(
        _("confirmation"),
        max_length=12,
        choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.UNCONFIRMED,
        editable=False,
    )
    confirmed_by_name = models.CharField(_("confirmed by"), max_length=100, blank=True, editable=False)
    confirmed_contact = models.ForeignKey(
        "leads.Contact",
        verbose_name=_("confirming contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    confirmation_method = models.CharField(
        _("confirmation method"),
        max_length=10,
        choices=ConfirmationMethod.choices,
        blank=True,
        editable=False,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    confirmation_comment = models.TextField(_("customer comment"), blank=True, editable=False)
    # R-NEED-6: when the substance last changed after a confirmation (a change request);
    # a solution version written before this time was built on the old text.
    changed_at = models.DateTimeField(
        _("changed after confirmation at"), null=True, blank=True, editable=False
    )
    # R-NEED-6: a change request asks for the feasibility to be assessed again; an edit of
    # the feasibility or its note records that assessment.
    feasibility_review_due = models.BooleanField(_("feasibility to reassess"), default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = OpportunityPartQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity", "position", "number"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "number"], name="requirement_number_unique"),
        ]
        indexes = [models.Index(fields=["opportunity", "position", "number"], name="requirement_order")]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"

    @property
    def code(self) -> str:
        """The number as shown: REQ-001."""
        return requirement_code(self.number)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmation_status == ConfirmationStatus.CONFIRMED


class NeedsAnalysis(VersionedModel, TimeStampedModel):
    """The needs analysis of an opportunity: its SPIN notes (R-NEED-1) and the counter its
    requirement numbers come from (taken under this row's lock, never reused)."""

    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="needs_analysis",
    )
    situation = models.TextField(_("situation (現狀)"), blank=True)
    problem = models.TextField(_("problem (困難)"), blank=True)
    implication = models.TextField(_("implication (影響)"), blank=True)
    need_payoff = models.TextField(_("need-payoff (需求-效益)"), blank=True)
    last_number = models.PositiveIntegerField(_("last requirement number"), default=0, editable=False)
    last_report_number = models.PositiveIntegerField(_("last report number"), default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at", "last_number", "last_report_number"])

    objects = OpportunityPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs analysis")
        verbose_name_plural = _("needs analyses")

    def __str__(self) -> str:
        return f"{self.opportunity_id}"


def evidence_path(instance: RequirementConfirmation, filename: str) -> str:
    return f"needs/evidence/{instance.requirement.opportunity_id}/{filename}"


class RequirementConfirmation(models.Model):
    """One confirmation (or comment) of a requirement by the customer (R-NEED-3), kept for
    good: who, how (link, e-mail, signed scan), when, with the evidence uploaded by the
    engineer for e-mail and scan."""

    requirement = models.ForeignKey(
        Requirement, verbose_name=_("requirement"), on_delete=models.CASCADE, related_name="confirmations"
    )
    status = models.CharField(_("confirmation"), max_length=12, choices=ConfirmationStatus.choices)
    confirmer_name = models.CharField(_("confirmed by"), max_length=100)
    contact = models.ForeignKey(
        "leads.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=10, choices=ConfirmationMethod.choices)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True, max_length=300)
    request = models.ForeignKey(
        "proposals.ConfirmationRequest",
        verbose_name=_("confirmation request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmations",
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("confirmed at"))

    class Meta:
        ordering = ["requirement", "-at", "-id"]
        verbose_name = _("requirement confirmation")
        verbose_name_plural = _("requirement confirmations")
        indexes = [models.Index(fields=["requirement", "-at"], name="req_confirmation_recent")]

    def __str__(self) -> str:
        return f"{self.requirement_id} {self.status} {self.at:%Y-%m-%d}"


class ChangeRequest(models.Model):
    """R-NEED-6: a requirement added or changed after the customer confirmed the list. Its
    feasibility is to be assessed again and the customer re-confirms it; solution versions
    written before ``created_at`` on this requirement need revision."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Added after confirmation")
        CHANGED = "changed", _("Changed after confirmation")

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="requirement_changes",
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="change_requests",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    old_values = models.JSONField(_("old values"), default=dict, blank=True)
    new_values = models.JSONField(_("new values"), default=dict, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When the customer confirmed the requirement again (the change request is settled).
    resolved_at = models.DateTimeField(_("re-confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["opportunity", "-created_at", "-id"]
        verbose_name = _("requirement change request")
        verbose_name_plural = _("requirement change requests")
        indexes = [models.Index(fields=["opportunity", "-created_at"], name="req_change_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requirement_id}"


class ConfirmationRequest(models.Model):
    """A needs confirmation list sent to a customer contact (R-NEED-3): the link's token is
    stored only as its hash; the request names exactly the requirements it shows, expires,
    can be revoked, and is spent once the contact has answered every row."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="confirmation_requests",
    )
    contact = models.ForeignKey(
        "leads.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    requirement_ids = models.JSONField(_("requirements"), default=list, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(USER, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = OpportunityPartQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity", "-created_at", "-id"]
        verbose_name = _("confirmation request")
        verbose_name_plural = _("confirmation requests")
        indexes = [models.Index(fields=["opportunity", "-created_at"], name="confirm_request_recent")]

    def __str__(self) -> str:
        return f"{self.contact} {self.created_at:%Y-%m-%d}"

    def state(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.completed_at is not None:
            return "completed"
        if self.expires_at <= now:
            return "expired"
        return "open"


class RDRequest(TimeStampedModel):
    """A question to R&D about a requirement that needs R&D (R-NEED-5), with its answer kept
    with the requirement. Small on purpose: the collaboration module will adopt it."""

    requirement = models.ForeignKey(
        Requirement, verbose_name=_("requirement"), on_delete=models.CASCADE, related_name="rd_requests"
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(USER, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        USER, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="rd_requests"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        USER, verbose_name=_("answered by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=RDRequestStatus.choices,
        default=RDRequestStatus.OPEN,
        editable=False,
    )
    # R-NEED-5 (issue 14): the question also goes to R&D as a collaboration request; its
    # completion writes the answer back here (proposals.needs.services.rd_request_answer_from_collaboration).
    collaboration_request = models.ForeignKey(
        "collaboration.CollaborationRequest",
        verbose_name=_("collaboration request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="rd_requests",
    )

    objects = RequirementPartQuerySet.as_manager()

    class Meta:
        ordering = ["requirement", "-created_at", "-id"]
        verbose_name = _("R&D request")
        verbose_name_plural = _("R&D requests")
        indexes = [models.Index(fields=["assignee", "status", "-created_at"], name="rd_request_inbox")]

    def __str__(self) -> str:
        return self.question[:60]


class NeedsReport(models.Model):
    """A version of the needs report (客戶需求報告, R-NEED-7): a snapshot of the SPIN notes
    and the requirement list with their confirmation state, as the PDF will print it."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="needs_reports",
    )
    number = models.PositiveIntegerField(_("version number"), editable=False)
    content = models.JSONField(_("content"), default=dict, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OpportunityPartQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity", "-number"]
        verbose_name = _("needs report")
        verbose_name_plural = _("needs reports")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "number"], name="needs_report_number_unique"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class OpportunityCommunication(models.Model):
    """R-NEED-1: a meeting, site visit or survey (a communication record of the customer,
    R-COMM-1) linked to the opportunity whose needs it gathered. A link rather than a
    foreign key on the record: ``leads`` sits below ``opportunities`` and may not point up,
    and one visit may serve two opportunities of the same customer."""

    class Purpose(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        SITE_VISIT = "site_visit", _("Site visit")
        SURVEY = "survey", _("Survey")

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="needs_communications",
    )
    communication = models.ForeignKey(
        "leads.CommunicationRecord",
        verbose_name=_("communication record"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    created_by = models.ForeignKey(
        USER, verbose_name=_("linked by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    objects = OpportunityPartQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity", "-created_at", "-id"]
        verbose_name = _("needs communication")
        verbose_name_plural = _("needs communications")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "communication"], name="opportunity_communication_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.communication_id}"

"""Demos and trials (R-DEMO-1..3).

A demo shows an approved solution version (R-SOL-5) to the customer: its time and planned
duration, who attends (our users and the customer's contacts), an agenda whose items name the
requirements they show, and an environment checklist that must be complete before it starts.
After it, its feedback (outcome, questions, objections, next step) is recorded within the
demo-feedback limit (R-DEMO-2). A trial, POC or demo-equipment loan is approved through the
review engine and has a period and a return date (R-DEMO-3).

Statuses change only through ``proposals.demos.services`` (one move table each, with a
status-change row per move).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.notes import MoveRecord
from proposals.demos.choices import ChecklistKind, DemoOutcome, DemoStatus, TrialKind, TrialStatus

USER = settings.AUTH_USER_MODEL


class DemoQuerySet(models.QuerySet["Demo"]):
    def visible_to(self, user):
        """The demos of the opportunities ``user`` sees, through the opportunity's own pieces."""
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))


class Demo(VersionedModel, TimeStampedModel):
    """One demonstration (演示) of a solution version to the customer (R-DEMO-1)."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="demos",
    )
    solution_version = models.ForeignKey(
        "proposals.SolutionVersion",
        verbose_name=_("solution version"),
        on_delete=models.PROTECT,
        related_name="demos",
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("planned duration (minutes)"), default=60)
    # starts_at + duration, kept by ``save``: the sweep finds demos whose end has passed
    # (R-DEMO-2: the feedback is owed from then) through the index below.
    ends_at = models.DateTimeField(_("ends at"), editable=False)
    location = models.CharField(_("location"), max_length=300, blank=True)
    online_link = models.URLField(_("online meeting link"), max_length=500, blank=True)
    our_attendees = models.ManyToManyField(
        USER, verbose_name=_("our attendees"), related_name="demos_attended", blank=True
    )
    customer_attendees = models.ManyToManyField(
        "leads.Contact", verbose_name=_("customer attendees"), related_name="demos_attended", blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DemoStatus.choices, default=DemoStatus.DRAFT, editable=False
    )
    # RFC 5545 SEQUENCE: raised whenever a scheduled demo's time or place changes.
    sequence = models.PositiveIntegerField(_("invitation sequence"), default=0, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("organizer"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)
    # R-DEMO-2: the feedback after the demo.
    outcome = models.CharField(_("outcome"), max_length=10, choices=DemoOutcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome notes"), blank=True)
    questions = models.TextField(_("customer questions"), blank=True)
    objections = models.TextField(_("customer objections"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback recorded at"), null=True, blank=True, editable=False)
    feedback_by = models.ForeignKey(
        USER,
        verbose_name=_("feedback recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = DemoQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("demo")
        verbose_name_plural = _("demos")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=24 * 60),
                name="demo_duration_range",
                violation_error_message=_("A demo lasts between 5 minutes and 24 hours."),
            ),
        ]
        indexes = [
            models.Index(fields=["opportunity", "-starts_at", "-id"], name="demo_opportunity_starts"),
            models.Index(fields=["status", "starts_at"], name="demo_status_starts"),
            models.Index(
                fields=["ends_at"],
                condition=Q(status=DemoStatus.STARTED, feedback_at__isnull=True),
                name="demo_started_ends",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:demo-detail", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        if self.starts_at is not None and self.duration_minutes is not None:
            self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "ends_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "ends_at"]
        super().save(*args, **kwargs)

    @property
    def uid(self) -> str:
        """RFC 5545 UID: stable for the demo's whole life (reschedules raise SEQUENCE)."""
        return f"demo-{self.pk}@presales"

    @property
    def feedback_recorded(self) -> bool:
        return self.feedback_at is not None


class DemoAgendaItem(models.Model):
    """One agenda item and the requirements (R-NEED-2) it shows."""

    demo = models.ForeignKey(Demo, verbose_name=_("demo"), on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(_("item"), max_length=500)
    requirements = models.ManyToManyField(
        "proposals.Requirement",
        verbose_name=_("requirements shown"),
        related_name="demo_agenda_items",
        blank=True,
    )

    class Meta:
        ordering = ["demo", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.text


class DemoChecklistItem(models.Model):
    """One line of the environment checklist (R-DEMO-1): done, by whom, when."""

    demo = models.ForeignKey(Demo, verbose_name=_("demo"), on_delete=models.CASCADE, related_name="checklist")
    kind = models.CharField(_("kind"), max_length=10, choices=ChecklistKind.choices)
    label = models.CharField(_("item"), max_length=200, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_by = models.ForeignKey(
        USER, verbose_name=_("done by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["demo", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["demo", "kind"],
                condition=~Q(kind=ChecklistKind.EXTRA),
                name="demo_checklist_fixed_once",
                violation_error_message=_("This checklist item exists already."),
            ),
            models.CheckConstraint(
                condition=Q(done=False) | (Q(done_by__isnull=False) & Q(done_at__isnull=False)),
                name="demo_checklist_done_who_when",
                violation_error_message=_("A ticked item records who ticked it and when."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        if self.kind == ChecklistKind.EXTRA:
            return self.label
        return str(self.get_kind_display())


class DemoStatusChange(MoveRecord):
    """One row per demo status move: who, when, from where to where, and why."""

    demo = models.ForeignKey(
        Demo, verbose_name=_("demo"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=DemoStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=DemoStatus.choices)

    class Meta(MoveRecord.Meta):
        verbose_name = _("demo status change")
        verbose_name_plural = _("demo status changes")
        indexes = [models.Index(fields=["demo", "-at"], name="demo_status_change_at")]


class TrialQuerySet(models.QuerySet["TrialRequest"]):
    def visible_to(self, user):
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))


class TrialRequest(VersionedModel, TimeStampedModel):
    """A trial, POC or demo-equipment loan (試用, R-DEMO-3): approved through the review
    engine (kind ``trial``), with a period and a return date (a timer)."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="trial_requests",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TrialKind.choices)
    items = models.TextField(_("items and equipment"))
    purpose = models.TextField(_("purpose"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    return_date = models.DateField(_("return date"))
    status = models.CharField(
        _("status"), max_length=10, choices=TrialStatus.choices, default=TrialStatus.DRAFT, editable=False
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True, editable=False)
    returned_by = models.ForeignKey(
        USER,
        verbose_name=_("return recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    return_note = models.TextField(_("return note"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("trial request")
        verbose_name_plural = _("trial requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="trial_period_order",
                violation_error_message=_("The period ends on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(return_date__gte=F("period_start")),
                name="trial_return_after_start",
                violation_error_message=_("The return date is on or after the period's start."),
            ),
        ]
        indexes = [
            models.Index(fields=["opportunity", "-created_at", "-id"], name="trial_opportunity_created"),
            models.Index(fields=["status", "return_date"], name="trial_status_return"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("proposals:trial-detail", args=[self.pk])


class TrialStatusChange(MoveRecord):
    trial = models.ForeignKey(
        TrialRequest, verbose_name=_("trial request"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=TrialStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=TrialStatus.choices)

    class Meta(MoveRecord.Meta):
        verbose_name = _("trial status change")
        verbose_name_plural = _("trial status changes")
        indexes = [models.Index(fields=["trial", "-at"], name="trial_status_change_at")]

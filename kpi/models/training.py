"""Training (R-KPI-1): plans per person and year, and records of courses taken (date, hours,
result: an exam score or a reflection) and of training given by presales to sales (credited to
the trainer). The KPI's training indicator is one aggregate over ``TrainingRecord``."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class TrainingDirection(models.TextChoices):
    TAKEN = "taken", _("Course taken")
    GIVEN = "given", _("Training given to sales")


class TrainingResult(models.TextChoices):
    EXAM = "exam", _("Exam score")
    REFLECTION = "reflection", _("Reflection")
    NONE = "none", _("No result yet")


class TrainingPlan(VersionedModel, TimeStampedModel):
    """What a person is to learn (or teach) in a year: courses and hours planned."""

    person = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.PROTECT, related_name="training_plans"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    planned_hours = models.DecimalField(
        _("planned hours"), max_digits=6, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    courses = models.TextField(_("planned courses"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-year", "person", "id"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        indexes = [models.Index(fields=["person", "year"], name="training_plan_person")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class TrainingRecord(VersionedModel, TimeStampedModel):
    """A course a person took, or a training a presales engineer gave to sales (``person`` is
    then the trainer, who is credited)."""

    person = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.PROTECT, related_name="training_records"
    )
    direction = models.CharField(
        _("kind"), max_length=10, choices=TrainingDirection.choices, default=TrainingDirection.TAKEN
    )
    plan = models.ForeignKey(
        TrainingPlan,
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(500)],
    )
    result = models.CharField(
        _("result"), max_length=12, choices=TrainingResult.choices, default=TrainingResult.NONE
    )
    exam_score = models.DecimalField(
        _("exam score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    reflection = models.TextField(_("reflection"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=200, blank=True, help_text=_("For training given: who attended.")
    )
    attendee_count = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        indexes = [models.Index(fields=["person", "held_on"], name="training_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(result="exam") | Q(exam_score__isnull=False), name="training_exam_has_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.course}"

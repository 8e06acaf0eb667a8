"""SLA timers, their policies and the working-day calendar (R-SLA-1..4).

A timer is a row: who owes what by when, on which record. The services that own an event
start, satisfy or cancel it (presales/sla/services.py); one periodic sweep claims the rows
whose ``next_action_at`` has come (presales/sla/sweep.py). Nothing scans records for changes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.roles import Role, Scope, scope_of
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import kind_label


class SlaPolicy(models.Model):
    """The admin-editable limit of one timer kind (R-SLA-4).

    Timers copy the policy when they start (``Timer.policy``), so an edit here changes only
    timers started afterwards. ``version`` counts the edits and is copied onto each timer.
    """

    kind = models.CharField(_("kind"), max_length=50, unique=True)
    limit_value = models.PositiveIntegerField(
        _("limit"), null=True, blank=True, help_text=_("Empty when the event gives the due date.")
    )
    limit_unit = models.CharField(_("limit unit"), max_length=20, choices=LimitUnit.choices)
    reminder_hours = models.JSONField(
        _("reminders (hours before due)"),
        default=list,
        blank=True,
        help_text=_("The owner is reminded this many hours before the due time, once per value."),
    )
    escalate_to = models.CharField(
        _("escalate to"),
        max_length=20,
        choices=EscalationTarget.choices,
        default=EscalationTarget.OWNER_MANAGER,
    )
    escalate_role = models.CharField(_("escalation role"), max_length=30, choices=Role.choices, blank=True)
    escalate_after_hours = models.PositiveIntegerField(
        _("escalate after (hours overdue)"), default=0, help_text=_("0 escalates as soon as it is overdue.")
    )
    repeat_every_hours = models.PositiveIntegerField(
        _("repeat escalation every (hours)"),
        null=True,
        blank=True,
        help_text=_("Empty escalates once."),
    )
    max_escalations = models.PositiveSmallIntegerField(_("maximum escalations"), default=1)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(limit_unit="fixed", limit_value__isnull=True)
                | (~Q(limit_unit="fixed") & Q(limit_value__gt=0)),
                name="sla_policy_limit_matches_unit",
                violation_error_message=_(
                    "Give a positive limit, or no limit when the event gives the date."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(escalate_to="role") | ~Q(escalate_role=""),
                name="sla_policy_role_target_has_role",
                violation_error_message=_("Choose the role to escalate to."),
            ),
            models.CheckConstraint(
                condition=Q(max_escalations__gte=1),
                name="sla_policy_max_escalations_positive",
                violation_error_message=_("Allow at least one escalation."),
            ),
            models.CheckConstraint(
                condition=Q(repeat_every_hours__isnull=True) | Q(repeat_every_hours__gt=0),
                name="sla_policy_repeat_positive",
                violation_error_message=_("The repeat interval must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return str(kind_label(self.kind))


class TimerState(models.TextChoices):
    """An open timer is owed; satisfied and cancelled are final. Overdue is derived (due_at < now):
    an overdue obligation is still owed, and satisfying it late is recorded as such."""

    OPEN = "open", _("Open")
    SATISFIED = "satisfied", _("Satisfied")
    CANCELLED = "cancelled", _("Cancelled")


class TimerQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=TimerState.OPEN)

    def overdue(self, now=None):
        return self.open().filter(due_at__lte=now or timezone.now())

    def due_soon(self, now=None, hours: int | None = None):
        now = now or timezone.now()
        hours = hours if hours is not None else settings.PRESALES["DUE_SOON_HOURS"]
        return self.open().filter(due_at__gt=now, due_at__lte=now + timedelta(hours=hours))

    def visible_to(self, user):
        """Own timers; timers of the teams one manages; everything for admins and the general
        manager. Colleagues do not see each other's deadline lists (they see a record's timers
        on the record page, which the record's own visibility guards)."""
        scope = scope_of(user)
        if scope is None:
            return self.none()
        if user.is_superuser or user.has_role(Role.ADMIN, Role.GENERAL_MANAGER):
            return self
        managed = list(user.managed_teams.values_list("pk", flat=True))
        return self.filter(Q(owner_id=user.pk) | Q(team_id__in=managed))

    def managed_by(self, user):
        """Timers of the teams ``user`` manages (all teams for all-scope managers)."""
        if user.is_superuser or (scope_of(user) == Scope.ALL and user.is_manager):
            return self
        return self.filter(team_id__in=list(user.managed_teams.values_list("pk", flat=True)))


class Timer(models.Model):
    """One obligation with a deadline on one record (R-SLA-1).

    Invariants: at most one open timer per (record, kind); ``due_at`` and ``policy`` are
    fixed at start (R-SLA-4); ``next_action_at`` is the next reminder/escalation time, or
    empty when nothing more will be sent; only open timers are swept.
    """

    kind = models.CharField(_("kind"), max_length=50)
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("record id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="timers"
    )
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="timers",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=TimerState.choices, default=TimerState.OPEN, editable=False
    )
    started_at = models.DateTimeField(_("started at"), editable=False)
    due_at = models.DateTimeField(_("due at"), editable=False)
    policy = models.JSONField(_("policy at start"), editable=False)
    policy_version = models.PositiveIntegerField(_("policy version"), editable=False)
    context = models.JSONField(_("context"), default=dict, blank=True, editable=False)
    next_action_at = models.DateTimeField(_("next action at"), null=True, blank=True, editable=False)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders done"), default=0, editable=False)
    escalations_sent = models.PositiveSmallIntegerField(_("escalations done"), default=0, editable=False)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("last escalated at"), null=True, blank=True, editable=False)
    satisfied_at = models.DateTimeField(_("satisfied at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TimerQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("timer")
        verbose_name_plural = _("timers")
        indexes = [
            # The sweep's only query: "open timers whose next action has come". Partial, so its
            # size follows the open timers, and a range scan touches only the due rows.
            models.Index(fields=["next_action_at"], condition=Q(state="open"), name="timer_next_action_open"),
            models.Index(fields=["owner", "due_at"], condition=Q(state="open"), name="timer_owner_open"),
            models.Index(fields=["team", "due_at"], condition=Q(state="open"), name="timer_team_open"),
            models.Index(fields=["subject_type", "subject_id"], name="timer_subject"),
            # Issue 9: the list's orderings over every state (the default is due_at, id).
            models.Index(fields=["due_at", "id"], name="timer_due"),
            # "My timers", every state, by due time (the timers API's default; issue 9).
            models.Index(fields=["owner", "due_at", "id"], name="timer_owner_due"),
            models.Index(fields=["started_at", "-id"], name="timer_started"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"],
                condition=Q(state="open"),
                name="timer_one_open_per_subject_kind",
                violation_error_message=_("This record already has an open timer of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(next_action_at__isnull=True),
                name="timer_closed_has_no_next_action",
                violation_error_message=_("A closed timer has nothing left to send."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.subject_id}"

    @property
    def kind_label(self) -> str:
        return str(kind_label(self.kind))

    def is_overdue(self, now=None) -> bool:
        return self.state == TimerState.OPEN and self.due_at <= (now or timezone.now())

    @property
    def estimated_years(self) -> list[int]:
        """The years whose working days were estimated (weekends only) to compute ``due_at``,
        because their official calendar was not known yet; empty when the due time is exact.
        Recomputed when the year is entered (presales.sla.services.timers_recompute_estimated)."""
        return list((self.context or {}).get("due_estimated") or [])

    @property
    def due_estimated(self) -> bool:
        return bool(self.estimated_years)

    @property
    def satisfied_late(self) -> bool:
        return self.satisfied_at is not None and self.satisfied_at > self.due_at


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off")
    WORKDAY = "workday", _("Working day")


class CalendarDay(models.Model):
    """A company exception to the public calendar (R-SLA-2): an extra day off or an extra
    working day. For a year the holiday library does not know, an admin enters the official
    holidays and make-up workdays here too, then declares the year with :class:`CalendarYear`."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("company calendar day")
        verbose_name_plural = _("company calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year the holiday library does not cover, declared complete by an admin: its public
    holidays and make-up workdays are entered as calendar days, weekends count as usual.
    Without it working-day limits reaching that year are estimated (weekends only) and
    flagged; declaring the year recomputes them."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("source"), max_length=200, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    # Not stored: how many open timers ``calendar_year_declare`` recomputed with the year.
    recomputed: int = 0

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year entered by hand")
        verbose_name_plural = _("calendar years entered by hand")

    def __str__(self) -> str:
        return str(self.year)

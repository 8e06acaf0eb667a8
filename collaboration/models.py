"""Collaboration requests (跨部門協作申請表, R-COLL-1, R-NEED-5) and meeting minutes (會議紀要,
R-COLL-2) with their action items.

Visibility (``visible_to``): a request is seen by its requester, the people of the requesting
team, the people of the target department (members and managers of a team of that
department) and all-scope roles; a minute by its author, its attendees, the owners of its
action items, the author's team and all-scope roles. Anything else is 404."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collaboration.choices import ActionStatus, RequestKind, RequestStatus
from presales.accounts.models import Department, Team
from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Actor, Scope, scope_of

USER = settings.AUTH_USER_MODEL


def departments_of(user: Actor) -> list[str]:
    """The departments of the teams the user belongs to or manages."""
    return sorted(set(Team.objects.filter(pk__in=sorted(user.team_ids)).values_list("department", flat=True)))


class CollaborationRequestQuerySet(models.QuerySet["CollaborationRequest"]):
    def visible_to(self, user: Actor) -> CollaborationRequestQuerySet:
        scope = scope_of(user)
        if scope is None:
            return self.none()
        if scope == Scope.ALL:
            return self.all()
        teams = sorted(user.team_ids)
        departments = Team.objects.filter(pk__in=teams).values("department")
        return self.filter(
            Q(requester_id=user.pk)
            | Q(requesting_team_id__in=teams)
            | Q(target_department__in=departments)
            | Q(completed_by_id=user.pk)
        )


class CollaborationRequest(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, blank=True, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=RequestKind.choices, default=RequestKind.GENERAL
    )
    item = models.CharField(_("item"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    requesting_department = models.CharField(
        _("requesting department"), max_length=20, choices=Department.choices
    )
    target_department = models.CharField(_("target department"), max_length=20, choices=Department.choices)
    requester = models.ForeignKey(
        USER, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="collaboration_requests"
    )
    requesting_team = models.ForeignKey(
        Team,
        verbose_name=_("requesting team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collaboration_requests",
    )
    due_at = models.DateTimeField(_("due time"))
    expected_result = models.TextField(_("expected result"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
        editable=False,
    )
    accepted_by = models.ForeignKey(
        USER, verbose_name=_("accepted by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    result = models.TextField(_("result"), blank=True)
    completed_by = models.ForeignKey(
        USER,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completed_collaboration_requests",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = CollaborationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("collaboration request")
        verbose_name_plural = _("collaboration requests")
        indexes = [
            models.Index(fields=["target_department", "status"], name="collab_target_status"),
            models.Index(fields=["completed_by", "rated_at"], name="collab_rating_person"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item}".strip()

    def get_absolute_url(self) -> str:
        return reverse("collaboration:request", args=[self.pk])


class RequestAttachment(TimeStampedModel):
    request = models.ForeignKey(
        CollaborationRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="collaboration/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class MeetingMinuteQuerySet(models.QuerySet["MeetingMinute"]):
    def visible_to(self, user: Actor) -> MeetingMinuteQuerySet:
        scope = scope_of(user)
        if scope is None:
            return self.none()
        if scope == Scope.ALL:
            return self.all()
        attended = MeetingMinute.attendees.through.objects.filter(user_id=user.pk).values("meetingminute_id")
        owning = ActionItem.objects.filter(owner_id=user.pk).values("minute_id")
        return self.filter(
            Q(created_by_id=user.pk)
            | Q(team_id__in=sorted(user.team_ids))
            | Q(pk__in=attended)
            | Q(pk__in=owning)
        )


class MeetingMinute(VersionedModel, TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_minutes",
    )
    attendees = models.ManyToManyField(USER, verbose_name=_("attendees"), blank=True, related_name="+")
    external_attendees = models.TextField(_("external attendees"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = MeetingMinuteQuerySet.as_manager()

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("meeting minute")
        verbose_name_plural = _("meeting minutes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:minute", args=[self.pk])


class ActionItem(VersionedModel, TimeStampedModel):
    minute = models.ForeignKey(
        MeetingMinute, verbose_name=_("meeting minute"), on_delete=models.CASCADE, related_name="action_items"
    )
    description = models.CharField(_("description"), max_length=500)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="action_items"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN, editable=False
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="action_item_owner")]

    def __str__(self) -> str:
        return self.description[:60]

    def get_absolute_url(self) -> str:
        return reverse("collaboration:minute", args=[self.minute_id])

    @property
    def team(self):
        return self.minute.team

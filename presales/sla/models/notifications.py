"""Notifications (in-app), their deliveries (email, team chat webhook) and preferences.

A notification is created once per unique ``key`` (R-SLA-3: each reminder and escalation
is sent once); each channel gets one Delivery row, sent at most once by
presales/sla/delivery.py. PostgreSQL holds the truth; the broker only carries ids.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user sees only their own notifications, whatever their role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one person, shown in the app (the bell) and delivered by its channels.

    ``key`` is unique: whoever creates a notification names the event it reports
    (``timer:12:remind:1``), so a retry or a second sweep finds it instead of sending twice.
    Title and body are rendered in the recipient's language when created.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=50)
    key = models.CharField(_("key"), max_length=200, unique=True, editable=False)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    timer = models.ForeignKey(
        "presales.Timer",
        verbose_name=_("timer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("notification channel", "Email")
    WEBHOOK = "webhook", _("Team chat robot")


class DeliveryState(models.TextChoices):
    """pending → sending → sent; a transient failure goes back to pending with a later
    ``next_attempt_at``; a permanent failure (or too many attempts) ends in failed."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One channel of one notification, sent at most once per successful attempt.

    ``next_attempt_at`` is when the sweep's recovery may enqueue it again: a grace period
    after creation (the on-commit enqueue normally delivers first), the back-off after a
    transient failure, or the end of a worker's lease while ``sending``.
    """

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    webhook = models.ForeignKey(
        "presales.TeamWebhook",
        verbose_name=_("webhook"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
        editable=False,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="delivery_unfinished",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                name="delivery_one_per_channel",
                violation_error_message=_("This notification already has a delivery on this channel."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.state}"


class NotificationPreference(models.Model):
    """A user's choice to receive one kind of notification by email too (in-app is always on).
    No row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=50)
    email = models.BooleanField(pgettext_lazy("notification channel", "email"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notification_preference_unique",
                violation_error_message=_("This preference already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} email={self.email}"


class WebhookFlavor(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")
    GENERIC = "generic", _("Generic JSON")


class TeamWebhook(models.Model):
    """The team chat robot of a team: notifications of the chosen kinds for the team's people
    are posted there as JSON (configured by an admin)."""

    team = models.OneToOneField(
        "presales.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="webhook"
    )
    flavor = models.CharField(_("format"), max_length=10, choices=WebhookFlavor.choices)
    url = models.URLField(_("robot URL"), max_length=500)
    kinds = models.JSONField(
        _("notification kinds"), default=list, blank=True, help_text=_("Which notifications to post.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("team webhook")
        verbose_name_plural = _("team webhooks")

    def __str__(self) -> str:
        return f"{self.team} ({self.get_flavor_display()})"

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from presales.exports.registry import exporter_label


class ExportLog(models.Model):
    """One row per export of customer data (R-CUST-6): who exported what, with which filter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.CharField(_("resource"), max_length=50)
    query = models.TextField(_("filter"), blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    channel = models.CharField(_("channel"), max_length=10, default="web")
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export log")
        verbose_name_plural = _("export logs")

    def __str__(self) -> str:
        return f"{self.user} {self.resource} ({self.row_count})"


def encode_query(params: dict[str, list[str]]) -> str:
    """An export filter (``{name: [values]}``) as a query string, as ExportLog records it."""
    return urlencode([(name, value) for name, values in params.items() for value in values])


class ExportState(models.TextChoices):
    """queued → running → done | failed; moved only by presales/exports.py."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An export file holds what its owner may see, masked for them: only they see it,
        whatever their role (R-CUST-6)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)

    def unfinished(self):
        return self.filter(state__in=[ExportState.QUEUED, ExportState.RUNNING])


def export_file_path(job: ExportJob, filename: str) -> str:
    """An unguessable name per file: media URLs must not lead to another person's export."""
    stem, dot, extension = filename.rpartition(".")
    return f"exports/{stem or extension}-{secrets.token_urlsafe(16)}{dot}{extension if stem else ''}"


class ExportJob(models.Model):
    """A CSV export written in the background (R-CUST-6): what, with which filter, how far.

    Created queued by ``export_start``; ``export_run`` (a Celery task) claims it once, writes
    the file, logs the finished export in :class:`ExportLog` and marks it done, or failed
    with the reason; ``export_fail_stale`` fails a running job whose worker died. State and
    progress are never edited by hand.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.CharField(_("resource"), max_length=50)
    params = models.JSONField(_("filter"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="web")
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED, editable=False
    )
    progress = models.PositiveIntegerField(_("rows written"), default=0, editable=False)
    total = models.PositiveIntegerField(_("rows expected"), null=True, blank=True, editable=False)
    file = models.FileField(_("file"), upload_to=export_file_path, max_length=300, blank=True, editable=False)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    # Last sign of life of the worker writing the file (claim, count, every progress update):
    # a running job silent for too long lost its worker and is failed by the sweep. For a
    # queued job: when the recovery last handed it to the broker again (empty: never).
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True, editable=False)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="exportjob_user_recent")]

    def __str__(self) -> str:
        return f"{self.resource} #{self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)

    @property
    def percent(self) -> int:
        """Progress for the bar: rows written of rows expected (100 when done)."""
        if self.state == ExportState.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.progress * 100 // self.total)

    @property
    def query(self) -> str:
        return encode_query(self.params)

    @property
    def filter_label(self) -> str:
        """The filter as people read it: ``status=new, contacted; q=华东`` (empty values left out)."""
        parts = []
        for name, values in self.params.items():
            shown = [v for v in values if v != ""]
            if shown:
                parts.append(f"{name}={', '.join(shown)}")
        return "; ".join(parts)

    @property
    def resource_label(self) -> str:
        return exporter_label(self.resource)

    @property
    def download_name(self) -> str:
        """The file name offered to the browser: resource and local creation time."""
        return f"{self.resource}-{timezone.localtime(self.created_at):%Y%m%d-%H%M}.csv"

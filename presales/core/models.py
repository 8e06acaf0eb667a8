from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: creation and modification times on every domain row."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Abstract base: a record edited through forms and the API carries a ``version``, raised
    by one on every save of the existing row (``presales.core.writes.save_as``). An edit
    sends the version it was built from; a stale one is refused (``check_version``), so two
    writers starting from the same read cannot silently overwrite each other (issue 8)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class DownloadLog(models.Model):
    """One row per download of a customer document (issue 11, uploads): who downloaded which
    record's file, when. Written by ``presales.core.uploads.serve_download`` only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("record"))
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(_("stored as"), max_length=300)
    at = models.DateTimeField(_("downloaded at"), auto_now_add=True)

    class Meta:
        app_label = "presales"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="downloadlog_object_idx"),
            models.Index(fields=["-at"], name="downloadlog_at_idx"),
        ]
        verbose_name = _("download log")
        verbose_name_plural = _("download logs")

    def __str__(self) -> str:
        return f"{self.user} {self.object_type}#{self.object_id} {self.file_name}"

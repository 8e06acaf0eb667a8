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

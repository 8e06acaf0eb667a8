from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

"""Generated documents (issue 12): each PDF stored with the exact source it was made from,
what left the company (R-DOC), and the branding an admin sets without code."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour as #RRGGBB."))


class DocumentState(models.TextChoices):
    """queued → running → done | failed; moved only by presales/documents/services.py."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


LIVE_STATES = (DocumentState.QUEUED, DocumentState.RUNNING, DocumentState.DONE)


def document_file_path(document: Document, filename: str) -> str:
    """Stored under an unguessable name; served only through the permission-checked view."""
    import secrets

    return f"documents/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}.pdf"


class Document(models.Model):
    """One PDF of a record in one language and variant, made from the source as it was when
    its ``fingerprint`` was taken. A request for the same source, variant and language finds
    this row (queued, rendering or ready) instead of rendering again; a changed source has
    another fingerprint, so it gets a new row and file. State and file are never edited by
    hand."""

    doc_type = models.CharField(_("document type"), max_length=50)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    source = GenericForeignKey("content_type", "object_id")
    variant = models.CharField(_("variant"), max_length=20)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    fingerprint = models.CharField(_("source fingerprint"), max_length=64, editable=False)
    number = models.CharField(_("document number"), max_length=80, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200, blank=True, editable=False)
    final = models.BooleanField(_("approved source"), default=False, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=DocumentState.choices, default=DocumentState.QUEUED, editable=False
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    file = models.FileField(
        _("file"), upload_to=document_file_path, max_length=300, blank=True, editable=False
    )
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True, editable=False)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True, editable=False)

    class Meta:
        app_label = "presales"
        ordering = ["-created_at", "-id"]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        constraints = [
            # One live rendering per source, variant and language: two clicks share one file.
            models.UniqueConstraint(
                fields=["doc_type", "content_type", "object_id", "variant", "language", "fingerprint"],
                condition=Q(state__in=["queued", "running", "done"]),
                name="document_one_live_per_source",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="document_progress_percent"),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"], name="document_source_recent"),
            models.Index(fields=["state", "created_at"], name="document_state_created"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} #{self.object_id} {self.variant} {self.language} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (DocumentState.DONE, DocumentState.FAILED)

    @property
    def download_name(self) -> str:
        stem = (self.number or f"{self.doc_type}-{self.object_id}").replace("/", "-")
        return f"{stem}-{self.variant}-{self.language}.pdf"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PAPER = "paper", _("Paper")
    PORTAL = "portal", _("Customer portal or tender platform")
    OTHER = "other", _("Other")


class DocumentDelivery(models.Model):
    """What left the company (R-DOC): which file (so which version of the source), to whom,
    when, by whom. Written by ``document_record_sent`` only; never edited."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="deliveries"
    )
    recipient = models.CharField(_("recipient"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    sent_on = models.DateField(_("sent on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        app_label = "presales"
        ordering = ["-sent_on", "-id"]
        verbose_name = _("document sent")
        verbose_name_plural = _("documents sent")
        indexes = [models.Index(fields=["document", "-sent_on"], name="docdelivery_document_sent")]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient} ({self.sent_on})"


class Branding(models.Model):
    """The company's look on every document, set by an admin (one row, pk 1)."""

    company_name_zh_hans = models.CharField(
        _("company name (Simplified Chinese)"), max_length=120, blank=True
    )
    company_name_zh_hant = models.CharField(
        _("company name (Traditional Chinese)"), max_length=120, blank=True
    )
    company_name_en = models.CharField(_("company name (English)"), max_length=120, blank=True)
    logo = models.FileField(_("logo (PNG or JPEG)"), upload_to="branding/", max_length=300, blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1F4E79", validators=[COLOUR]
    )
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#C00000", validators=[COLOUR])
    footer_zh_hans = models.CharField(_("footer text (Simplified Chinese)"), max_length=200, blank=True)
    footer_zh_hant = models.CharField(_("footer text (Traditional Chinese)"), max_length=200, blank=True)
    footer_en = models.CharField(_("footer text (English)"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "presales"
        verbose_name = _("document branding")
        verbose_name_plural = _("document branding")

    def __str__(self) -> str:
        return str(_("Document branding"))

    @classmethod
    def current(cls) -> Branding:
        branding, _created = cls.objects.get_or_create(pk=1)
        return branding

    def company_name(self, language: str) -> str:
        names = {
            "zh-hans": self.company_name_zh_hans,
            "zh-hant": self.company_name_zh_hant,
            "en": self.company_name_en,
        }
        return names.get(language) or self.company_name_zh_hans or self.company_name_en or ""

    def footer(self, language: str) -> str:
        texts = {"zh-hans": self.footer_zh_hans, "zh-hant": self.footer_zh_hant, "en": self.footer_en}
        return texts.get(language) or ""

"""The bid document's parts with their versions and attachments (R-BID-1) and the defence
questions of a bid (R-BID-3). The library of prepared answers is the knowledge base's reusable
bid answers (``knowledge.Article`` of kind ``bid_answer``, R-KB-1); a question copied from one
links to it.

Written only through ``bids.biddocs.services`` (lock order: opportunity, then bid, then the
part or question). A part's versions are never edited: a change is a new version, the latest
one is the part's current text. After the bid is sealed its parts are frozen (R-BID-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bids.tenders.choices import PartKind, PartStatus, QuestionStatus, VersionSource
from presales.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class BidScopedQuerySet(models.QuerySet):
    """Records of a bid: visible to whoever sees the bid's opportunity."""

    def visible_to(self, user):
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix=self.model.OPPORTUNITY_PATH))


class BidPart(TimeStampedModel):
    """One part of the bid document: commercial, technical or price (R-BID-1)."""

    OPPORTUNITY_PATH = "bid__opportunity__"

    bid = models.ForeignKey("bids.Bid", verbose_name=_("bid"), on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(_("part"), max_length=12, choices=PartKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=PartStatus.choices, default=PartStatus.DRAFT, editable=False
    )
    current = models.ForeignKey(
        "bids.BidPartVersion",
        verbose_name=_("current version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = BidScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid part")
        verbose_name_plural = _("bid parts")
        ordering = ("bid", "kind")
        constraints = [models.UniqueConstraint(fields=["bid", "kind"], name="bid_part_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.bid_id}: {self.get_kind_display()}"

    @property
    def is_empty(self) -> bool:
        return self.current is None or not self.current.text.strip()


class BidPartVersion(models.Model):
    """One version of a part: sanitised rich text, never changed after it is written."""

    OPPORTUNITY_PATH = "part__bid__opportunity__"

    part = models.ForeignKey(
        BidPart, verbose_name=_("part"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    content = models.TextField(_("content"), blank=True)
    text = models.TextField(_("plain text"), blank=True, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=VersionSource.choices)
    solution_version = models.ForeignKey(
        "proposals.SolutionVersion",
        verbose_name=_("drawn from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BidScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid part version")
        verbose_name_plural = _("bid part versions")
        ordering = ("part", "-number")
        constraints = [
            models.UniqueConstraint(fields=["part", "number"], name="bid_part_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.part} v{self.number}"


class BidAttachment(models.Model):
    """A file attached to a part (R-BID-1): checked by content, stored under a random name,
    downloaded only through the permission-checked, logged view."""

    OPPORTUNITY_PATH = "part__bid__opportunity__"

    part = models.ForeignKey(
        BidPart, verbose_name=_("part"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="bids/attachments/%Y/%m/", editable=False)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), editable=False)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = BidScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid attachment")
        verbose_name_plural = _("bid attachments")
        ordering = ("part", "id")

    def __str__(self) -> str:
        return self.name


class DefenceQuestion(VersionedModel, TimeStampedModel):
    """An anticipated question of the bid's defence with its prepared answer and owner
    (R-BID-3); ready once it has an answer. ``from_library`` is the knowledge base's reusable
    bid answer it was copied from (R-KB-1)."""

    OPPORTUNITY_PATH = "bid__opportunity__"

    bid = models.ForeignKey(
        "bids.Bid", verbose_name=_("bid"), on_delete=models.CASCADE, related_name="defence_questions"
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("prepared answer"), blank=True)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=QuestionStatus.choices,
        default=QuestionStatus.OPEN,
        editable=False,
    )
    from_library = models.ForeignKey(
        "knowledge.Article",
        verbose_name=_("copied from the library"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = BidScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("defence question")
        verbose_name_plural = _("defence questions")
        ordering = ("bid", "id")
        indexes = [models.Index(fields=["bid", "status"], name="defence_question_status")]

    def __str__(self) -> str:
        return self.question[:80]

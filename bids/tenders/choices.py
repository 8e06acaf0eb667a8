from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    """The bid / no-bid decision (R-BID-5)."""

    PENDING = "pending", _("Pending")
    BID = "bid", _("Bid")
    NO_BID = "no_bid", _("No bid")


class BidStatus(models.TextChoices):
    """The bid through its review, sealing and result (R-REV-3, R-BID-2, R-BID-4)."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SEALED = "sealed", _("Sealed")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class PartKind(models.TextChoices):
    """The three parts of the bid document (R-BID-1)."""

    COMMERCIAL = "commercial", _("Commercial part")
    TECHNICAL = "technical", _("Technical part")
    PRICE = "price", _("Price part")


class PartStatus(models.TextChoices):
    """A part is worked on until the bid is sealed, then frozen (R-BID-2)."""

    DRAFT = "draft", _("Draft")
    FROZEN = "frozen", _("Frozen")


class VersionSource(models.TextChoices):
    """Where a part's version came from."""

    MANUAL = "manual", _("Written")
    SOLUTION = "solution", _("Drafted from the approved solution version")
    QUOTE = "quote", _("Drafted from the approved quote")


class QuestionStatus(models.TextChoices):
    """A defence question is open until its prepared answer is written (R-BID-3)."""

    OPEN = "open", _("Open")
    READY = "ready", _("Ready")

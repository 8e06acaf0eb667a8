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

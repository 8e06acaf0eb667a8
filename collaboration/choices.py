from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    GENERAL = "general", _("General")
    RD_QUESTION = "rd_question", _("R&D question")
    TECHNICAL_SUPPORT = "technical_support", _("Technical support")
    DELIVERY = "delivery", _("Delivery")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    RATED = "rated", _("Rated")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")

"""Choices of the review engine (R-REV-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewKind(models.TextChoices):
    """The subjects PROCESS.md names (R-REV-1). Apps register them in ``reviews.registry``;
    the engine also accepts any other registered kind."""

    INITIATION = "initiation", _("Project initiation")
    SOLUTION_VERSION = "solution_version", _("Solution version")
    BID = "bid", _("Bid")
    CONTRACT = "contract", _("Contract")


class ReviewStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class TaskState(models.TextChoices):
    """One approver's part in one step of a review.

    waiting: the step is not current yet; pending: current, the approver must decide;
    approved / rejected: decided; skipped: the step's condition did not apply (no approver);
    superseded: no longer needed (an ANY step approved by someone else, the review
    rejected or cancelled).
    """

    WAITING = "waiting", _("Waiting")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Skipped")
    SUPERSEDED = "superseded", _("Not needed")


class TaskCloseReason(models.TextChoices):
    """Why a pending task closed without its approver's decision (told to
    ``reviews.timers.review_tasks_changed``, which cancels the approver's deadline with it)."""

    STEP_DECIDED = "step_decided", _("Another approver approved the step")
    REVIEW_REJECTED = "review_rejected", _("The review was rejected")
    REVIEW_CANCELLED = "review_cancelled", _("The review was withdrawn")


DECIDED_STATES = frozenset({TaskState.APPROVED, TaskState.REJECTED})
OPEN_STATES = frozenset({TaskState.WAITING, TaskState.PENDING})


class StepMode(models.TextChoices):
    ALL = "all", _("All must approve")
    ANY = "any", _("One approval suffices")


class ApproverScope(models.TextChoices):
    """Where a step's role is looked up. Roles that see every record (legal, finance,
    general manager, admin) are always looked up company-wide."""

    TEAM = "team", _("Within the subject's team")
    COMPANY = "company", _("Company-wide")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


# Criteria PROCESS.md names (R-REV-2); a chain may define others with their own labels.
KNOWN_CRITERIA = {
    "rationality": _("Rationality"),
    "innovation": _("Innovation"),
    "completeness": _("Completeness"),
}
SCORE_MIN = 1
SCORE_MAX = 5


class StepState(models.TextChoices):
    """How a step of a review stands (derived from its tasks; never stored)."""

    WAITING = "waiting", _("Waiting")
    CURRENT = "current", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Skipped")
    UNFINISHED = "unfinished", _("Not completed")

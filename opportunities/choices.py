"""Choices of the opportunity lifecycle (R-OPP-1..3). The allowed moves are in transitions.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Where an opportunity stands: the eight lifecycle stages and the two ways out."""

    LEAD_INTAKE = "lead_intake", _("Lead intake")
    NEEDS_ANALYSIS = "needs_analysis", _("Needs analysis")
    SOLUTION = "solution", _("Solution")
    REVIEW = "review", _("Review")
    DEMO = "demo", _("Demo")
    BID = "bid", _("Bid")
    CONTRACT = "contract", _("Contract")
    HANDOFF = "handoff", _("Handoff")
    LOST = "lost", _("Lost")
    ABANDONED = "abandoned", _("Abandoned")


# The lifecycle path in order (the stage path on the detail page, the board columns).
LIFECYCLE = (
    Stage.LEAD_INTAKE,
    Stage.NEEDS_ANALYSIS,
    Stage.SOLUTION,
    Stage.REVIEW,
    Stage.DEMO,
    Stage.BID,
    Stage.CONTRACT,
    Stage.HANDOFF,
)
# Lost and abandoned are reachable from these; handoff (contract signed) is the won end.
OPEN_STAGES = frozenset(LIFECYCLE[:-1])
CLOSED_STAGES = frozenset({Stage.HANDOFF, Stage.LOST, Stage.ABANDONED})


class Currency(models.TextChoices):
    CNY = "CNY", _("CNY (¥)")
    HKD = "HKD", _("HKD (HK$)")
    USD = "USD", _("USD ($)")
    EUR = "EUR", _("EUR (€)")


class CloseReason(models.TextChoices):
    """Why an opportunity was lost or abandoned (R-OPP-3; feeds the retrospective, R-POST-2)."""

    PRICE = "price", _("Price")
    SOLUTION_FIT = "solution_fit", _("Solution or product fit")
    RELATIONSHIP = "relationship", _("Customer relationship")
    TIMING = "timing", _("Timing")
    BUDGET = "budget", _("Budget cut or no budget")
    PROJECT_CANCELLED = "project_cancelled", _("Project cancelled by the customer")
    LOW_WIN_CHANCE = "low_win_chance", _("Chance of winning too low")
    RESOURCES = "resources", _("Not enough resources to pursue")
    OTHER = "other", _("Other")


class InitiationStatus(models.TextChoices):
    """The project initiation request (項目立項申請表, R-OPP-2)."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ProjectRole(models.TextChoices):
    """A person's role in the project team formed by the approved initiation (R-OPP-2)."""

    SALES_OWNER = "sales_owner", _("Sales owner")
    PRESALES_OWNER = "presales_owner", _("Presales owner")
    PRESALES_ENGINEER = "presales_engineer", _("Presales engineer (assisting)")
    TECHNICAL_EXPERT = "technical_expert", _("Technical expert")
    PRODUCT = "product", _("Product")
    DELIVERY = "delivery", _("Delivery")
    AFTER_SALES = "after_sales", _("After-sales")
    OTHER = "other", _("Other")

"""The proposals app's models, one module per area: needs (R-NEED), solutions and quotes
(R-SOL, R-QUOTE), demos (R-DEMO). Each module's models are gathered here so that Django
registers them under the app label ``proposals``."""

from proposals.models.needs import (
    ChangeRequest,
    ConfirmationRequest,
    NeedsAnalysis,
    NeedsReport,
    OpportunityCommunication,
    RDRequest,
    Requirement,
    RequirementConfirmation,
)
from proposals.models.solutions import Solution, SolutionVersion

__all__ = [
    "ChangeRequest",
    "ConfirmationRequest",
    "NeedsAnalysis",
    "NeedsReport",
    "OpportunityCommunication",
    "RDRequest",
    "Requirement",
    "RequirementConfirmation",
    "Solution",
    "SolutionVersion",
]

"""The proposals app's models, one module per area: needs (R-NEED), solutions and quotes
(R-SOL, R-QUOTE), demos (R-DEMO). Each module's models are gathered here so that Django
registers them under the app label ``proposals``."""

from proposals.models.demos import (
    Demo,
    DemoAgendaItem,
    DemoChecklistItem,
    DemoStatusChange,
    TrialRequest,
    TrialStatusChange,
)
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
from proposals.models.solutions import (
    Acceptance,
    Feedback,
    QuoteLine,
    Solution,
    SolutionAnswer,
    SolutionSection,
    SolutionTemplate,
    SolutionTemplateSection,
    SolutionVersion,
    VersionStatusChange,
)

__all__ = [
    "Acceptance",
    "ChangeRequest",
    "ConfirmationRequest",
    "Demo",
    "DemoAgendaItem",
    "DemoChecklistItem",
    "DemoStatusChange",
    "Feedback",
    "NeedsAnalysis",
    "NeedsReport",
    "OpportunityCommunication",
    "QuoteLine",
    "RDRequest",
    "Requirement",
    "RequirementConfirmation",
    "Solution",
    "SolutionAnswer",
    "SolutionSection",
    "SolutionTemplate",
    "SolutionTemplateSection",
    "SolutionVersion",
    "TrialRequest",
    "TrialStatusChange",
    "VersionStatusChange",
]

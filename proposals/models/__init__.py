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
from proposals.models.needs import Requirement
from proposals.models.solutions import Solution, SolutionVersion

__all__ = [
    "Demo",
    "DemoAgendaItem",
    "DemoChecklistItem",
    "DemoStatusChange",
    "Requirement",
    "Solution",
    "SolutionVersion",
    "TrialRequest",
    "TrialStatusChange",
]

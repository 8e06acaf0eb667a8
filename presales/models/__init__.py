"""Core models. Each module holds one concern; import from ``presales.models``."""

from .accounts import Team, User
from .base import TimeStampedModel
from .exports import ExportLog
from .opportunity import InitiationMember, Opportunity, ProjectInitiation, ProjectMember, StageChange

__all__ = [
    "ExportLog",
    "InitiationMember",
    "Opportunity",
    "ProjectInitiation",
    "ProjectMember",
    "StageChange",
    "Team",
    "TimeStampedModel",
    "User",
]

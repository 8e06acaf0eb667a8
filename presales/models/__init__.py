"""Core models. Each module holds one concern; import from ``presales.models``."""

from .accounts import Team, User
from .base import TimeStampedModel
from .exports import ExportLog

__all__ = ["ExportLog", "Team", "TimeStampedModel", "User"]

"""Admin of the proposals app: one import per area (each registers its models)."""

from proposals.needs import admin as _needs_admin  # noqa: F401
from proposals.solutions import admin as _solutions_admin  # noqa: F401

"""Admin of the proposals app: one import per area (each area registers its own models)."""

from proposals.demos import admin as _demos_admin  # noqa: F401
from proposals.needs import admin as _needs_admin  # noqa: F401
from proposals.solutions import admin as _solutions_admin  # noqa: F401

"""Admin of the proposals app: one import per area (each area registers its own models)."""

from proposals.demos import admin as demos_admin  # noqa: F401

"""Admin of the proposals app: one module per area."""

from proposals.solutions import admin as _solutions_admin  # noqa: F401

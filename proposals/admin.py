"""Admin of the proposals app: one import per area (each registers its models)."""

from proposals.needs import admin as needs_admin  # noqa: F401

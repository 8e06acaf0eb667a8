"""Admin of the bids app: one import per area (each area registers its own models)."""

from bids.contracts import admin as _contracts_admin  # noqa: F401

"""Admin of the bids app: one import per area (each area registers its own models)."""

from bids.tenders import admin as _tenders_admin  # noqa: F401

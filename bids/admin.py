"""Admin of the bids app: one import per area (each area registers its own models)."""

from bids.biddocs import admin as _biddocs_admin  # noqa: F401
from bids.contracts import admin as _contracts_admin  # noqa: F401
from bids.handoff import admin as _handoff_admin  # noqa: F401
from bids.payments import admin as _payments_admin  # noqa: F401
from bids.risks import admin as _risks_admin  # noqa: F401
from bids.tenders import admin as _tenders_admin  # noqa: F401

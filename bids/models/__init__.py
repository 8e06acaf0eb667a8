"""The bids app's models, one module per area: contracts (R-CON). Each module's models are
gathered here so that Django registers them under the app label ``bids``."""

from bids.models.contracts import Contract, ContractLine, ContractStatusChange

__all__ = ["Contract", "ContractLine", "ContractStatusChange"]

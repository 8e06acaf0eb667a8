from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BidsConfig(AppConfig):
    """Tenders, bids, contracts and handoffs (R-BID, R-CON, R-HAND)."""

    name = "bids"
    verbose_name = _("Bids and contracts")

    def ready(self) -> None:
        from bids.contracts import registry as contracts_registry

        contracts_registry.register()
        from bids.contracts import documents as contract_documents

        contract_documents.register()
        from bids.handoff import documents as handoff_documents

        handoff_documents.register()
        from bids.payments import documents as payment_documents
        from bids.tenders import documents as bid_documents

        payment_documents.register()
        bid_documents.register()
        from bids.tenders import registry as tenders_registry

        tenders_registry.register()
        from bids.handoff import registry as handoff_registry

        handoff_registry.register()
        from bids.payments import registry as payments_registry

        payments_registry.register()
        from bids.risks import registry as risks_registry

        risks_registry.register()
        from bids import erasure

        # R-CUST-8: a contact's erasure scrubs this app's texts.
        erasure.register()

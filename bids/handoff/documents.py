"""Documents of the handoff (issue 12, R-HAND-1..3): the handoff package as frozen at signing,
and the acceptance forms 產品驗收單 / 服務驗收單 the customer signs. Registered with the core's
document framework from ``BidsConfig``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext_lazy as _

from bids.handoff.choices import AcceptanceKind
from bids.handoff.selectors import package_sections
from bids.models import CustomerAcceptance, Handoff
from presales.documents.registry import DocumentType, register_document_type

FORM_TITLES = {
    AcceptanceKind.PRODUCT: _("Product acceptance form"),
    AcceptanceKind.SERVICE: _("Service acceptance form"),
}


def _package_fingerprint(handoff: Handoff) -> str:
    frozen = hashlib.sha256(json.dumps(handoff.package, sort_keys=True, default=str).encode()).hexdigest()[
        :16
    ]
    return f"{handoff.pk}:{frozen}:{handoff.status}:{handoff.acknowledged_at}:{handoff.after_sales_owner_id}"


def _package_context(handoff: Handoff, variant: str, user: Any) -> dict[str, Any]:
    return {
        "handoff": handoff,
        "contract": (handoff.package or {}).get("contract", {}),
        "sections": package_sections(handoff),
    }


def _acceptance_context(acceptance: CustomerAcceptance, variant: str, user: Any) -> dict[str, Any]:
    handoff = acceptance.handoff
    contract = (handoff.package or {}).get("contract", {})
    products = next((s for s in package_sections(handoff) if s.get("key") == "configuration"), None)
    return {
        "acceptance": acceptance,
        "handoff": handoff,
        "contract": contract,
        "products": products if acceptance.kind == AcceptanceKind.PRODUCT else None,
        "form_title": str(FORM_TITLES.get(acceptance.kind, _("Acceptance form"))),
        "criteria": handoff.contract.acceptance_criteria,
    }


def register() -> None:
    register_document_type(
        DocumentType(
            key="handoff_package",
            label=_("Handoff package"),
            model="bids.Handoff",
            template="bids/handoff/document_package.html",
            visible=lambda user: Handoff.objects.visible_to(user).select_related(
                "opportunity", "receiving_team", "after_sales_owner", "acknowledged_by"
            ),
            context=_package_context,
            fingerprint=_package_fingerprint,
            number=lambda handoff: f"HO-{handoff.opportunity_id:06d}",
            # Made from an approved, signed contract (R-CON-3) and frozen at signing.
            final=lambda handoff: True,
            title=lambda handoff: str((handoff.package or {}).get("contract", {}).get("title") or handoff),
        )
    )
    register_document_type(
        DocumentType(
            key="acceptance_form",
            label=_("Acceptance form"),
            model="bids.CustomerAcceptance",
            template="bids/handoff/document_acceptance.html",
            visible=lambda user: CustomerAcceptance.objects.visible_to(user).select_related(
                "handoff", "recorded_by"
            ),
            context=_acceptance_context,
            fingerprint=lambda a: f"{a.pk}:{a.version}:{a.result}:{a.accepted_on}:{a.received_on}",
            number=lambda a: f"ACC-{a.handoff.opportunity_id:06d}-{a.pk}",
            # A form the customer signs, not something we approve: never marked as a draft.
            final=lambda a: True,
            title=lambda a: str(FORM_TITLES.get(a.kind, _("Acceptance form"))),
        )
    )

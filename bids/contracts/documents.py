"""Documents of contracts (issue 12): the negotiation minutes 談判紀要 with the clauses they
changed (before and after). The contract approval sheet is the contract's review form
(reviews/documents.py). Registered with the core's framework from ``BidsConfig``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bids.models import Contract, NegotiationMinute
from presales.documents.registry import DocumentType, register_document_type


def _context(minute: NegotiationMinute, variant: str, user: Any) -> dict[str, Any]:
    labels = {f.name: f.verbose_name for f in Contract._meta.fields}
    changes = [
        {
            "label": str(labels.get(c.get("field"), c.get("field"))),
            "before": c.get("before", ""),
            "after": c.get("after", ""),
        }
        for c in minute.changes or []
    ]
    return {"minute": minute, "contract": minute.contract, "changes": changes}


def register() -> None:
    register_document_type(
        DocumentType(
            key="negotiation_minute",
            label=_("Negotiation minutes"),
            model="bids.NegotiationMinute",
            template="bids/contracts/document_minute.html",
            visible=lambda user: NegotiationMinute.objects.visible_to(user).select_related(
                "contract__opportunity", "created_by"
            ),
            context=_context,
            # Minutes are written once and never edited: the row is the whole source.
            fingerprint=lambda minute: f"{minute.pk}:{minute.updated_at.isoformat()}",
            number=lambda minute: f"NEG-{minute.contract_id:06d}-{minute.pk}",
            final=lambda minute: True,
            title=lambda minute: str(minute.contract),
        )
    )

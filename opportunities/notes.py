"""The notes the opportunity lifecycle writes on its history rows, registered by code so
that each reader sees them in their own language (presales.core.notes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.core.notes import register_note

INITIATION_APPROVED = "initiation_approved"
FACTS_CHANGED = "reviewed_facts_changed"

# The opportunity's facts an initiation review judged (R-REV-5), by their label.
REVIEWED_FACT_LABELS = {
    "amount": gettext_lazy("amount"),
    "currency": gettext_lazy("currency"),
    "fx_rate_to_cny": gettext_lazy("exchange rate to CNY"),
}


def describe_changes(old: dict, new: dict, names: list[str]) -> str:
    """The reviewed facts that changed, with their old and new values, in the active language."""
    return "; ".join(
        _("%(fact)s changed from %(old)s to %(new)s")
        % {"fact": REVIEWED_FACT_LABELS[name], "old": old.get(name) or "—", "new": new.get(name) or "—"}
        for name in names
        if name in REVIEWED_FACT_LABELS
    )


def _facts_changed(params: dict[str, Any]) -> str:
    changes = describe_changes(params.get("old") or {}, params.get("new") or {}, params.get("changed") or [])
    return _("Reviewed facts changed: %(changes)s.") % {"changes": changes}


register_note(INITIATION_APPROVED, gettext_lazy("Project initiation approved."))
register_note(FACTS_CHANGED, _facts_changed)

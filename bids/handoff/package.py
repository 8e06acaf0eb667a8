"""The handoff package (R-HAND-1): built from the signed contract when the handoff is made,
then frozen as JSON on it.

Its sections are the ``bids.hooks`` package sections, in their order: this area's own
(confirmed requirements, product configuration, approved solution version, contract terms,
contacts, registered in :func:`register_sections`) and every other area's (the payment plan;
the open risks of the risk register later). While nobody registers the ``risks`` section the
package says so truthfully rather than showing an empty list as "no risks".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bids import hooks
from bids.contracts.choices import ContractStatus
from leads.models import Contact
from presales.core.money import format_money
from proposals.choices import ConfirmationStatus
from proposals.models import Acceptance, Requirement

RISKS = "risks"
PACKAGE_FORMAT = 1


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _requirements(contract: Any) -> dict[str, Any]:
    """R-HAND-1 customer needs: the requirements the customer confirmed (R-NEED-3)."""
    rows = [
        [
            r.code,
            r.get_kind_display(),
            r.get_category_display(),
            r.description,
            _text(r.quantity),
            r.get_priority_display(),
            r.key_metric,
            r.get_feasibility_display(),
            r.alternative,
        ]
        for r in Requirement.objects.filter(
            opportunity_id=contract.opportunity_id, confirmation_status=ConfirmationStatus.CONFIRMED
        ).order_by("position", "number")
    ]
    columns = [
        _("Code"),
        _("Type"),
        _("Category"),
        _("Description"),
        _("Quantity"),
        _("Priority"),
        _("Key metric"),
        _("Feasibility"),
        _("Agreed alternative"),
    ]
    return {"columns": columns, "rows": rows, "note": "" if rows else _("No confirmed requirements.")}


def _configuration(contract: Any) -> dict[str, Any]:
    """R-HAND-1 product configuration: the contract's lines (the accepted quote as signed)."""
    rows = [
        [
            line.item,
            line.specification,
            f"{line.quantity} {line.unit}".strip(),
            format_money(line.unit_price, contract.currency),
            f"{line.tax_rate}%",
            format_money(line.price_incl, contract.currency),
        ]
        for line in contract.lines.order_by("position", "id")
    ]
    columns = [
        _("Item"),
        _("Specification"),
        _("Quantity"),
        _("Unit price"),
        _("Tax rate"),
        _("Amount with tax"),
    ]
    return {"columns": columns, "rows": rows, "note": ""}


def _solution(contract: Any) -> dict[str, Any]:
    """R-HAND-1 solution: the approved version the contract was drawn from, and the
    customer's acceptance of it (R-SOL-6)."""
    version = contract.solution_version
    rows = [
        [_("Solution"), version.solution.title],
        [_("Version"), str(version)],
        [_("Status"), version.get_status_display()],
    ]
    if version.decided_at:
        rows.append([_("Approved at"), timezone.localtime(version.decided_at).strftime("%Y-%m-%d")])
    acceptance = (
        Acceptance.objects.filter(solution_version=version, superseded_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if acceptance is not None:
        rows.append(
            [
                _("Accepted by the customer"),
                f"{acceptance.contact_name} · {timezone.localtime(acceptance.accepted_at):%Y-%m-%d}",
            ]
        )
    return {"columns": [_("Fact"), _("Value")], "rows": rows, "note": ""}


def _terms(contract: Any) -> dict[str, Any]:
    """R-HAND-1 contract terms (R-CON-1) and the signing (R-CON-3)."""
    from bids.contracts.services import TERM_FIELDS

    rows = [
        [str(contract._meta.get_field(name).verbose_name), _text(getattr(contract, name))]
        for name in TERM_FIELDS
        if getattr(contract, name) not in (None, "")
    ]
    rows.append([_("Amount (tax included)"), format_money(contract.amount, contract.currency)])
    if contract.signed_on:
        rows.append([_("Signed on"), contract.signed_on.isoformat()])
        rows.append([_("Signing method"), contract.get_signing_method_display()])
        rows.append([_("Customer signatory"), contract.customer_signatory_name])
    return {"columns": [_("Term"), _("Value")], "rows": rows, "note": ""}


def _contacts(contract: Any) -> dict[str, Any]:
    """R-HAND-1 contacts: the customer's contacts."""
    customer_id = contract.opportunity.customer_id
    rows = [
        [c.name, c.title, c.phone, c.email, c.get_decision_role_display() if c.decision_role else ""]
        for c in Contact.objects.filter(customer_id=customer_id).order_by("name", "id")
    ]
    columns = [_("Name"), _("Title"), _("Phone"), _("Email"), _("Decision role")]
    return {
        "columns": columns,
        "rows": rows,
        "note": "" if rows else _("The customer has no contacts on record."),
    }


SECTIONS = (
    hooks.PackageSection("requirements", gettext_lazy("Confirmed requirements"), 10, _requirements),
    hooks.PackageSection("configuration", gettext_lazy("Product configuration"), 20, _configuration),
    hooks.PackageSection("solution", gettext_lazy("Approved solution version"), 30, _solution),
    hooks.PackageSection("terms", gettext_lazy("Contract terms"), 40, _terms),
    hooks.PackageSection("contacts", gettext_lazy("Contacts"), 60, _contacts),
)


def register_sections() -> None:
    for section in SECTIONS:
        hooks.register_package_section(section)


def _normalise(built: dict[str, Any]) -> dict[str, Any]:
    return {
        "columns": [str(c) for c in built.get("columns") or []],
        "rows": [[_text(cell) for cell in row] for row in built.get("rows") or []],
        "note": str(built.get("note") or ""),
    }


def build_package(contract: Any) -> dict[str, Any]:
    """The package of ``contract`` as JSON-able data, in the site's language (the snapshot
    is one text for everyone who reads it later)."""
    assert contract.status == ContractStatus.SIGNED
    with translation.override(settings.LANGUAGE_CODE):
        sections = []
        for section in hooks.package_sections():
            sections.append(
                {
                    "key": section.key,
                    "label": str(section.label),
                    "order": section.order,
                    **_normalise(section.build(contract)),
                }
            )
        if not any(s["key"] == RISKS for s in sections):
            sections.append(
                {
                    "key": RISKS,
                    "label": _("Open risks"),
                    "order": 70,
                    "columns": [],
                    "rows": [],
                    "note": _("No risk register records: the risk register is not in use yet."),
                }
            )
        sections.sort(key=lambda s: (s["order"], s["key"]))
        version = contract.solution_version
        return {
            "format": PACKAGE_FORMAT,
            "made_at": timezone.now().isoformat(),
            "contract": {
                "id": contract.pk,
                "number": contract.number,
                "title": contract.title,
                "customer": contract.party_customer,
                "amount": format_money(contract.amount, contract.currency),
                "signed_on": contract.signed_on.isoformat() if contract.signed_on else "",
            },
            "solution_version": {"id": version.pk, "label": str(version)},
            "sections": sections,
        }

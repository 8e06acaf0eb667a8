"""The solution document (issue 12, R-SOL-5): cover, table of contents with page numbers,
the sections, the quote table, success cases and references, as a customer copy (prices and
tax only, and only of an approved version) or an internal copy (with cost and margin).
Registered with the core's document framework (presales/documents/) from ``ProposalsConfig``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.core.money import format_money
from presales.documents.registry import DocumentType, Variant, register_document_type
from proposals.models import SolutionVersion
from proposals.solutions import selectors
from proposals.solutions.money import line_amounts, totals
from proposals.solutions.services import approval_reasons

CUSTOMER, INTERNAL = "customer", "internal"


def _visible(user: Any):
    return SolutionVersion.objects.visible_to(user)


def _refusals(user: Any, version: SolutionVersion, variant: str) -> list[str]:
    """R-SOL-5: no customer copy of an unapproved version, by any route."""
    if variant == CUSTOMER:
        return approval_reasons(version)
    return []


def _fingerprint(version: SolutionVersion) -> str:
    sections = version.sections.aggregate(n=Count("id"), at=Max("updated_at"))
    lines = version.quote_lines.aggregate(n=Count("id"), at=Max("updated_at"))
    return (
        f"{version.pk}:{version.status}:{version.updated_at.isoformat()}:"
        f"{sections['n']}:{sections['at']}:{lines['n']}:{lines['at']}"
    )


def _number(version: SolutionVersion) -> str:
    return f"SOL-{version.solution.opportunity_id:06d}-V{version.number}"


def _money(value: Any, currency: str) -> str:
    return format_money(value, currency)


def _context(version: SolutionVersion, variant: str, user: Any) -> dict[str, Any]:
    version = selectors.version_with_content(version.pk)
    opportunity = version.solution.opportunity
    internal = variant == INTERNAL
    currency = version.currency
    lines = []
    for line in version.quote_lines.all():
        a = line_amounts(line)
        lines.append(
            {
                "item": line.item,
                "specification": line.specification,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": _money(line.unit_price, currency),
                "tax_rate": line.tax_rate,
                "price_excl": _money(a.price_excl, currency),
                "price_incl": _money(a.price_incl, currency),
                "cost": _money(a.cost, currency) if internal else "",
                "margin": _money(a.margin, currency) if internal else "",
            }
        )
    total = totals(version.quote_lines.all())
    sections = [
        {"anchor": f"section-{s.pk}", "title": str(s.get_kind_display()), "body_html": s.body_html}
        for s in version.sections.all()
        if s.body_html.strip()
    ]
    cases = selectors.success_cases(user, opportunity) if user is not None else []
    references = sorted(
        {
            (a.requirement.number, a.requirement.description[:120])
            for a in version.answers.all()
            if a.requirement_id
        },
        key=lambda r: str(r[0]),
    )
    return {
        "version": version,
        "opportunity": opportunity,
        "customer": opportunity.customer,
        "internal": internal,
        "version_label": _("Version %(number)s") % {"number": version.number},
        "sections": sections,
        "lines": lines,
        "totals": {
            "price_excl": _money(total.price_excl, currency),
            "tax": _money(total.tax, currency),
            "price_incl": _money(total.price_incl, currency),
            "cost": _money(total.cost, currency) if internal else "",
            "margin": _money(total.margin, currency) if internal else "",
            "margin_percent": total.margin_percent if internal else None,
        },
        "cases": [
            {
                "title": c.title,
                "customer": c.customer,
                "why": ", ".join(c.reasons),
            }
            for c in cases
        ],
        "references": references,
    }


def register() -> None:
    register_document_type(
        DocumentType(
            key="solution",
            label=gettext_lazy("Solution document"),
            model="proposals.SolutionVersion",
            template="proposals/solutions/document.html",
            visible=_visible,
            context=_context,
            fingerprint=_fingerprint,
            number=_number,
            final=lambda version: version.is_approved,
            variants=(
                Variant(CUSTOMER, gettext_lazy("Customer copy"), for_customer=True),
                Variant(INTERNAL, gettext_lazy("Internal copy (cost and margin)")),
            ),
            refusals=_refusals,
            title=lambda version: str(version.solution.title),
        )
    )

"""Reads of contracts: the accepted version, the consistency check (R-CON-2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bids.models import ClauseChange, ClauseTemplate, Contract, ContractLine, NegotiationMinute
from proposals.models import Acceptance, QuoteLine, SolutionVersion
from proposals.solutions.money import line_amounts, totals

# The facts of a line compared with its quote line, in the order they are listed.
COMPARED = ("item", "quantity", "unit", "unit_price", "tax_rate", "tax_inclusive", "price_incl")


def accepted_version(opportunity: Any) -> SolutionVersion | None:
    """The version the customer accepted (R-SOL-6) and not superseded, or None."""
    acceptance = (
        Acceptance.objects.filter(opportunity=opportunity, superseded_at__isnull=True)
        .select_related("solution_version")
        .first()
    )
    return acceptance.solution_version if acceptance is not None else None


def contracts_for(user: Any) -> QuerySet[Contract]:
    return Contract.objects.visible_to(user).select_related("opportunity", "solution_version")


def lines_of(contract: Contract) -> list[ContractLine]:
    return list(contract.lines.select_related("quote_line").order_by("position", "id"))


@dataclass
class Difference:
    """One line's differences from the agreed quote (R-CON-2)."""

    label: str
    line: ContractLine | None
    quote_line: QuoteLine | None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (fact, quote, contract)

    # Why a line of the quote was deleted from the contract (contract_line_delete).
    removal: str = ""

    @property
    def explanation(self) -> str:
        return self.line.explanation.strip() if self.line is not None else self.removal.strip()

    @property
    def explained(self) -> bool:
        return bool(self.explanation)


def _facts_of_quote(line: QuoteLine) -> dict[str, Any]:
    return {
        "item": line.item,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "tax_rate": line.tax_rate,
        "tax_inclusive": line.tax_inclusive,
        "price_incl": line_amounts(line).price_incl,
    }


def _facts_of_line(line: ContractLine) -> dict[str, Any]:
    return {name: getattr(line, name) for name in COMPARED}


def differences(contract: Contract) -> list[Difference]:
    """The contract's lines against the accepted version's quote, line by line: a changed
    line, an added line, a quote line missing from the contract. Empty when they match."""
    quote = list(
        QuoteLine.objects.filter(solution_version_id=contract.solution_version_id).order_by("position", "id")
    )
    lines = lines_of(contract)
    by_quote = {line.quote_line_id: line for line in lines if line.quote_line_id}
    removed = contract.removed_quote_lines or {}
    result: list[Difference] = []
    for quote_line in quote:
        line = by_quote.get(quote_line.pk)
        if line is None:
            result.append(
                Difference(
                    label=quote_line.item,
                    line=None,
                    quote_line=quote_line,
                    changes=[(_("line"), quote_line.item, "—")],
                    removal=str(removed.get(str(quote_line.pk), "")),
                )
            )
            continue
        old, new = _facts_of_quote(quote_line), _facts_of_line(line)
        changes = [
            (str(ContractLine._meta.get_field(n).verbose_name), str(old[n]), str(new[n]))
            for n in COMPARED
            if old[n] != new[n]
        ]
        if changes:
            result.append(Difference(label=line.item, line=line, quote_line=quote_line, changes=changes))
    for line in lines:
        if line.quote_line_id is None:
            result.append(
                Difference(label=line.item, line=line, quote_line=None, changes=[(_("line"), "—", line.item)])
            )
    return result


def quote_total_incl(contract: Contract) -> Decimal:
    return totals(QuoteLine.objects.filter(solution_version_id=contract.solution_version_id)).price_incl


def unexplained(contract: Contract) -> list[Difference]:
    """Differences still without their explanation (a quote line deleted from the contract
    is explained by the reason given when it was deleted)."""
    return [d for d in differences(contract) if not d.explained]


def _normalised(text: Any) -> str:
    return " ".join(str(text or "").split())


@dataclass(frozen=True)
class Deviation:
    """A clause whose text differs from the standard template it started from (R-CON-5)."""

    field: str
    label: str
    template_text: str
    contract_text: str
    template_version: int


def all_templates() -> dict[int, ClauseTemplate]:
    """Every version of the standard clauses by id (an admin-maintained table of a few dozen
    rows): loaded once for a page of contracts, so their deviations cost one query."""
    return {t.pk: t for t in ClauseTemplate.objects.all()}


def deviations(contract: Contract, *, templates: dict[int, ClauseTemplate] | None = None) -> list[Deviation]:
    """The clauses of ``contract`` that deviate from their standard template (R-CON-5),
    compared with whitespace normalised, in the order of the contract's terms; listed for
    legal on the desk, in the review and in the API. One query, none with ``templates``
    (:func:`all_templates`)."""
    origins = contract.clause_origins or {}
    if templates is None:
        ids = [o.get("template") for o in origins.values() if isinstance(o, dict)]
        templates = {t.pk: t for t in ClauseTemplate.objects.filter(pk__in=[i for i in ids if i])}
    result: list[Deviation] = []
    for name, origin in origins.items():
        template = templates.get(origin.get("template")) if isinstance(origin, dict) else None
        if template is None:
            continue
        text = str(getattr(contract, name, "") or "")
        if _normalised(text) != _normalised(template.text):
            result.append(
                Deviation(
                    field=name,
                    label=str(Contract._meta.get_field(name).verbose_name),
                    template_text=template.text,
                    contract_text=text,
                    template_version=template.version,
                )
            )
    order = {f.name: i for i, f in enumerate(Contract._meta.fields)}
    return sorted(result, key=lambda d: order.get(d.field, 0))


def clause_changes_of(contract: Contract) -> list[ClauseChange]:
    """The terms changed during approval (R-CON-5), the ones waiting for confirmation first."""
    return list(
        ClauseChange.objects.filter(contract=contract)
        .select_related("changed_by", "confirmed_by")
        .order_by("-confirmed_at", "-id")
    )


def minutes_of(contract: Contract) -> list[NegotiationMinute]:
    return list(NegotiationMinute.objects.filter(contract=contract).select_related("created_by"))

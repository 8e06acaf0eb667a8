"""Reads of contracts: the accepted version, the consistency check (R-CON-2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bids.models import Contract, ContractLine
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

    @property
    def explanation(self) -> str:
        return self.line.explanation.strip() if self.line is not None else ""

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
    """Differences still without their explanation; a quote line missing from the contract
    cannot be explained here (lines are never deleted, so it does not arise from the services)."""
    return [d for d in differences(contract) if not d.explained]

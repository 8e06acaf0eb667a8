"""The needs gate on the move into the solution stage (R-NEED-4), and the card facts the
board reads it from without a query per card.

Every rigid requirement is confirmed by the customer, none is "not feasible" without an
agreed alternative, and there is at least one requirement. Annotated on the board's cards
(``register_card_fact``) as three counts, so a card's menu says why the move is blocked;
a service (which re-reads the opportunity under its lock, unannotated) computes the
requirements themselves and names each one (REQ-003 …).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opportunities.models import card_fact, register_card_fact
from opportunities.transitions import add_guard
from proposals.choices import ConfirmationStatus, Feasibility, RequirementKind
from proposals.models import Requirement

TOTAL = "needs_requirements"
UNCONFIRMED = "needs_unconfirmed_rigid"
INFEASIBLE = "needs_infeasible"

UNCONFIRMED_Q = Q(kind=RequirementKind.RIGID) & ~Q(confirmation_status=ConfirmationStatus.CONFIRMED)
INFEASIBLE_Q = Q(feasibility=Feasibility.NOT_FEASIBLE, alternative="")


def _count(condition: Q | None = None) -> Any:
    rows = Requirement.objects.filter(opportunity=OuterRef("pk"))
    if condition is not None:
        rows = rows.filter(condition)
    counted = rows.order_by().values("opportunity").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def needs_confirmed(opportunity, actor, **context) -> list[str]:
    """R-NEED-4: the solution stage opens only on confirmed rigid needs, none infeasible
    without an agreed alternative."""
    if TOTAL in opportunity.__dict__:
        return _reasons_from_counts(
            card_fact(opportunity, TOTAL, lambda: 0),
            card_fact(opportunity, UNCONFIRMED, lambda: 0),
            card_fact(opportunity, INFEASIBLE, lambda: 0),
        )
    return blocking_reasons(opportunity.pk)


def blocking_reasons(opportunity_pk: int) -> list[str]:
    """The reasons, naming each requirement (one query)."""
    rows = list(
        Requirement.objects.filter(opportunity_id=opportunity_pk)
        .order_by("position", "number")
        .only("number", "kind", "confirmation_status", "feasibility", "alternative")
    )
    if not rows:
        return [_("Record the customer's requirements first (there is none).")]
    reasons = []
    for r in rows:
        if r.kind == RequirementKind.RIGID and r.confirmation_status != ConfirmationStatus.CONFIRMED:
            reasons.append(_("%(code)s is not confirmed by the customer.") % {"code": r.code})
    for r in rows:
        if r.feasibility == Feasibility.NOT_FEASIBLE and not r.alternative:
            reasons.append(_("%(code)s is not feasible and has no agreed alternative.") % {"code": r.code})
    return reasons


def _reasons_from_counts(total: int, unconfirmed: int, infeasible: int) -> list[str]:
    if not total:
        return [_("Record the customer's requirements first (there is none).")]
    reasons = []
    if unconfirmed:
        reasons.append(
            ngettext(
                "%(n)s rigid requirement is not confirmed by the customer.",
                "%(n)s rigid requirements are not confirmed by the customer.",
                unconfirmed,
            )
            % {"n": unconfirmed}
        )
    if infeasible:
        reasons.append(
            ngettext(
                "%(n)s requirement is not feasible and has no agreed alternative.",
                "%(n)s requirements are not feasible and have no agreed alternative.",
                infeasible,
            )
            % {"n": infeasible}
        )
    return reasons


def register() -> None:
    register_card_fact(TOTAL, _count)
    register_card_fact(UNCONFIRMED, lambda: _count(UNCONFIRMED_Q))
    register_card_fact(INFEASIBLE, lambda: _count(INFEASIBLE_Q))
    add_guard("start_solution", needs_confirmed)

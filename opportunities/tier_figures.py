"""The figures of the customer's suggested tier (R-CUST-4), handed to ``leads.tiering``.

Won: opportunities that reached handoff (the won end) within the window, in CNY; pipeline:
open opportunities, in CNY. An amount in another currency counts at its recorded rate.
One aggregate query per batch of customers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from leads.tiering import TierFigures, register_tier_figures
from opportunities.choices import OPEN_STAGES, Stage
from opportunities.models import Opportunity

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=20, decimal_places=2))


def tier_figures(customer_ids: list[int], won_since: datetime) -> dict[int, TierFigures]:
    in_cny = F("amount") * Coalesce(F("fx_rate_to_cny"), Value(Decimal(1)))
    won_at = Coalesce(F("closed_at"), F("stage_entered_at"))
    rows = (
        Opportunity.objects.filter(customer_id__in=customer_ids)
        .alias(won_at=won_at)
        .values("customer_id")
        .annotate(
            won=Coalesce(
                Sum(in_cny, filter=Q(stage=Stage.HANDOFF, won_at__gte=won_since)),
                ZERO,
                output_field=DecimalField(max_digits=20, decimal_places=2),
            ),
            pipeline=Coalesce(
                Sum(in_cny, filter=Q(stage__in=OPEN_STAGES)),
                ZERO,
                output_field=DecimalField(max_digits=20, decimal_places=2),
            ),
        )
        .order_by()
    )
    return {row["customer_id"]: TierFigures(won=row["won"], pipeline=row["pipeline"]) for row in rows}


def register() -> None:
    register_tier_figures(tier_figures)

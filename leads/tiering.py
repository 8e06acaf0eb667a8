"""The tier suggested from a customer's contribution (R-CUST-4).

The figures (won amounts in CNY over the last 24 months, open pipeline in CNY) live in
``opportunities``, above this app: it fills :func:`register_tier_figures` from its
``ready()`` with a function answering for a batch of customers in one query. Without it
every customer's figures are zero.

The thresholds are in one place, :data:`THRESHOLDS`. A tier other than the suggestion needs
``tier_override_reason`` (checked by ``leads.services``, so web, API, admin and import meet it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.choices import Tier
from leads.models import Customer

WON_WINDOW = timedelta(days=730)  # 24 months


@dataclass(frozen=True)
class TierFigures:
    won: Decimal = Decimal(0)
    pipeline: Decimal = Decimal(0)


# tier: (won at least, or pipeline at least), CNY; the first met wins.
THRESHOLDS: list[tuple[str, Decimal, Decimal]] = [
    (Tier.STRATEGIC, Decimal(5_000_000), Decimal(10_000_000)),
    (Tier.IMPORTANT, Decimal(1_000_000), Decimal(3_000_000)),
]

FiguresFn = Callable[[list[int], datetime], dict[int, TierFigures]]
_figures: list[FiguresFn] = []


def register_tier_figures(fn: FiguresFn) -> None:
    """``fn(customer_ids, won_since) -> {customer_id: TierFigures}``: one query per batch."""
    _figures[:] = [fn]


def figures_for(customer_ids: list[int], *, now: datetime) -> dict[int, TierFigures]:
    if not _figures:
        return {}
    return _figures[0](customer_ids, now - WON_WINDOW)


def millions(amount: Decimal) -> str:
    return f"¥{(amount / Decimal(1_000_000)).quantize(Decimal('0.1'))}M"


def suggest(figures: TierFigures) -> tuple[str, str]:
    """(tier, reason) for the figures, in the active language."""
    for tier, won_min, pipeline_min in THRESHOLDS:
        if figures.won >= won_min:
            return tier, _("won %(won)s in 24 months") % {"won": millions(figures.won)}
        if figures.pipeline >= pipeline_min:
            return tier, _("open pipeline %(pipeline)s") % {"pipeline": millions(figures.pipeline)}
    return Tier.GENERAL, _("won %(won)s in 24 months, open pipeline %(pipeline)s") % {
        "won": millions(figures.won),
        "pipeline": millions(figures.pipeline),
    }


def suggestion_for(customer: Customer, *, now: datetime | None = None) -> tuple[str, str]:
    now = now or timezone.now()
    return suggest(figures_for([customer.pk], now=now).get(customer.pk, TierFigures()))


@transaction.atomic
def customers_suggest_tiers(*, customer_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Store the suggestion on each customer (monthly beat, or one customer on demand).
    A derived fact, written without a history row or a version bump. Returns how many."""
    now = now or timezone.now()
    ids = (
        list(customer_ids)
        if customer_ids is not None
        else list(Customer.objects.active().values_list("pk", flat=True))
    )
    count = 0
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        figures = figures_for(batch, now=now)
        for pk in batch:
            tier, reason = suggest(figures.get(pk, TierFigures()))
            Customer.objects.filter(pk=pk).update(
                suggested_tier=tier, suggested_tier_reason=reason[:300], suggested_at=now
            )
            count += 1
    return count


def tier_override_error(*, tier: str, suggested: str, reason: str) -> str | None:
    """The message when a tier differs from the suggestion without a reason, else None."""
    if suggested and tier != suggested and not reason.strip():
        return _("Explain why the tier differs from the suggested tier (%(tier)s).") % {
            "tier": Tier(suggested).label
        }
    return None

"""Reads of payment collection (R-PAY-1): a contract's plan, and the receivables.

Receivables are computed in SQL over the instalments of signed contracts the user sees
(team-scoped through the opportunity, ``opportunity_visibility_q``), grouped by contract,
customer, sales owner or team, and by currency (amounts in different currencies are never
added): amount, received, outstanding, and the outstanding by age past its due date (not
yet due or not triggered; 0–30, 31–60, 61–90, over 90 days). One query per page whatever
the number of rows (plus the page's count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bids.contracts.choices import ContractStatus
from bids.models import PaymentInstalment, PaymentPlan, PaymentReceipt
from bids.payments.choices import ReceivablesGroup
from opportunities.models import opportunity_visibility_q

OPP = "plan__contract__opportunity__"
MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


@dataclass(frozen=True)
class Grouping:
    keys: tuple[str, ...]
    order: tuple[str, ...]


GROUPINGS: dict[str, Grouping] = {
    ReceivablesGroup.CONTRACT: Grouping(
        (
            "plan__contract_id",
            "plan__contract__number",
            "plan__contract__title",
            "plan__contract__opportunity_id",
            f"{OPP}customer__name",
        ),
        ("plan__contract__title", "plan__contract_id"),
    ),
    ReceivablesGroup.CUSTOMER: Grouping(
        (f"{OPP}customer_id", f"{OPP}customer__name"), (f"{OPP}customer__name",)
    ),
    ReceivablesGroup.OWNER: Grouping(
        (
            f"{OPP}sales_owner_id",
            f"{OPP}sales_owner__display_name",
            f"{OPP}sales_owner__first_name",
            f"{OPP}sales_owner__last_name",
            f"{OPP}sales_owner__username",
        ),
        (f"{OPP}sales_owner__username",),
    ),
    ReceivablesGroup.TEAM: Grouping((f"{OPP}team_id", f"{OPP}team__name"), (f"{OPP}team__name",)),
}
BUCKETS = (
    ("days_0_30", _("0–30 days"), 1, 30),
    ("days_31_60", _("31–60 days"), 31, 60),
    ("days_61_90", _("61–90 days"), 61, 90),
    ("days_over_90", _("Over 90 days"), 91, None),
)
FIGURES = ("amount", "received", "outstanding", "not_due", *(b[0] for b in BUCKETS))


def receivable_instalments(user: Any) -> QuerySet[PaymentInstalment]:
    """The instalments of the signed contracts ``user`` sees."""
    return PaymentInstalment.objects.filter(plan__contract__status=ContractStatus.SIGNED).filter(
        opportunity_visibility_q(user, prefix=OPP)
    )


def _outstanding() -> ExpressionWrapper:
    return ExpressionWrapper(F("amount_due") - F("received_total"), output_field=MONEY)


def _bucket(low: int, high: int | None, today: date) -> Sum:
    condition = Q(due_on__lte=today - timedelta(days=low))
    if high is not None:
        condition &= Q(due_on__gte=today - timedelta(days=high))
    return Sum(Case(When(condition, then=_outstanding()), default=ZERO, output_field=MONEY))


def receivables(
    instalments: QuerySet[PaymentInstalment], *, group: str, today: date | None = None
) -> QuerySet[Any]:
    """``instalments`` (scoped and filtered) aggregated by ``group`` and currency: rows of
    the grouping keys, ``currency`` and :data:`FIGURES`, the largest outstanding first.
    Days past due count from the day after the due date (due today is not yet due)."""
    today = today or timezone.localdate()
    grouping = GROUPINGS[ReceivablesGroup(group)]
    not_due = Q(due_on__isnull=True) | Q(due_on__gte=today)
    return (
        instalments.values(*grouping.keys, "plan__contract__currency")
        .annotate(
            amount=Sum("amount_due", output_field=MONEY),
            received=Sum("received_total", output_field=MONEY),
            outstanding=Sum(_outstanding()),
            not_due=Sum(Case(When(not_due, then=_outstanding()), default=ZERO, output_field=MONEY)),
            **{key: _bucket(low, high, today) for key, _label, low, high in BUCKETS},
        )
        .order_by("-outstanding", *grouping.order, "plan__contract__currency")
    )


def row_label(group: str, row: dict[str, Any]) -> str:
    """The text naming a receivables row's group."""
    if group == ReceivablesGroup.CONTRACT:
        number = row["plan__contract__number"]
        title = row["plan__contract__title"]
        return f"{number} · {title}" if number else title
    if group == ReceivablesGroup.CUSTOMER:
        return row[f"{OPP}customer__name"] or "—"
    if group == ReceivablesGroup.OWNER:
        if row[f"{OPP}sales_owner_id"] is None:
            return str(_("No sales owner"))
        full = " ".join(
            p for p in (row[f"{OPP}sales_owner__first_name"], row[f"{OPP}sales_owner__last_name"]) if p
        )
        return row[f"{OPP}sales_owner__display_name"] or full or row[f"{OPP}sales_owner__username"]
    return row[f"{OPP}team__name"] or str(_("No team"))


def row_key(group: str, row: dict[str, Any]) -> Any:
    return row[GROUPINGS[ReceivablesGroup(group)].keys[0]]


def plan_of(contract: Any) -> PaymentPlan | None:
    return PaymentPlan.objects.filter(contract=contract).first()


def instalments_of(plan: PaymentPlan) -> list[PaymentInstalment]:
    return list(PaymentInstalment.objects.filter(plan=plan).order_by("position", "id"))


def receipts_of(plan: PaymentPlan, limit: int = 50) -> list[PaymentReceipt]:
    """The plan's latest receipts and reversals (the desk shows a window; the API lists all)."""
    return list(
        PaymentReceipt.objects.filter(instalment__plan=plan)
        .select_related("instalment", "recorded_by", "reverses")
        .order_by("-received_on", "-id")[:limit]
    )


def reversed_ids(plan: PaymentPlan) -> set[int]:
    return set(
        PaymentReceipt.objects.filter(instalment__plan=plan, reverses__isnull=False).values_list(
            "reverses_id", flat=True
        )
    )

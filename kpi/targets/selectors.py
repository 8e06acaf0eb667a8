"""Reads of sales targets (R-KPI-4): the actuals of the four metrics for a set of people or
teams over one period, each one aggregate query (GROUP BY the person or the team) whatever the
number of people or records, and the target-vs-actual rows of the pages and the API.

What each actual counts:
- amount signed: contracts signed (``signed_on``) in the period, in CNY (tax included; an
  amount in another currency at the contract's recorded rate, a contract without a rate is left
  out), attributed to the opportunity's sales owner and team;
- payments collected: receipts received in the period less reversals, in CNY at the contract's
  rate, attributed the same way;
- new customers: customers created in the period (not merged into another), by owner / team;
- satisfaction: the average score of the answers measuring customer satisfaction given in the
  period on surveys of opportunities whose sales owner is the person (team: the opportunity's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Case, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When

from bids.contracts.choices import ContractStatus
from bids.models import Contract, PaymentReceipt
from bids.payments.choices import ReceiptKind
from kpi.models.surveys import Measure, SurveyAnswer
from kpi.models.targets import ALL_TARGET_ROLES, SalesTarget, TargetMetric
from kpi.periods import Period
from leads.models import Customer
from presales.accounts.models import Team, User
from presales.core.money import BASE_CURRENCY
from presales.core.roles import SALES_ROLES

PERSON = "person"
TEAM = "team"
MONEY = DecimalField(max_digits=24, decimal_places=6)
CENT = Decimal("0.01")
METRICS = tuple(TargetMetric.values)


def _in_cny(amount: str, currency: str, rate: str) -> Case:
    """``amount`` in CNY: as is in CNY, times the recorded rate otherwise (NULL without one,
    which SUM leaves out)."""
    return Case(
        When(**{currency: BASE_CURRENCY}, then=ExpressionWrapper(F(amount) * Value(1), output_field=MONEY)),
        default=ExpressionWrapper(F(amount) * F(rate), output_field=MONEY),
        output_field=MONEY,
    )


@dataclass(frozen=True)
class Actual:
    """One actual: ``value`` None when there is nothing to measure (no answers for the
    satisfaction; the sums and counts are 0, never None), ``count`` the records behind it."""

    value: Decimal | None
    count: int


def _group_field(by: str, opportunity_path: str) -> str:
    return f"{opportunity_path}sales_owner_id" if by == PERSON else f"{opportunity_path}team_id"


def _amount_signed(by: str, ids: list[int], period: Period) -> dict[int, Actual]:
    key = _group_field(by, "opportunity__")
    rows = (
        Contract.objects.filter(
            status=ContractStatus.SIGNED,
            signed_on__gte=period.start,
            signed_on__lt=period.end,
            **{f"{key}__in": ids},
        )
        .values(key)
        .annotate(total=Sum(_in_cny("amount", "currency", "fx_rate_to_cny")), n=Count("id"))
        .order_by()
    )
    return {row[key]: Actual(_money(row["total"]), row["n"]) for row in rows}


def _payments_collected(by: str, ids: list[int], period: Period) -> dict[int, Actual]:
    contract = "instalment__plan__contract__"
    key = _group_field(by, f"{contract}opportunity__")
    signed = Case(
        When(kind=ReceiptKind.REVERSAL, then=ExpressionWrapper(-F("amount"), output_field=MONEY)),
        default=ExpressionWrapper(F("amount") * Value(1), output_field=MONEY),
        output_field=MONEY,
    )
    in_cny = Case(
        When(**{f"{contract}currency": BASE_CURRENCY}, then=signed),
        default=ExpressionWrapper(signed * F(f"{contract}fx_rate_to_cny"), output_field=MONEY),
        output_field=MONEY,
    )
    rows = (
        PaymentReceipt.objects.filter(
            received_on__gte=period.start, received_on__lt=period.end, **{f"{key}__in": ids}
        )
        .values(key)
        .annotate(total=Sum(in_cny), n=Count("id", filter=Q(kind=ReceiptKind.RECEIPT)))
        .order_by()
    )
    return {row[key]: Actual(_money(row["total"]), row["n"]) for row in rows}


def _new_customers(by: str, ids: list[int], period: Period) -> dict[int, Actual]:
    key = "owner_id" if by == PERSON else "team_id"
    rows = (
        Customer.objects.filter(
            created_at__gte=period.start_at,
            created_at__lt=period.end_at,
            merged_into__isnull=True,
            **{f"{key}__in": ids},
        )
        .values(key)
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row[key]: Actual(Decimal(row["n"]), row["n"]) for row in rows}


def _satisfaction(by: str, ids: list[int], period: Period) -> dict[int, Actual]:
    key = _group_field(by, "survey__opportunity__")
    rows = (
        SurveyAnswer.objects.filter(
            measure=Measure.SATISFACTION,
            score__isnull=False,
            answered_at__gte=period.start_at,
            answered_at__lt=period.end_at,
            **{f"{key}__in": ids},
        )
        .values(key)
        .annotate(average=Avg("score"), n=Count("id"))
        .order_by()
    )
    return {
        row[key]: Actual(Decimal(row["average"]).quantize(CENT, ROUND_HALF_UP), row["n"])
        for row in rows
        if row["n"]
    }


_COMPUTE = {
    TargetMetric.AMOUNT_SIGNED: _amount_signed,
    TargetMetric.PAYMENTS_COLLECTED: _payments_collected,
    TargetMetric.NEW_CUSTOMERS: _new_customers,
    TargetMetric.SATISFACTION: _satisfaction,
}


def _money(value: Any) -> Decimal:
    return (Decimal(value) if value is not None else Decimal(0)).quantize(CENT, ROUND_HALF_UP)


def empty_actual(metric: str) -> Actual:
    """What a person or team without records has: 0 of a sum or count, no data for an average."""
    if metric == TargetMetric.SATISFACTION:
        return Actual(None, 0)
    if metric == TargetMetric.NEW_CUSTOMERS:
        return Actual(Decimal(0), 0)
    return Actual(Decimal("0.00"), 0)


def actuals(metric: str, period: Period, *, by: str, ids: Iterable[int]) -> dict[int, Actual]:
    """``metric``'s actual for each of ``ids`` (people when ``by`` is PERSON, teams when TEAM)
    in ``period``: one aggregate query. Ids without records are absent."""
    id_list = list(ids)
    if not id_list:
        return {}
    return _COMPUTE[TargetMetric(metric)](by, id_list, period)


def targets_for(period: Period, *, people: Iterable[int] = (), teams: Iterable[int] = ()) -> dict:
    """``{(PERSON|TEAM, id, metric): SalesTarget}`` for the period: one query."""
    people, teams = list(people), list(teams)
    condition = Q(person__in=people) | Q(team__in=teams)
    if not people and not teams:
        return {}
    return {
        (PERSON if t.person_id else TEAM, t.person_id or t.team_id, t.metric): t
        for t in SalesTarget.objects.for_period(period).filter(condition)
    }


def achieved(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Percent of the target reached; None (shown "—") without a target, with a target of 0,
    or without an actual."""
    if actual is None or target is None or target == 0:
        return None
    return (actual * 100 / target).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Cell:
    metric: str
    target: Decimal | None
    actual: Decimal | None
    count: int
    percent: Decimal | None
    target_id: int | None = None

    @property
    def bar(self) -> int:
        """The bar's width, 0 to 100 (a percent above 100 fills it)."""
        return int(min(self.percent or 0, 100))

    def as_dict(self) -> dict[str, Any]:
        def text(number: Decimal | None) -> str | None:
            return None if number is None else str(number)

        return {
            "metric": self.metric,
            "target": text(self.target),
            "actual": text(self.actual),
            "count": self.count,
            "achieved_percent": text(self.percent),
            "target_id": self.target_id,
        }


@dataclass(frozen=True)
class Row:
    kind: str  # PERSON or TEAM
    id: int
    label: str
    cells: list[Cell]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "metrics": [cell.as_dict() for cell in self.cells],
        }


def grid(period: Period, *, people: list[Any], teams: list[Any]) -> list[Row]:
    """Target vs actual of ``people`` and ``teams`` over the four metrics: one query for the
    targets and one per metric and grouping (at most 9, whatever the number of people)."""
    person_ids = [p.pk for p in people]
    team_ids = [t.pk for t in teams]
    targets = targets_for(period, people=person_ids, teams=team_ids)
    found = {
        (by, metric): actuals(metric, period, by=by, ids=ids)
        for by, ids in ((TEAM, team_ids), (PERSON, person_ids))
        if ids
        for metric in METRICS
    }
    rows = []
    for by, subjects in ((TEAM, teams), (PERSON, people)):
        for subject in subjects:
            cells = []
            for metric in METRICS:
                actual = found.get((by, metric), {}).get(subject.pk) or empty_actual(metric)
                target = targets.get((by, subject.pk, metric))
                value = target.target if target is not None else None
                cells.append(
                    Cell(
                        metric=metric,
                        target=value,
                        actual=actual.value,
                        count=actual.count,
                        percent=achieved(actual.value, value),
                        target_id=target.pk if target is not None else None,
                    )
                )
            rows.append(Row(kind=by, id=subject.pk, label=str(subject), cells=cells))
    return rows


def team_members(team: Team) -> list[User]:
    """The team's sales people (reps and managers), by name: the rows of the targets page."""
    return list(
        User.objects.filter(team=team, is_active=True, groups__name__in=list(SALES_ROLES))
        .distinct()
        .order_by("username", "pk")
    )


def teams_for(user: Any) -> list[Team]:
    """The teams whose targets ``user`` manages: all for GM and admin, else managed teams."""
    if user.is_superuser or user.has_role(*ALL_TARGET_ROLES):
        return list(Team.objects.order_by("name"))
    return list(Team.objects.filter(manager=user.pk).order_by("name"))


def trend(person: Any, period: Period, count: int = 6) -> list[tuple[Period, list[Cell]]]:
    """The person's scorecard for ``count`` periods ending with ``period`` (oldest first):
    five queries per period (targets and the four actuals), a fixed number for the page."""
    rows = []
    for each in period.trend(count):
        (row,) = grid(each, people=[person], teams=[])
        rows.append((each, row.cells))
    return rows

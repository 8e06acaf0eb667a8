"""What the targets area plugs into the rest of the product, called once from
``KpiConfig.ready()``: the four sales indicators (R-KPI-4) in the KPI registry, with the
person's target as ``Value.target``, and the navigation entries of the targets pages."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy

from kpi.indicators import SALES, Indicator, Value, register_indicator
from kpi.models.targets import TargetMetric
from kpi.periods import Period
from kpi.targets import selectors

# Indicator key -> the target metric it measures.
INDICATOR_METRICS = {
    "amount_signed": TargetMetric.AMOUNT_SIGNED,
    "payments_collected": TargetMetric.PAYMENTS_COLLECTED,
    "new_customers": TargetMetric.NEW_CUSTOMERS,
    "sales_satisfaction": TargetMetric.SATISFACTION,
}


def _compute(metric: str) -> Callable[[list[int], Period], dict[int, Value]]:
    def compute(user_ids: list[int], period: Period) -> dict[int, Value]:
        found = selectors.actuals(metric, period, by=selectors.PERSON, ids=user_ids)
        targets = selectors.targets_for(period, people=user_ids)
        result = {}
        for pk in user_ids:
            target = targets.get((selectors.PERSON, pk, metric))
            actual = found.get(pk)
            if actual is None and target is None:
                continue
            actual = actual or selectors.empty_actual(metric)
            result[pk] = Value(
                actual.value, count=actual.count, target=target.target if target is not None else None
            )
        return result

    return compute


def _url(name: str, **params: object) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def signed_url(user_id: int, period: Period) -> str:
    return _url("opportunities:list", owner=user_id, stage="handoff")


def payments_url(user_id: int, period: Period) -> str:
    return _url("bids:receivables", group="contract", owner=user_id)


def customers_url(user_id: int, period: Period) -> str:
    return _url("leads:customer_list", owner=user_id)


def satisfaction_url(user_id: int, period: Period) -> str:
    return _url("opportunities:list", owner=user_id)


def register() -> None:
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    definitions = {
        "amount_signed": (
            gettext_lazy("Amount signed"),
            gettext_lazy(
                "Contracts signed in the period, in CNY with tax, of the opportunities the person is sales owner of."
            ),
            "amount",
            signed_url,
        ),
        "payments_collected": (
            gettext_lazy("Payments collected"),
            gettext_lazy(
                "Receipts received in the period less reversals, in CNY, on the person's contracts."
            ),
            "amount",
            payments_url,
        ),
        "new_customers": (
            gettext_lazy("New customers"),
            gettext_lazy("Customers created in the period that the person owns."),
            "count",
            customers_url,
        ),
        "sales_satisfaction": (
            gettext_lazy("Customer satisfaction (sales)"),
            gettext_lazy(
                "Average satisfaction score (1 to 5) of the survey answers given in the period on the person's opportunities."
            ),
            "score5",
            satisfaction_url,
        ),
    }
    for order, (key, (label, definition, unit, url)) in enumerate(definitions.items()):
        register_indicator(
            Indicator(
                key=key,
                label=label,
                definition=definition,
                rule="R-KPI-4",
                unit=unit,
                audiences=frozenset({SALES}),
                compute=_compute(INDICATOR_METRICS[key]),
                records_url=url,
                order=200 + order,
                extra={"metric": str(INDICATOR_METRICS[key])},
            )
        )
    register_nav(
        NavItem(
            key="sales_targets",
            label=gettext_lazy("Targets"),  # type: ignore[arg-type]  # translated when shown
            url_name="kpi:targets:board",
            icon="bullseye",
            order=85,
            roles=frozenset({Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}),
        )
    )
    register_nav(
        NavItem(
            key="my_targets",
            label=gettext_lazy("My targets"),  # type: ignore[arg-type]  # translated when shown
            url_name="kpi:targets:mine",
            icon="graph-up-arrow",
            order=86,
            roles=frozenset({Role.SALES_REP, Role.SALES_MANAGER}),
        )
    )

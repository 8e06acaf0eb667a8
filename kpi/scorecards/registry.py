"""What the scorecards area plugs into the rest of the product, called once from
``KpiConfig.ready()``: the presales indicators (R-KPI-1), the scorecard document (R-KPI-2), the
navigation entry and the engineer's dashboard panel."""

from __future__ import annotations

from typing import cast


def register() -> None:
    from django.utils.translation import gettext_lazy

    from kpi.indicators import register_indicator
    from kpi.scorecards import documents, indicators, selectors
    from presales.core.dashboard import register_panel
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    for indicator in indicators.INDICATORS:
        register_indicator(indicator)
    documents.register()
    register_nav(
        NavItem(
            key="scorecards",
            label=cast(str, gettext_lazy("Scorecards")),
            url_name="kpi:scorecards:mine",
            icon="clipboard-data",
            order=85,
            roles=frozenset(
                {
                    Role.PRESALES_ENGINEER,
                    Role.PRESALES_MANAGER,
                    Role.SALES_REP,
                    Role.SALES_MANAGER,
                    Role.DEPARTMENT_HEAD,
                    Role.GENERAL_MANAGER,
                    Role.ADMIN,
                }
            ),
        )
    )
    register_panel(selectors.latest_scorecard_panel)

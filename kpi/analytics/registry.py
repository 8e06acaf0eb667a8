"""What the analytics area plugs into the rest of the product (timers, hooks, navigation, panels,
documents), called once from ``KpiConfig.ready()``."""

from django.utils.translation import gettext_lazy

from kpi.analytics import panels, tasks  # noqa: F401  (tasks: registers the summary's task)
from kpi.analytics.access import ANALYTICS_ROLES
from presales.core.dashboard import register_panel
from presales.core.navigation import NavItem, register_nav


def register() -> None:
    register_nav(
        NavItem(
            key="analytics",
            label=gettext_lazy("Analytics"),  # type: ignore[arg-type]
            url_name="kpi:analytics:page",
            icon="bar-chart",
            order=85,
            roles=ANALYTICS_ROLES,
        )
    )
    register_panel(panels.charts_panel)
    register_panel(panels.approvals_panel)
    register_panel(panels.overdue_panel)

"""What the training area plugs into the rest of the product (R-KPI-1), called once from
``KpiConfig.ready()``: the navigation entry."""

from typing import cast


def register() -> None:
    from django.utils.translation import gettext_lazy

    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    register_nav(
        NavItem(
            key="training",
            label=cast(str, gettext_lazy("Training")),
            url_name="kpi:training:mine",
            icon="mortarboard",
            order=84,
            roles=frozenset(
                {Role.PRESALES_ENGINEER, Role.PRESALES_MANAGER, Role.ADMIN, Role.GENERAL_MANAGER}
            ),
        )
    )

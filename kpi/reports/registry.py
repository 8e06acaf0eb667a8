"""What the reports area plugs into the rest of the product, called once from
``KpiConfig.ready()``: the navigation entry of the monthly team reports, their admin and the
monthly task (imported so the worker knows it; its beat entry is in the settings)."""

from django.utils.translation import gettext_lazy


def register() -> None:
    from kpi.reports import admin, tasks  # noqa: F401  (registrations)
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    register_nav(
        NavItem(
            key="team_reports",
            label=gettext_lazy("Team reports"),  # type: ignore[arg-type]  # translated when shown
            url_name="kpi:reports:list",
            icon="journal-text",
            order=87,
            roles=frozenset(
                {
                    Role.SALES_MANAGER,
                    Role.PRESALES_MANAGER,
                    Role.GENERAL_MANAGER,
                    Role.DEPARTMENT_HEAD,
                    Role.ADMIN,
                }
            ),
        )
    )

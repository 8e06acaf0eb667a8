"""What the surveys area plugs into the rest of the product, called once from
``KpiConfig.ready()``: the improvement action's timer kind and subject (R-POST-3), the won and
closed hooks that send the presales-service survey and the internal rating (R-POST-4,
R-KPI-1), the desk section, the navigation entry, and the beat task's module."""

from __future__ import annotations


def register() -> None:
    from typing import cast

    from django.utils.translation import gettext_lazy

    from bids import hooks
    from kpi.surveys import desk, services, tasks, timers  # noqa: F401  (tasks: the beat task)
    from opportunities.hooks import register_on_closed
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    timers.register()
    hooks.register_on_signed(services.survey_on_signed)
    register_on_closed(services.survey_on_closed)
    desk.register()
    register_nav(
        NavItem(
            key="surveys",
            label=cast(str, gettext_lazy("Surveys")),
            url_name="kpi:surveys:list",
            icon="chat-square-heart",
            order=80,
            roles=frozenset(Role.values),
        )
    )

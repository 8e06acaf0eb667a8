"""What the retrospectives area plugs into the rest of the product (R-POST-2), called once from
``KpiConfig.ready()``: the timer kind and subject, the close hooks (signed: won; lost or
abandoned; accepted: success case proposed), the desk tab and the navigation entry."""

from typing import cast


def register() -> None:
    from django.utils.translation import gettext_lazy

    from bids import hooks
    from kpi.retrospectives import desk, services, timers
    from opportunities.hooks import register_on_closed
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    timers.register()
    desk.register()
    hooks.register_on_signed(services.retrospective_on_signed)
    hooks.register_on_accepted(services.retrospective_on_accepted)
    register_on_closed(services.retrospective_on_closed)
    register_nav(
        NavItem(
            key="retrospectives",
            label=cast(str, gettext_lazy("Retrospectives")),
            url_name="kpi:retrospectives:list",
            icon="journal-check",
            order=82,
            roles=frozenset(Role.values),
        )
    )

"""What the competitor records plug into (R-COMP-1), called from OpportunitiesConfig.ready():
the nav entry and the desk tab."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from opportunities.competitors import desk
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    register_nav(
        NavItem(
            "competitors",
            _("Competitors"),
            "opportunities:competitors:list",
            icon="shield",
            order=25,
            roles=frozenset(Role),
        )
    )
    desk.register()

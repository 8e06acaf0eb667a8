"""What collaboration plugs into the rest of the product, from ``CollaborationConfig.ready()``."""

from django.utils.translation import gettext_lazy


def register() -> None:
    from collaboration import timers
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    timers.register()
    from collaboration import erasure

    erasure.register()
    register_nav(
        NavItem(
            key="collaboration",
            label=gettext_lazy("Collaboration"),
            url_name="collaboration:requests",
            icon="people",
            order=86,
            roles=frozenset(Role.values),
        )
    )
    register_nav(
        NavItem(
            key="meeting_minutes",
            label=gettext_lazy("Meeting minutes"),
            url_name="collaboration:minutes",
            icon="journal-text",
            order=87,
            roles=frozenset(Role.values),
        )
    )
    from collaboration import selectors
    from opportunities.desk import DeskSection, register_desk_section

    register_desk_section(
        DeskSection(
            key="collaboration",
            label=gettext_lazy("Collaboration"),
            order=88,
            template="collaboration/desk.html",
            context=lambda request, opportunity: selectors.for_opportunity(request.user, opportunity),
        )
    )

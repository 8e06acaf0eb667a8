from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresalesConfig(AppConfig):
    """The shared core: accounts, roles, scoping, audit, web and API bases, SLA timers,
    notifications and exports. It imports no domain app; domain apps plug in through its
    registries (navigation, dashboard panels, timer kinds, timer subjects, exporters)."""

    name = "presales"
    verbose_name = _("Presales core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from presales.api.pagination import register_page_hook
        from presales.core.dashboard import register_panel
        from presales.core.navigation import NavItem, register_nav
        from presales.core.roles import Role, ensure_role_groups
        from presales.exports.paging import on_page
        from presales.sla.defaults import register_defaults
        from presales.sla.selectors import deadlines_panel, my_overdue_count
        from presales.sla.services import ensure_default_policies

        # Reference data, not a domain side effect: every role exists as a group.
        post_migrate.connect(ensure_role_groups, sender=self)
        # The timer kinds of PROCESS.md, and a policy row for each (admins edit them).
        register_defaults()
        post_migrate.connect(ensure_default_policies, sender=self)
        register_nav(
            NavItem(
                key="deadlines",
                label=_("Deadlines"),
                url_name="sla:deadlines",
                icon="alarm",
                order=90,
                roles=frozenset(Role),
                badge=my_overdue_count,
            )
        )
        register_panel(deadlines_panel)
        # R-CUST-6: paging through a whole list through the API is logged as an export.
        register_page_hook(on_page)

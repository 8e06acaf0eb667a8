from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """Customers, contacts, leads and communication records (R-LEAD, R-CUST, R-COMM)."""

    name = "leads"
    verbose_name = _("Leads and customers")

    def ready(self) -> None:
        from leads import exports, selectors
        from presales.core.dashboard import register_panel
        from presales.core.navigation import NavItem, register_nav
        from presales.core.roles import Role

        every_role = frozenset(Role.values)
        register_nav(
            NavItem(
                key="leads",
                label=_("Leads"),
                url_name="leads:lead_list",
                icon="inbox",
                order=10,
                roles=every_role,
                badge=selectors.overdue_first_contacts,
            )
        )
        register_nav(
            NavItem(
                key="customers",
                label=_("Customers"),
                url_name="leads:customer_list",
                icon="building",
                order=20,
                roles=every_role,
            )
        )
        register_panel(selectors.first_contact_summary)
        exports.register()

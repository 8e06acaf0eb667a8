from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """Customers, contacts, leads and communication records (R-LEAD, R-CUST, R-COMM)."""

    name = "leads"
    verbose_name = _("Leads and customers")

    def ready(self) -> None:
        from leads import cadence, exports, relationship, selectors, services, visits
        from leads.panels import register_detail_panel
        from presales.core.dashboard import register_panel
        from presales.core.navigation import NavItem, register_nav
        from presales.core.roles import Role
        from presales.sla.defaults import LEAD_FIRST_CONTACT
        from presales.sla.services import register_due_changed

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
        register_nav(
            NavItem(
                key="my_visits",
                label=_("My visits"),
                url_name="leads:my_visits",
                icon="calendar-event",
                order=25,
                roles=every_role,
            )
        )
        register_panel(selectors.first_contact_summary)
        exports.register()
        # R-CUST-7: the contact cadence and visit-plan timers.
        cadence.register()
        visits.register()
        register_detail_panel("customer", relationship.customer_relationship_panel)
        # The lead shows its first-contact timer's due time: follow a recomputed one.
        register_due_changed(LEAD_FIRST_CONTACT, services.first_contact_due_changed)

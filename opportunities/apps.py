from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    """Opportunities, their lifecycle and board, the project initiation request and the
    project team (R-OPP-1..3). Above leads and reviews: it uses both, neither uses it."""

    name = "opportunities"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from opportunities import desk_sections, panels, review_subjects, selectors, tier_figures, timers
        from opportunities.competitors import registry as competitor_records
        from opportunities.models import customers_of_projects_of, customers_presold_by, customers_sold_by
        from presales.core.dashboard import register_panel
        from presales.core.navigation import NavItem, register_nav
        from presales.core.roles import Role
        from presales.core.scoping import register_personal_rows

        # R-CUST-6: the people on a customer's opportunities see the customer (issue 9).
        for source in (customers_sold_by, customers_presold_by, customers_of_projects_of):
            register_personal_rows("leads.Customer", source)
        register_nav(
            NavItem(
                "pipeline",
                _("Pipeline"),
                "opportunities:board",
                icon="kanban",
                order=20,
                roles=frozenset(Role),
            )
        )
        register_panel(selectors.pipeline_panel)
        review_subjects.register()
        timers.register()
        desk_sections.register()
        panels.register()
        competitor_records.register()
        from opportunities import erasure

        # R-CUST-8: a contact's erasure scrubs this app's texts and the reviews'.
        erasure.register()
        # R-CUST-4: the customer's suggested tier reads won and open amounts from here.
        tier_figures.register()

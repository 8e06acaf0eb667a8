from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresalesConfig(AppConfig):
    """The shared core: users, teams, roles, audit, scoping, the opportunity lifecycle."""

    name = "presales"
    verbose_name = _("Presales core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .dashboard import register_panel
        from .navigation import NavItem, register_nav
        from .review_subjects import register as register_review_subjects
        from .roles import Role, ensure_role_groups
        from .sla.defaults import register_defaults
        from .sla.policies import ensure_default_policies
        from .sla.selectors import deadlines_panel, my_overdue_count

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
        register_panel(_pipeline_panel)
        register_review_subjects()
        # The review engine's approvers get their deadlines inside its transactions.
        from .sla.wiring import register as register_review_timers

        register_review_timers()


def _pipeline_panel(user) -> dict | None:
    """Dashboard: my open opportunities by stage."""
    from .roles import scope_of
    from .selectors import my_open_by_stage

    if scope_of(user) is None:
        return None
    return {
        "key": "pipeline",
        "title": _("My open opportunities"),
        "icon": "kanban",
        "template": "opportunities/partials/dashboard_panel.html",
        "rows": my_open_by_stage(user),
    }

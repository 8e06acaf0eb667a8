from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresalesConfig(AppConfig):
    """The shared core: users, teams, roles, audit, scoping, the opportunity lifecycle."""

    name = "presales"
    verbose_name = _("Presales core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import ensure_role_groups

        # Reference data, not a domain side effect: every role exists as a group.
        post_migrate.connect(ensure_role_groups, sender=self)

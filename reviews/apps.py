from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """The approval-chain engine used by every reviewed subject (R-REV)."""

    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from reviews import documents

        documents.register()
        from presales.core.dashboard import register_panel
        from presales.core.navigation import NavItem, register_nav
        from presales.core.roles import Role
        from reviews import timers
        from reviews.selectors import pending_count
        from reviews.views import inbox_panel

        register_nav(
            NavItem(
                key="reviews",
                label=_("Reviews"),
                url_name="reviews:inbox",
                icon="check2-square",
                order=60,
                roles=frozenset(Role.values),
                badge=pending_count,
            )
        )
        register_panel(inbox_panel)
        timers.register()

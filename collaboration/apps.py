from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    """Cross-department collaboration (R-COLL-1, R-COLL-2, R-NEED-5): collaboration requests
    (跨部門協作申請表) with their response and due timers and the requester's rating, and
    meeting minutes (會議紀要) with action items as timers. Sits above opportunities, beside
    knowledge, below proposals (which links its R&D questions here through ``hooks``)."""

    name = "collaboration"
    verbose_name = _("Collaboration")

    def ready(self) -> None:
        from collaboration import registry

        registry.register()

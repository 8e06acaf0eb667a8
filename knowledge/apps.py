from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The knowledge base (R-KB-1): articles, their search for Chinese and English, case
    suggestions; sits above opportunities (cases come from won opportunities) and below
    proposals and bids, which read it."""

    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from knowledge import registry

        registry.register()

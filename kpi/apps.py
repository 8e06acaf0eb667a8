from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """Appraisal and the managers' picture (R-KPI, R-POST): surveys, retrospectives, training,
    scorecards and sales targets, analytics and the monthly team report, one sub-package per area.
    Each area registers its timers, hooks, navigation, dashboard panels and documents from its
    ``registry.register()``."""

    name = "kpi"
    verbose_name = _("KPI")

    def ready(self) -> None:
        from kpi.analytics import registry as analytics
        from kpi.reports import registry as reports
        from kpi.retrospectives import registry as retrospectives
        from kpi.scorecards import registry as scorecards
        from kpi.surveys import registry as surveys
        from kpi.targets import registry as targets
        from kpi.training import registry as training

        for area in (surveys, retrospectives, training, scorecards, targets, analytics, reports):
            area.register()
        from kpi import erasure

        # R-CUST-8: a contact's erasure scrubs the appraisal's texts.
        erasure.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """KPI scorecards and manager dashboards (R-KPI)."""

    name = "kpi"
    verbose_name = _("KPI")

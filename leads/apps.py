from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """Customers, contacts, leads and communication records (R-LEAD, R-CUST, R-COMM)."""

    name = "leads"
    verbose_name = _("Leads and customers")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (``load_demo``) and the one-command stack (``runstack`` = ``make run``).
    The top layer: it builds records through every app's services and nothing imports it."""

    name = "demo"
    verbose_name = _("Demo data")

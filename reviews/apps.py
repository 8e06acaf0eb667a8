from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """The approval-chain engine used by every reviewed subject (R-REV)."""

    name = "reviews"
    verbose_name = _("Reviews")

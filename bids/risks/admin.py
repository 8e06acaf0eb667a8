"""Admin of the risk register (R-RISK-1): a read-only look-up with history, since every
change goes through bids/risks/services.py (the thresholds' alerts, the review timer, the
manager's acceptance that the contract's approval waits for)."""

from django.contrib import admin

from bids.models import CreditAssessment, Risk
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(Risk)
class RiskAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "opportunity", "category", "score", "status", "owner", "review_on"]
    list_filter = ["category", "status"]
    list_select_related = ["opportunity", "owner"]


@admin.register(CreditAssessment)
class CreditAssessmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["opportunity", "rating", "credit_limit", "assessed_on", "valid_until", "assessed_by"]
    list_select_related = ["opportunity", "assessed_by"]

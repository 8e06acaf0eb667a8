"""Support look-up of bid decisions, tenders and bids: read-only. Every change (the R-BID-5
decision, the R-BID-2 seal, the R-BID-4 result, the tender's timers) goes through
bids/tenders/services.py, never through the admin."""

from django.contrib import admin

from bids.models import Bid, BidDecision, Tender
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(BidDecision)
class BidDecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["opportunity", "decision", "decided_by", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["opportunity", "decided_by"]


@admin.register(Tender)
class TenderAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "number",
        "issuer",
        "opportunity",
        "submission_deadline",
        "opening_at",
        "bond_returned_on",
    ]
    list_select_related = ["opportunity"]
    search_fields = ["number", "issuer"]


@admin.register(Bid)
class BidAdmin(ReadOnlyHistoryAdmin):
    list_display = ["opportunity", "status", "sealed_at", "winning_vendor", "winning_price"]
    list_filter = ["status"]
    list_select_related = ["opportunity"]

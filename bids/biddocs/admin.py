"""Support look-up of the bid document's parts, attachments and the defence: read-only.
Every change goes through bids/biddocs/services.py (frozen parts). The answer library is the
knowledge base's reusable bid answers: the knowledge article admin shows them."""

from django.contrib import admin

from bids.models import BidAttachment, BidPart, BidPartVersion, DefenceQuestion
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(BidPart)
class BidPartAdmin(ReadOnlyHistoryAdmin):
    list_display = ["bid", "kind", "status", "current"]
    list_filter = ["kind", "status"]
    list_select_related = ["bid", "current"]


@admin.register(BidPartVersion)
class BidPartVersionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["part", "number", "source", "created_by", "created_at"]
    list_select_related = ["part", "created_by"]


@admin.register(BidAttachment)
class BidAttachmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "part", "size", "uploaded_by", "created_at"]
    list_select_related = ["part", "uploaded_by"]


@admin.register(DefenceQuestion)
class DefenceQuestionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["bid", "status", "owner", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["bid", "owner"]

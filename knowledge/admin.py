"""Admin of the knowledge base: read-only (writes go through the knowledge services, so the
kind rules, the consent rule and the search keys hold)."""

from django.contrib import admin

from knowledge.models import Article, Tag
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(Article)
class ArticleAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "kind", "status", "owner", "visibility", "updated_at"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title"]
    exclude = ["search_vector"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]

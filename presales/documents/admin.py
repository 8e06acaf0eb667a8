"""Admin of generated documents (issue 12): the branding an admin sets without code (the logo
checked by its content like every upload), and the documents and their sending log, looked up
only (they are written by presales/documents/services.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from presales.core.errors import DomainError
from presales.core.uploads import stored_name, validate_upload
from presales.documents.models import Branding, Document, DocumentDelivery

LOGO_TYPES = frozenset({"png", "jpg", "jpeg"})
LOGO_MAX_BYTES = 2 * 1024 * 1024


class BrandingForm(forms.ModelForm):
    class Meta:
        model = Branding
        fields = [
            "company_name_zh_hans",
            "company_name_zh_hant",
            "company_name_en",
            "logo",
            "primary_colour",
            "accent_colour",
            "footer_zh_hans",
            "footer_zh_hant",
            "footer_en",
        ]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo is not getattr(self.instance, "logo", None) and hasattr(logo, "content_type"):
            try:
                upload = validate_upload(logo, field="logo", allowed=LOGO_TYPES, limit=LOGO_MAX_BYTES)
            except DomainError as exc:
                raise forms.ValidationError(exc.fields.get("logo") or [exc.message]) from exc
            logo.name = stored_name(upload)
        return logo


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    form = BrandingForm
    fieldsets = [
        (None, {"fields": ["company_name_zh_hans", "company_name_zh_hant", "company_name_en", "logo"]}),
        (None, {"fields": ["primary_colour", "accent_colour"]}),
        (None, {"fields": ["footer_zh_hans", "footer_zh_hant", "footer_en"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return not Branding.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "doc_type", "object_id", "variant", "language", "state", "requested_by"]
    list_filter = ["doc_type", "state", "language"]
    list_select_related = ["requested_by"]


@admin.register(DocumentDelivery)
class DocumentDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["sent_on", "document", "recipient", "channel", "sent_by"]
    list_select_related = ["document", "sent_by"]

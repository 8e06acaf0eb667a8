"""Template helpers of generated documents (issue 12): ``document_panel``, the "Documents" box
of a record page (generate in a language, progress, download, the recent files), and
``document_button``, one PDF button for a row of a list."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from presales.documents.models import Document
from presales.documents.registry import types_for

register = template.Library()
RECENT = 6


@register.inclusion_tag("documents/panel.html", takes_context=True)
def document_panel(context, obj: Any) -> dict[str, Any]:
    """The document buttons of ``obj`` (one per registered type and variant) and its recent
    files: two queries whatever the number of types and files."""
    request = context.get("request")
    user = getattr(request, "user", None)
    kinds = types_for(obj)
    recent = []
    if kinds:
        recent = list(
            Document.objects.filter(
                content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
            ).order_by("-created_at", "-id")[:RECENT]
        )
    choices = [
        {"type": kind, "variant": variant, "refusals": kind.refusals(user, obj, variant.key)}
        for kind in kinds
        for variant in kind.variants
    ]
    return {
        "obj": obj,
        "choices": choices,
        "recent": recent,
        "languages": settings.LANGUAGES,
        "language": getattr(user, "language", "") or settings.LANGUAGE_CODE,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("documents/button.html", takes_context=True)
def document_button(context, obj: Any, doc_type: str, variant: str = "standard") -> dict[str, Any]:
    """One "PDF" button for ``obj`` as ``doc_type`` (rows of a list, e.g. negotiation
    minutes), in the reader's language; no query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "obj": obj,
        "doc_type": doc_type,
        "variant": variant,
        "language": getattr(user, "language", "") or settings.LANGUAGE_CODE,
        "csrf_token": context.get("csrf_token"),
    }

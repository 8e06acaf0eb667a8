"""Display helpers for the leads pages: masked contact details and deadline badges."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from leads.choices import LeadStatus
from presales.core.i18n import due_phrase
from presales.core.scoping import mask_email, mask_phone

register = template.Library()

STATUS_STYLES = {
    LeadStatus.NEW: "text-bg-primary",
    LeadStatus.CONTACTED: "text-bg-info",
    LeadStatus.QUALIFIED: "text-bg-success",
    LeadStatus.DISQUALIFIED: "text-bg-secondary",
    LeadStatus.MERGED: "text-bg-light border",
}


@register.simple_tag
def contact_detail(value: str, access: bool, kind: str = "phone"):
    """A phone number or email, masked when the viewer has no contact access (R-CUST-6)."""
    if not value:
        return "—"
    if access:
        if kind == "email":
            return format_html('<a href="mailto:{}">{}</a>', value, value)
        return value
    masked = mask_email(value) if kind == "email" else mask_phone(value)
    return format_html(
        '<span class="masked" title="{}" data-masked="{}">{}</span>',
        _("Hidden: you are not on this record's team."),
        kind,
        masked,
    )


@register.simple_tag
def lead_status_badge(lead):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_STYLES.get(lead.status, "text-bg-secondary"),
        lead.status,
        lead.get_status_display(),
    )


@register.inclusion_tag("leads/partials/first_contact_badge.html")
def first_contact_badge(lead, now=None):
    """R-LEAD-3: "due in 5 h", "overdue 3 h", "overdue 11 days" or done (with the time)."""
    now = now or timezone.now()
    if lead.first_contacted_at:
        return {"state": "done", "label": _("done"), "when": lead.first_contacted_at}
    if not lead.is_open:
        return {"state": "closed", "label": "—", "when": None}
    label = due_phrase(lead.first_contact_due_at, now)
    if lead.first_contact_due_at > now:
        return {"state": "due", "label": label, "when": lead.first_contact_due_at}
    return {"state": "overdue", "label": label, "when": lead.first_contact_due_at}


@register.filter
def lead_status_label(value: str) -> str:
    """The translated label of a status code (duplicates arrive as plain dicts)."""
    try:
        return LeadStatus(value).label
    except ValueError:
        return value

"""Documents of needs analysis (issue 12, R-NEED): the customer needs confirmation list
(客戶需求確認清單: per row 需求編號, 需求類型, 需求描述, 確認方式, 確認人, 確認時間) of an
opportunity, and each frozen version of the customer needs report (客戶需求報告). Registered
with the core's document framework (presales/documents/) from ``ProposalsConfig``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from opportunities.models import Opportunity
from presales.documents.registry import DocumentType, register_document_type
from proposals.choices import (
    ConfirmationMethod,
    ConfirmationStatus,
    Feasibility,
    Priority,
    RequirementCategory,
    RequirementKind,
)
from proposals.models import NeedsReport, Requirement

LABELS: dict[str, Any] = {
    "kind": RequirementKind,
    "category": RequirementCategory,
    "priority": Priority,
    "feasibility": Feasibility,
    "confirmation_status": ConfirmationStatus,
    "confirmation_method": ConfirmationMethod,
}


def label(field: str, value: Any) -> str:
    """A stored code as the document's language reads it ("—" for none)."""
    if value in (None, ""):
        return "—"
    choices = LABELS.get(field)
    if choices is None:
        return str(value)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _row(values: dict[str, Any]) -> dict[str, Any]:
    confirmed_at = values.get("confirmed_at")
    if isinstance(confirmed_at, str):
        confirmed_at = parse_datetime(confirmed_at)
    return {
        **values,
        **{f"{field}_label": label(field, values.get(field)) for field in LABELS},
        "confirmed_at": confirmed_at,
    }


# --- the confirmation list of an opportunity ------------------------------------------------


def _list_fingerprint(opportunity: Opportunity) -> str:
    stats = Requirement.objects.filter(opportunity=opportunity).aggregate(
        n=Count("id"), changed=Max("updated_at"), confirmed=Max("confirmed_at")
    )
    return f"{opportunity.pk}:{stats['n']}:{stats['changed']}:{stats['confirmed']}:{opportunity.customer_id}"


def _all_confirmed(opportunity: Opportunity) -> bool:
    requirements = Requirement.objects.filter(opportunity=opportunity)
    return (
        requirements.exists()
        and not requirements.exclude(confirmation_status=ConfirmationStatus.CONFIRMED).exists()
    )


def _list_context(opportunity: Opportunity, variant: str, user: Any) -> dict[str, Any]:
    requirements = Requirement.objects.filter(opportunity=opportunity).order_by("position", "number")
    rows = [
        _row(
            {
                "code": r.code,
                "kind": r.kind,
                "category": r.category,
                "description": r.description,
                "priority": r.priority,
                "key_metric": r.key_metric,
                "confirmation_status": r.confirmation_status,
                "confirmation_method": r.confirmation_method,
                "confirmed_by_name": r.confirmed_by_name,
                "confirmed_at": r.confirmed_at,
                "confirmation_comment": r.confirmation_comment,
            }
        )
        for r in requirements
    ]
    return {"customer": opportunity.customer, "opportunity": opportunity, "rows": rows}


# --- a frozen needs report ------------------------------------------------------------------


def _report_context(report: NeedsReport, variant: str, user: Any) -> dict[str, Any]:
    content = report.content or {}
    return {
        "report": report,
        "content": content,
        "spin": content.get("spin") or {},
        "rows": [_row(dict(r)) for r in content.get("requirements") or []],
    }


def register() -> None:
    register_document_type(
        DocumentType(
            key="needs_confirmation",
            label=gettext_lazy("Customer needs confirmation list"),
            model="opportunities.Opportunity",
            template="proposals/needs/document_confirmation.html",
            visible=lambda user: Opportunity.objects.visible_to(user).select_related("customer"),
            context=_list_context,
            fingerprint=_list_fingerprint,
            number=lambda opportunity: f"NCL-{opportunity.pk:06d}",
            final=_all_confirmed,
            title=lambda opportunity: str(opportunity.title),
        )
    )
    register_document_type(
        DocumentType(
            key="needs_report",
            label=gettext_lazy("Customer needs report"),
            model="proposals.NeedsReport",
            template="proposals/needs/document_report.html",
            visible=lambda user: NeedsReport.objects.filter(
                opportunity__in=Opportunity.objects.visible_to(user)
            ).select_related("opportunity", "created_by"),
            context=_report_context,
            # A report is frozen when it is made: its id is its whole source.
            fingerprint=lambda report: f"{report.pk}:{report.number}",
            number=lambda report: f"NR-{report.opportunity_id:06d}-V{report.number}",
            final=lambda report: True,
            title=lambda report: str(report.opportunity.title),
        )
    )

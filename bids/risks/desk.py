"""The risks section of the opportunity desk (order 85, R-RISK-1): the risk register of the
opportunity ordered by score, coloured by level, with the forms to add, edit, review, accept
(managers) and close risks, and the customer's credit assessment with its form. The review
timers are in the desk's Timers tab."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bids.models import Contract, CreditAssessment, Risk
from bids.risks import services
from bids.risks.choices import RiskStatus
from bids.risks.forms import AcceptForm, CloseForm, CreditAssessmentForm, ReviewForm, RiskForm
from opportunities.desk import DeskSection, register_desk_section, register_desk_timers
from opportunities.permissions import can_work_opportunity


def desk_context(request, opportunity) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    risks = list(
        Risk.objects.filter(opportunity=opportunity)
        .select_related("owner", "accepted_by")
        .order_by("status", "-score", "-id")
    )
    can_work = can_work_opportunity(user, opportunity)
    can_accept = services.can_accept(user, opportunity)
    assessments = list(
        CreditAssessment.objects.filter(opportunity=opportunity)
        .select_related("assessed_by")
        .order_by("-assessed_on", "-id")[:5]
    )
    valid = next((a for a in assessments if a.assessed_on <= today <= a.valid_until), None)
    contract = Contract.objects.filter(opportunity=opportunity).only("pk", "status").first()
    context: dict[str, Any] = {
        "opportunity": opportunity,
        "risks": risks,
        "can_work": can_work,
        "can_accept": can_accept,
        "assessments": assessments,
        "valid_assessment": valid,
        "contract": contract,
        "blocking": [r for r in risks if r.is_open_high],
        "statuses": RiskStatus,
    }
    if can_work:
        context["add_form"] = RiskForm(prefix="new", initial={"owner": user.pk, "likelihood": 3, "impact": 3})
        context["edit_forms"] = [
            (
                risk,
                RiskForm(
                    prefix=f"r{risk.pk}",
                    initial={name: getattr(risk, name) for name in services.RISK_FIELDS if name != "owner"}
                    | {"owner": risk.owner_id},
                ),
            )
            for risk in risks
            if risk.status != RiskStatus.CLOSED
        ]
        context["review_form"] = ReviewForm(auto_id=False)
        context["close_form"] = CloseForm(auto_id=False)
        context["credit_form"] = CreditAssessmentForm(
            prefix="credit", initial={"assessed_on": today, "valid_until": today + timedelta(days=365)}
        )
    if can_accept:
        context["accept_form"] = AcceptForm(auto_id=False)
    return context


def risk_timers(opportunity: Any) -> Q:
    return Q(
        subject_type=ContentType.objects.get_for_model(Risk),
        subject_id__in=Risk.objects.filter(opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_timers(risk_timers)
    register_desk_section(
        DeskSection(
            key="risks",
            label=_("Risks"),
            order=85,
            template="bids/risks/desk.html",
            context=desk_context,
        )
    )

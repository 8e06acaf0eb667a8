"""The contract section of the opportunity desk (order 70): the contract, its differences
from the accepted quote (R-CON-2), the actions as forms; its review and archive timer in the
desk's Reviews and Timers tabs."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bids.contracts import selectors
from bids.contracts.choices import EDITABLE_STATUSES, ContractStatus
from bids.contracts.forms import ScanForm, SignForm
from bids.contracts.services import TERM_FIELDS
from bids.models import Contract
from opportunities.desk import DeskSection, register_desk_reviews, register_desk_section, register_desk_timers
from opportunities.permissions import can_work_opportunity


def desk_context(request, opportunity) -> dict[str, Any]:
    contract = Contract.objects.filter(opportunity=opportunity).select_related("solution_version").first()
    context: dict[str, Any] = {
        "contract": contract,
        "opportunity": opportunity,
        "can_work": can_work_opportunity(request.user, opportunity),
        "statuses": ContractStatus,
    }
    if contract is None:
        context["accepted"] = selectors.accepted_version(opportunity)
        return context
    context["lines"] = selectors.lines_of(contract)
    context["differences"] = selectors.differences(contract)
    # R-CON-1, R-CON-5: the terms, their deviations from the standard clauses, the minutes
    # and the changes during approval waiting for the customer's confirmation.
    context["terms"] = [
        (contract._meta.get_field(name).verbose_name, getattr(contract, name))
        for name in TERM_FIELDS
        if getattr(contract, name) not in (None, "")
    ]
    context["deviations"] = selectors.deviations(contract)
    context["minutes"] = selectors.minutes_of(contract)
    context["clause_changes"] = selectors.clause_changes_of(contract)
    context["editable"] = contract.status in (*EDITABLE_STATUSES, ContractStatus.IN_REVIEW)
    if contract.status == ContractStatus.APPROVED:
        context["sign_form"] = SignForm()
    if contract.status == ContractStatus.SIGNED and contract.archived_at is None:
        context["scan_form"] = ScanForm()
    return context


def contract_reviews(opportunity: Any) -> Q:
    return Q(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id__in=Contract.objects.filter(opportunity=opportunity).values("pk"),
    )


def contract_timers(opportunity: Any) -> Q:
    return Q(
        subject_type=ContentType.objects.get_for_model(Contract),
        subject_id__in=Contract.objects.filter(opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_reviews(contract_reviews)
    register_desk_timers(contract_timers)
    register_desk_section(
        DeskSection(
            key="contract",
            label=_("Contract"),
            order=70,
            template="bids/contracts/desk.html",
            context=desk_context,
        )
    )

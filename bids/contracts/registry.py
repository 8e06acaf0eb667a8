"""Everything the contracts area plugs into lower layers, called once from ``BidsConfig.ready()``:
the contract as a review subject (kind ``contract``, R-REV-4), the timer subject (the
``contract_archive`` kind is registered in presales/sla/defaults.py, R-CON-4), and the handoff
gate (R-CON-3) with its card fact."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opportunities.models import card_fact, opportunity_visibility_q, register_card_fact
from opportunities.transitions import add_guard
from presales.core.money import Money, format_money
from reviews.registry import ContentItem, ContentTable, SubjectType, register_subject_type

SIGNED = "contract_signed"


def _signed_fact():
    from bids.contracts.choices import ContractStatus
    from bids.models import Contract

    return Exists(Contract.objects.filter(opportunity=OuterRef("pk"), status=ContractStatus.SIGNED))


def contract_signed(opportunity, actor, **context) -> list[str]:
    """Into handoff (R-CON-3): the contract is approved and signed."""
    from bids.contracts.choices import ContractStatus
    from bids.models import Contract

    has = card_fact(
        opportunity,
        SIGNED,
        lambda: Contract.objects.filter(opportunity=opportunity, status=ContractStatus.SIGNED).exists(),
    )
    if not has:
        return [_("The contract must be approved and signed before the handoff (R-CON-3).")]
    return []


def amount_of(contract) -> Money:
    """The contract's amount with tax, in its currency at the rate recorded on it (R-REV-4)."""
    return Money(
        amount=contract.amount,
        currency=contract.currency,
        rate_to_cny=contract.fx_rate_to_cny,
        rate_date=contract.fx_rate_date,
    )


def _summary_of(contract) -> str:
    return str(
        gettext_lazy("%(title)s · %(customer)s · %(amount)s")
        % {
            "title": contract,
            "customer": contract.party_customer,
            "amount": format_money(contract.amount, contract.currency),
        }
    )


def _authors_of(contract) -> set[int]:
    opportunity = contract.opportunity
    return {
        pk
        for pk in (contract.created_by_id, opportunity.sales_owner_id, opportunity.presales_owner_id)
        if pk is not None
    }


def _describe(contract) -> list[ContentItem]:
    from bids.contracts import selectors
    from bids.contracts.services import TERM_FIELDS

    items = [
        ContentItem(
            label=str(contract._meta.get_field(name).verbose_name), text=str(getattr(contract, name) or "")
        )
        for name in TERM_FIELDS
        if getattr(contract, name) not in (None, "")
    ]
    rows = tuple(
        (
            line.item,
            f"{line.quantity} {line.unit}".strip(),
            str(line.unit_price),
            f"{line.tax_rate}%",
            str(line.price_incl),
            line.explanation,
        )
        for line in selectors.lines_of(contract)
    )
    items.append(
        ContentItem(
            label=str(_("Lines (%(currency)s)") % {"currency": contract.currency}),
            table=ContentTable(
                columns=(
                    str(_("Item")),
                    str(_("Quantity")),
                    str(_("Unit price")),
                    str(_("Tax rate")),
                    str(_("Amount with tax")),
                    str(_("Explanation")),
                ),
                rows=rows,
            ),
        )
    )
    items.append(ContentItem(label=str(_("Amount")), text=format_money(contract.amount, contract.currency)))
    # R-CON-5: the clauses that deviate from the standard template, for legal.
    deviations = selectors.deviations(contract)
    items.append(
        ContentItem(
            label=str(_("Clauses deviating from the standard template")),
            text="" if deviations else str(_("None: every clause is the standard text.")),
            table=ContentTable(
                columns=(str(_("Clause")), str(_("Standard text")), str(_("Contract text"))),
                rows=tuple((d.label, d.template_text, d.contract_text) for d in deviations),
            )
            if deviations
            else None,
        )
    )
    return items


def subject_type() -> SubjectType:
    from bids.contracts import services
    from bids.contracts.locks import lock_contract
    from bids.models import Contract

    return SubjectType(
        kind=services.REVIEW_KIND,
        model="bids.Contract",
        label=gettext_lazy("Contract"),
        team_of=lambda c: c.opportunity.team,
        author_of=lambda c: c.created_by,
        summary_of=_summary_of,
        url_of=lambda c: c.get_absolute_url(),
        on_approved=services.contract_on_approved,
        on_rejected=services.contract_on_rejected,
        on_cancelled=services.contract_on_cancelled,
        lock=lock_contract,
        amount_of=amount_of,
        authors_of=_authors_of,
        visible_to=lambda user: Contract.objects.filter(
            opportunity_visibility_q(user, prefix="opportunity__")
        ),
        edit_url_of=lambda c: c.get_absolute_url(),
        describe=_describe,
        content_queryset=lambda: Contract.objects.select_related("opportunity", "created_by"),
    )


def register() -> None:
    from bids.models import Contract
    from presales.sla.subjects import register_timer_subject

    register_subject_type(subject_type())
    register_timer_subject("bids.Contract", lambda: Contract.objects.select_related("opportunity"))
    register_card_fact(SIGNED, _signed_fact)
    add_guard("handoff", contract_signed)
    from bids.contracts import desk

    desk.register()

"""Builders of the payments tests (R-PAY-1): contracts drawn, approved and signed through
the services (their payment plan made by the hooks), and the records behind the API
contract and query-count tests."""

from __future__ import annotations

from decimal import Decimal

from bids.contracts import services as contracts
from bids.models import Contract, PaymentInstalment, PaymentReceipt
from bids.payments import services
from tests.bids.contracts.factories import accepted_version, sign_data
from tests.bids.contracts.test_services import _approve


def drawn_contract(actor, opportunity, *, prices=(Decimal("1000.00"),), terms: str = "") -> Contract:
    accepted_version(opportunity, prices=prices)
    return contracts.contract_create(actor=actor, opportunity=opportunity, data={"payment_terms": terms})


def signed_contract(actor, opportunity, approvers, *, prices=(Decimal("1000.00"),), terms: str = "", **sign):
    """A contract of ``opportunity`` drawn, submitted, approved by ``approvers`` and signed."""
    contract = drawn_contract(actor, opportunity, prices=prices, terms=terms)
    contract = contracts.contract_submit(actor=actor, contract=contract)
    contract = _approve(contract, approvers)
    return contracts.contract_sign(actor=actor, contract=contract, data=sign_data(**sign))


def instalments(contract) -> list[PaymentInstalment]:
    return list(PaymentInstalment.objects.filter(plan__contract=contract).order_by("position", "id"))


def quick_signed(admin, opportunity, *, single: bool = False) -> Contract:
    """A contract signed without its review (records for list tests only): drawn through the
    service, its plan made by the hook (``single``: one instalment of 100 % on signing), then
    marked signed and its due dates set."""
    from django.utils import timezone

    contract = drawn_contract(admin, opportunity)
    if single:
        first, *rest = instalments(contract)
        for instalment in rest:
            services.instalment_delete(actor=admin, instalment=instalment)
        services.instalment_update(actor=admin, instalment=first, data={"percentage": Decimal("100")})
    Contract.objects.filter(pk=contract.pk).update(
        status="signed", signing_method="seal", signed_on=timezone.localdate()
    )
    contract.refresh_from_db()
    services.plan_on_signed(contract=contract, actor=admin)
    return contract


def _opportunities(admin, team, n):
    from tests.factories import CustomerFactory, OpportunityFactory

    customer = CustomerFactory(team=team)
    return OpportunityFactory.create_batch(
        n, team=team, customer=customer, sales_owner=admin, presales_owner=admin, stage="contract"
    )


def payment_instalments(admin, team, n):
    """The one instalment each of ``n`` signed contracts."""
    return [instalments(quick_signed(admin, o, single=True))[0] for o in _opportunities(admin, team, n)]


def payment_receipts(admin, team, n):
    from django.utils import timezone

    receipts = []
    for opportunity in _opportunities(admin, team, n):
        instalment = instalments(quick_signed(admin, opportunity, single=True))[0]
        receipts.append(
            services.receipt_record(
                actor=admin,
                instalment=instalment,
                data={
                    "amount": Decimal("10.00"),
                    "received_on": timezone.localdate(),
                    "method": "bank_transfer",
                },
            )
        )
    return receipts


PAYMENTS_BUILDERS = {
    "bids.paymentinstalment": payment_instalments,
    "bids.paymentreceipt": payment_receipts,
}

__all__ = ["PAYMENTS_BUILDERS", "PaymentReceipt", "instalments", "signed_contract"]

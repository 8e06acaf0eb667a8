"""Choices of payment collection (R-PAY-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    """What makes an instalment due: a date agreed in the contract, or an event of the
    contract's life (its signing, the delivery, the customer's acceptance) plus some days."""

    FIXED_DATE = "fixed_date", _("On a fixed date")
    ON_SIGNING = "on_signing", _("On signing")
    ON_DELIVERY = "on_delivery", _("On delivery")
    ON_ACCEPTANCE = "on_acceptance", _("On acceptance")


# Events recorded by hand on the desk (the acceptance comes from the handoff area's hook, or by hand).
EVENT_TRIGGERS = frozenset({Trigger.ON_DELIVERY, Trigger.ON_ACCEPTANCE})


class InstalmentStatus(models.TextChoices):
    """Derived from the instalment's due date and what was received (never stored)."""

    WAITING = "waiting", _("Waiting for its event")
    SCHEDULED = "scheduled", _("Scheduled")
    OVERDUE = "overdue", _("Overdue")
    PART_RECEIVED = "part_received", _("Partly received")
    RECEIVED = "received", _("Received")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class ReceiptKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    REVERSAL = "reversal", _("Reversal")


class ReceivablesGroup(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    CUSTOMER = "customer", _("Customer")
    OWNER = "owner", _("Sales owner")
    TEAM = "team", _("Team")

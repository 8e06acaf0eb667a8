"""Contact cadence (R-CUST-7): how often a customer and its decision makers are contacted.

- ``customer_cadence``: one timer per customer on its owner, FIXED due at the last
  interaction recorded with the customer (else its creation) plus the cadence of its grade,
  shortened by its tier when the tier's cadence is shorter (strategic: 30 days).
- ``decision_maker_cadence``: one timer per customer that has decision-maker contacts,
  due at the last interaction whose contact or participants include one of them (else the
  first decision maker's creation) plus the decision makers' cadence (90 days).

:func:`cadence_sync` re-computes both and is called by the leads services whenever a
communication is recorded or corrected, the grade, tier or owner changes, or a decision
maker is added or re-roled; the same timer is restarted only when its due time or owner
moved. ``cadence_backfill`` (command ``backfill_cadence``, monthly beat) is idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.choices import CadenceScope, DecisionRole, Grade, Tier
from leads.models import CadencePolicy, CommunicationRecord, Contact, Customer
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.models import Timer, TimerState
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.services import timer_cancel, timer_restart, timer_start
from presales.sla.subjects import register_timer_subject

CUSTOMER_CADENCE = "customer_cadence"
DECISION_MAKER_CADENCE = "decision_maker_cadence"

# The defaults a fresh installation starts with; CadencePolicy rows override them.
DEFAULT_DAYS: dict[tuple[str, str], int] = {
    (CadenceScope.GRADE, Grade.A): 30,
    (CadenceScope.GRADE, Grade.B): 60,
    (CadenceScope.GRADE, Grade.C): 180,
    (CadenceScope.TIER, Tier.STRATEGIC): 30,
    (CadenceScope.DECISION_MAKER, ""): 90,
}


def register() -> None:
    """From ``LeadsConfig.ready()``: the two timer kinds and their subject."""
    manager = EscalationTarget.OWNER_MANAGER
    register_timer_kind(
        TimerKind(
            CUSTOMER_CADENCE,
            gettext_lazy("Customer contact cadence"),
            "R-CUST-7",
            PolicyValues(None, LimitUnit.FIXED, (72,), manager),
            gettext_lazy(
                "Due at the last interaction with the customer plus its grade's cadence (a tier "
                "may shorten it); restarted by every interaction recorded with the customer."
            ),
        )
    )
    register_timer_kind(
        TimerKind(
            DECISION_MAKER_CADENCE,
            gettext_lazy("Decision-maker contact cadence"),
            "R-CUST-7",
            PolicyValues(None, LimitUnit.FIXED, (72,), manager),
            gettext_lazy(
                "Due at the last interaction with one of the customer's decision makers plus "
                "their cadence (quarterly); restarted by an interaction they took part in."
            ),
        )
    )
    register_timer_subject("leads.Customer", lambda: Customer.objects.all())


def policy_days() -> dict[tuple[str, str], int]:
    days = dict(DEFAULT_DAYS)
    for scope, value, number in CadencePolicy.objects.values_list("scope", "value", "days"):
        days[(scope, value)] = number
    return days


def customer_cadence_days(customer: Customer, days: dict[tuple[str, str], int] | None = None) -> int:
    """The grade's cadence, shortened (never lengthened) by the tier's."""
    days = days if days is not None else policy_days()
    grade_days = days.get((CadenceScope.GRADE, customer.grade), days[(CadenceScope.GRADE, Grade.C)])
    tier_days = days.get((CadenceScope.TIER, customer.tier))
    return min(grade_days, tier_days) if tier_days else grade_days


def decision_maker_days(customer: Customer, days: dict[tuple[str, str], int] | None = None) -> int:
    days = days if days is not None else policy_days()
    dm_days = days[(CadenceScope.DECISION_MAKER, "")]
    tier_days = days.get((CadenceScope.TIER, customer.tier))
    return min(dm_days, tier_days) if tier_days else dm_days


def _decision_makers(customer: Customer):
    return Contact.objects.filter(
        customer=customer, decision_role=DecisionRole.DECISION_MAKER, erased_at__isnull=True
    )


def last_contact_at(customer: Customer) -> datetime:
    last = CommunicationRecord.objects.filter(customer=customer).aggregate(at=Max("occurred_at"))["at"]
    return last or customer.created_at


def last_decision_maker_contact_at(customer: Customer) -> datetime | None:
    """None: the customer has no decision maker."""
    makers = _decision_makers(customer)
    first = makers.aggregate(at=Min("created_at"))["at"]
    if first is None:
        return None
    last = (
        CommunicationRecord.objects.filter(customer=customer)
        .filter(Q(contact__in=makers) | Q(participant_contacts__in=makers))
        .aggregate(at=Max("occurred_at"))["at"]
    )
    return last or first


def _keep(kind: str, customer: Customer, *, due_at: datetime, reason: str) -> None:
    open_timer = Timer.objects.filter(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(Customer),
        subject_id=customer.pk,
        state=TimerState.OPEN,
    ).first()
    if open_timer is None:
        timer_start(kind=kind, subject=customer, owner=customer.owner, due_at=due_at)
    elif open_timer.due_at != due_at or open_timer.owner_id != customer.owner_id:
        timer_restart(kind=kind, subject=customer, owner=customer.owner, due_at=due_at, reason=reason)


def cadence_sync(customer: Customer, *, reason: str = "") -> None:
    """Start, restart or cancel the customer's two cadence timers to match its facts. Called
    inside the caller's transaction, with the customer's row locked by the caller."""
    if customer.merged_into_id:
        timer_cancel(kind=CUSTOMER_CADENCE, subject=customer, reason=_("Customer merged"))
        timer_cancel(kind=DECISION_MAKER_CADENCE, subject=customer, reason=_("Customer merged"))
        return
    days = policy_days()
    reason = reason or _("Contact cadence re-computed")
    last = last_contact_at(customer)
    _keep(
        CUSTOMER_CADENCE,
        customer,
        due_at=last + timedelta(days=customer_cadence_days(customer, days)),
        reason=reason,
    )
    last_dm = last_decision_maker_contact_at(customer)
    if last_dm is None:
        timer_cancel(kind=DECISION_MAKER_CADENCE, subject=customer, reason=_("No decision maker"))
    else:
        _keep(
            DECISION_MAKER_CADENCE,
            customer,
            due_at=last_dm + timedelta(days=decision_maker_days(customer, days)),
            reason=reason,
        )


def next_contact_due(customer: Customer) -> dict[str, datetime | None]:
    """The customer page's "next contact due" (R-CUST-7)."""
    due = dict(
        Timer.objects.filter(
            kind__in=[CUSTOMER_CADENCE, DECISION_MAKER_CADENCE],
            subject_type=ContentType.objects.get_for_model(Customer),
            subject_id=customer.pk,
            state=TimerState.OPEN,
        ).values_list("kind", "due_at")
    )
    return {"customer": due.get(CUSTOMER_CADENCE), "decision_maker": due.get(DECISION_MAKER_CADENCE)}


def is_overdue(due: datetime | None) -> bool:
    return due is not None and due < timezone.now()


def cadence_backfill() -> int:
    """Start or align the cadence timers of every active customer, each in its own
    transaction (idempotent: a second run changes nothing). Returns how many were checked."""
    count = 0
    for pk in Customer.objects.active().values_list("pk", flat=True).iterator():
        _sync_one(pk)
        count += 1
    return count


@transaction.atomic
def _sync_one(customer_id: int) -> None:
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is not None:
        cadence_sync(customer)

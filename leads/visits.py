"""Visit plans (拜訪計劃, R-CUST-7): planned visits become follow-up timers.

- ``visit_plan_create``: a planned visit to a customer (its contacts, our participants);
  starts the ``visit_plan`` timer on the planner, due at the planned time.
- ``visit_plan_done``: the visit was held: a communication record is created through the
  communication service (site visit, the participants, the outcome as its key points),
  which restarts the customer's contact cadence, and the timer is satisfied.
- ``visit_plan_cancel``: the timer is cancelled.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.choices import Channel, VisitStatus
from leads.models import Customer, VisitPlan
from leads.services import (
    _require_customer_edit,
    _require_not_merged,
    can_edit_customer,
    communication_create,
)
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.writes import apply_fields, check_version, save_as, validate
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.services import timer_cancel, timer_restart, timer_satisfy, timer_start
from presales.sla.subjects import register_timer_subject

VISIT_PLAN = "visit_plan"
VISIT_FIELDS = ("planned_at", "purpose")


def register() -> None:
    register_timer_kind(
        TimerKind(
            VISIT_PLAN,
            gettext_lazy("Planned customer visit"),
            "R-CUST-7",
            PolicyValues(None, LimitUnit.FIXED, (24,), EscalationTarget.OWNER_MANAGER),
            gettext_lazy(
                "Started for the planner when a visit is planned, due at the planned time; "
                "satisfied when the visit is marked done, cancelled with the plan."
            ),
        )
    )
    register_timer_subject("leads.VisitPlan", lambda: VisitPlan.objects.select_related("customer"))


PEOPLE_FIELDS = ("contacts", "participants")


def _facts(data: dict[str, Any]) -> dict[str, Any]:
    """The plan's own fields; the people are set after the row is saved."""
    return {name: value for name, value in data.items() if name not in PEOPLE_FIELDS}


def _set_people(plan: VisitPlan, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    contacts = data.get("contacts")
    users = data.get("participants")
    if contacts is not None and any(c.customer_id != plan.customer_id or c.erased_at for c in contacts):
        errors["contacts"] = [_("Choose contacts of the visited customer.")]
    if users is not None and any(not u.is_active for u in users):
        errors["participants"] = [_("This person's account is deactivated.")]
    if errors:
        raise DomainError(fields=errors)
    if contacts is not None:
        plan.contacts.set(contacts)
    if users is not None:
        plan.participants.set(users)


def _check_planned(plan: VisitPlan) -> None:
    if plan.status != VisitStatus.PLANNED:
        raise Conflict(_("This visit is no longer planned."), code="not_planned")


def _require_planner(actor: User, plan: VisitPlan) -> None:
    if actor.pk != plan.planner_id and not can_edit_customer(actor, plan.customer):
        raise NotAllowed(_("Only the planner or the customer's people can change this visit."))


@transaction.atomic
def visit_plan_create(*, actor: User, customer: Customer, data: dict[str, Any]) -> VisitPlan:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _require_customer_edit(actor, customer)
    _require_not_merged(customer)
    plan = VisitPlan(customer=customer, planner=actor)
    apply_fields(plan, _facts(data), VISIT_FIELDS)
    if plan.planned_at is not None and plan.planned_at < timezone.now() - timedelta(days=1):
        raise DomainError(fields={"planned_at": [_("A visit is planned ahead, not in the past.")]})
    validate(plan)
    save_as(plan, actor)
    _set_people(plan, data)
    timer_start(kind=VISIT_PLAN, subject=plan, owner=actor, due_at=plan.planned_at, team=customer.team)
    return plan


@transaction.atomic
def visit_plan_update(
    *, actor: User, plan: VisitPlan, data: dict[str, Any], expected_version: int | None = None
) -> VisitPlan:
    plan = VisitPlan.objects.select_for_update().select_related("customer").get(pk=plan.pk)
    _require_planner(actor, plan)
    check_version(plan, expected_version)
    _check_planned(plan)
    before = plan.planned_at
    apply_fields(plan, _facts(data), VISIT_FIELDS)
    validate(plan)
    save_as(plan, actor)
    _set_people(plan, data)
    if plan.planned_at != before:
        timer_restart(
            kind=VISIT_PLAN,
            subject=plan,
            owner=plan.planner,
            due_at=plan.planned_at,
            reason=_("Visit rescheduled"),
        )
    return plan


@transaction.atomic
def visit_plan_done(*, actor: User, plan: VisitPlan, outcome: str, occurred_at=None) -> VisitPlan:
    """The visit was held: record it as a communication (R-COMM-1, R-COMM-2) and satisfy
    the timer."""
    plan = VisitPlan.objects.select_for_update().select_related("customer").get(pk=plan.pk)
    _require_planner(actor, plan)
    _check_planned(plan)
    if not (outcome or "").strip():
        raise DomainError(fields={"outcome": [_("Say what came out of the visit.")]})
    occurred = occurred_at or min(plan.planned_at, timezone.now())
    users = list(plan.participants.all())
    if actor not in users:
        users.append(actor)
    record = communication_create(
        actor=actor,
        customer=plan.customer,
        data={
            "occurred_at": occurred,
            "channel": Channel.SITE_VISIT,
            "key_points": outcome.strip(),
            "participant_users": users,
            "participant_contacts": list(plan.contacts.all()),
        },
    )
    plan.status = VisitStatus.DONE
    plan.outcome = outcome.strip()
    plan.communication = record
    save_as(plan, actor)
    timer_satisfy(kind=VISIT_PLAN, subject=plan, at=timezone.now())
    return plan


@transaction.atomic
def visit_plan_cancel(*, actor: User, plan: VisitPlan, reason: str = "") -> VisitPlan:
    plan = VisitPlan.objects.select_for_update().select_related("customer").get(pk=plan.pk)
    _require_planner(actor, plan)
    _check_planned(plan)
    plan.status = VisitStatus.CANCELLED
    if reason.strip():
        plan.outcome = reason.strip()
    save_as(plan, actor)
    timer_cancel(kind=VISIT_PLAN, subject=plan, reason=_("Visit cancelled"))
    return plan

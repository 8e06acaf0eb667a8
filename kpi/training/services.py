"""Write use cases of training (R-KPI-1): plans per person and year, records of courses taken
(an exam score or a reflection) and of training given to sales (credited to the trainer).

Who may: a presales engineer (or manager) records their own; a presales manager also their
teams' people's; an administrator anyone's. Checked here, so the web forms, the API, the
admin and direct calls meet the same rule; after a write the record is still the writer's to
see (a manager cannot move a record to someone outside their teams)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.models import TrainingPlan, TrainingRecord
from kpi.models.training import TrainingDirection, TrainingResult
from kpi.training.selectors import people_for
from presales.accounts.models import User
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import PRESALES_ROLES, Role, scope_of
from presales.core.writes import apply_fields, check_version, save_as, validate

PLAN_FIELDS = ("person", "year", "title", "planned_hours", "courses")
RECORD_FIELDS = (
    "person",
    "direction",
    "plan",
    "course",
    "provider",
    "held_on",
    "hours",
    "result",
    "exam_score",
    "reflection",
    "audience",
    "attendee_count",
)
MIN_HOURS = Decimal("0.5")
MAX_HOURS = Decimal("500")


def can_record_for(actor: Any, person: User | None) -> bool:
    """R-KPI-1: one's own (presales roles), one's teams' people (presales manager), anyone's
    (administrator)."""
    if person is None or not getattr(actor, "is_authenticated", False) or scope_of(actor) is None:
        return False
    if actor.is_superuser or actor.has_role(Role.ADMIN):
        return True
    if person.pk == actor.pk:
        return actor.has_role(*PRESALES_ROLES)
    return actor.has_role(Role.PRESALES_MANAGER) and person.team_id in actor.team_ids


def _require(actor: Any, person: User | None) -> None:
    if person is not None and not can_record_for(actor, person):
        raise NotAllowed(_("You cannot record training for this person."))
    if person is None and not (actor.has_role(*PRESALES_ROLES, Role.ADMIN) or actor.is_superuser):
        raise NotAllowed(_("You cannot record training."))


def _person(data: Mapping[str, Any], current: User | None, actor: User) -> User:
    person = data.get("person", current)
    if person is None:
        return current or actor
    if person is not None and not isinstance(person, User):
        person = people_for(actor).filter(pk=person).first()
        if person is None:
            raise DomainError(fields={"person": [_("Choose a person whose training you may record.")]})
    return cast(User, person)


# --- plans ---------------------------------------------------------------------------------


def _write_plan(plan: TrainingPlan, actor: User, data: Mapping[str, Any]) -> TrainingPlan:
    person = _person(data, plan.person if plan.person_id else None, actor)
    _require(actor, person)
    apply_fields(plan, {k: v for k, v in data.items() if k != "person"}, PLAN_FIELDS)
    plan.person = person
    plan.title = (plan.title or "").strip()
    plan.courses = (plan.courses or "").strip()
    errors: dict[str, list[str]] = {}
    if not plan.title:
        errors["title"] = [_("This field is required.")]
    if errors:
        raise DomainError(fields=errors)
    validate(plan, exclude=["created_by"])
    save_as(plan, actor)
    return plan


@transaction.atomic
def training_plan_create(*, actor: User, data: Mapping[str, Any]) -> TrainingPlan:
    """A person's plan for a year (R-KPI-1): title, planned hours, courses."""
    _require(actor, None)
    plan = TrainingPlan(created_by=actor)
    return _write_plan(plan, actor, data)


@transaction.atomic
def training_plan_update(
    *, actor: User, plan: TrainingPlan, data: Mapping[str, Any], expected_version: int | None = None
) -> TrainingPlan:
    plan = TrainingPlan.objects.select_for_update(of=("self",)).select_related("person").get(pk=plan.pk)
    _require(actor, plan.person)
    check_version(plan, expected_version)
    new_person = getattr(data.get("person"), "pk", data.get("person", plan.person_id))
    moved = data.get("year", plan.year) != plan.year or new_person != plan.person_id
    if moved and plan.records.exists():
        raise DomainError(fields={"year": [_("Records are linked to this plan: its person and year stay.")]})
    return _write_plan(plan, actor, data)


# --- records -------------------------------------------------------------------------------


def _check_record(record: TrainingRecord) -> None:
    """The record's rules (R-KPI-1), every broken one reported at once."""
    errors: dict[str, list[str]] = {}
    record.course = (record.course or "").strip()
    record.reflection = (record.reflection or "").strip()
    record.audience = (record.audience or "").strip()
    record.provider = (record.provider or "").strip()
    if not record.course:
        errors["course"] = [_("This field is required.")]
    day = record.held_on
    if not isinstance(day, date):
        errors["held_on"] = [_("Give the date.")]
    elif day > timezone.localdate():
        errors["held_on"] = [_("The date cannot be in the future.")]
    try:
        hours = Decimal(str(record.hours)) if record.hours is not None else None
    except (InvalidOperation, ValueError):
        hours = None
    if hours is None or not MIN_HOURS <= hours <= MAX_HOURS:
        errors["hours"] = [_("Hours are between 0.5 and 500.")]
    if record.direction not in TrainingDirection.values:
        errors["direction"] = [_("Choose course taken or training given.")]
    if record.result not in TrainingResult.values:
        errors["result"] = [_("Choose the kind of result.")]
    if record.result == TrainingResult.EXAM:
        score = record.exam_score
        if score is None or not 0 <= Decimal(str(score)) <= 100:
            errors["exam_score"] = [_("An exam result needs a score from 0 to 100.")]
    elif record.exam_score is not None:
        errors["exam_score"] = [_("A score is recorded only with an exam result.")]
    if record.result == TrainingResult.REFLECTION and not record.reflection:
        errors["reflection"] = [_("A reflection result needs the reflection's text.")]
    if record.direction == TrainingDirection.GIVEN:
        if not record.audience:
            errors["audience"] = [_("Say who attended the training given.")]
        if not record.attendee_count or record.attendee_count < 1:
            errors["attendee_count"] = [_("Give the number of attendees.")]
        if record.result == TrainingResult.EXAM:
            errors["result"] = [_("Training given has no exam of the trainer.")]
    plan = record.plan
    if (
        plan is not None
        and isinstance(day, date)
        and (plan.person_id != record.person_id or plan.year != day.year)
    ):
        errors["plan"] = [_("Link a plan of the same person and year.")]
    if errors:
        raise DomainError(fields=errors)


def _plan_of(value: Any, actor: User) -> TrainingPlan | None:
    if value is None or value == "" or isinstance(value, TrainingPlan):
        return value or None
    plan = TrainingPlan.objects.filter(pk=value).first()
    if plan is None:
        raise DomainError(fields={"plan": [_("Choose an existing plan.")]})
    return plan


def _write_record(record: TrainingRecord, actor: User, data: Mapping[str, Any]) -> TrainingRecord:
    person = _person(data, record.person if record.person_id else None, actor)
    _require(actor, person)
    values = {k: v for k, v in data.items() if k != "person"}
    if "plan" in values:
        values["plan"] = _plan_of(values["plan"], actor)
    apply_fields(record, values, RECORD_FIELDS)
    record.person = person
    _check_record(record)
    validate(record, exclude=["recorded_by"])
    save_as(record, actor)
    return record


@transaction.atomic
def training_record_create(*, actor: User, data: Mapping[str, Any]) -> TrainingRecord:
    """A course taken or a training given (R-KPI-1)."""
    _require(actor, None)
    record = TrainingRecord(recorded_by=actor)
    return _write_record(record, actor, data)


@transaction.atomic
def training_record_update(
    *, actor: User, record: TrainingRecord, data: Mapping[str, Any], expected_version: int | None = None
) -> TrainingRecord:
    record = (
        TrainingRecord.objects.select_for_update(of=("self",))
        .select_related("person", "plan")
        .get(pk=record.pk)
    )
    _require(actor, record.person)
    check_version(record, expected_version)
    return _write_record(record, actor, data)

"""Helpers every app's services use: validation into DomainError, audit actor, scope checks."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.models import VersionedModel
from presales.core.roles import Actor, may_choose_any_team

# Fields that change on every save and say nothing about what a person edited.
UNTRACKED_FIELDS = frozenset({"version", "updated_at", "revision"})


def apply_fields(obj: models.Model, data: Mapping[str, Any], allowed: Collection[str]) -> None:
    """Set the fields a use case may write; any other key (a stage, a status, a typo) is a
    400 on that field, never silently ignored."""
    unknown = set(data).difference(allowed)
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    for name, value in data.items():
        setattr(obj, name, value)


def validate(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's validation (fields, constraints) and raise DomainError with fields."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(fields=exc.message_dict) from exc


class Versioned(Protocol):
    """A record with an edit counter: a ``VersionedModel``, or the SLA policy (whose
    ``version`` is also its snapshot number on timers)."""

    version: int


def save_as(obj: models.Model, actor: Actor | None, **kwargs: Any) -> None:
    """Save recording ``actor`` as the author of the audit (history) row. An existing
    versioned record gets the next version: every change, an edit or a lifecycle move, makes
    the copies read before it stale (the caller holds the row lock, so the increment is
    race-free)."""
    # django-simple-history reads this undeclared instance attribute (no stub declares it).
    obj._history_user = actor  # type: ignore[attr-defined]
    if isinstance(obj, VersionedModel) and not obj._state.adding:
        obj.version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = [*kwargs["update_fields"], "version"]
    obj.save(**kwargs)


def check_version(obj: Versioned, expected: int | None) -> None:
    """Refuse an edit built from an older read of ``obj`` (409 ``stale``). ``obj`` is the row
    the service re-read under ``select_for_update()``, so nobody can change it between this
    check and the save. ``expected`` None (a client that sends no version) is accepted, for
    the sales tools written before versions existed.

    The error carries the current version and, where the model keeps history, the fields
    changed since ``expected`` and who changed them last, when."""
    if expected is None or expected == obj.version:
        return
    extra: dict[str, Any] = {"version": obj.version}
    changes = changes_since(obj, expected)
    if changes is not None:
        extra.update(changes)
    raise Conflict(
        _(
            "This record was changed by someone else since you read it; reload it and apply your change again."
        ),
        code="stale",
        extra=extra,
    )


def changes_since(obj: Any, version: int) -> dict[str, Any] | None:
    """What changed on ``obj`` after ``version``, from its django-simple-history rows:
    ``changed_fields`` (names), ``changed_by`` (the person's name, or None) and ``changed_at``
    (ISO time) of the latest change. None when the model keeps no history or the row of
    ``version`` is not found (history kept from before versions existed)."""
    history = getattr(obj, "history", None)
    if history is None:
        return None
    rows = history.order_by("-history_date", "-history_id")
    latest = rows.first()
    seen = rows.filter(version=version).first()
    if latest is None or seen is None:
        return None
    recorded = {f.attname for f in seen._meta.concrete_fields}
    changed = sorted(
        f.name
        for f in type(obj)._meta.concrete_fields
        if f.attname in recorded
        and f.name not in UNTRACKED_FIELDS
        and getattr(latest, f.attname) != getattr(seen, f.attname)
    )
    user = latest.history_user
    return {
        "changed_fields": changed,
        "changed_by": str(user) if user is not None else None,
        "changed_at": latest.history_date.isoformat(),
    }


def delete_as(obj: models.Model, actor: Actor | None) -> None:
    """Delete ``obj`` recording ``actor`` in its history. A row other records still point
    at through a protected link (a contact a confirmation request was sent to) is refused
    with a 409 naming them, never a 500; nothing is deleted (Django collects before it
    deletes)."""
    obj._history_user = actor  # type: ignore[attr-defined]  # as in save_as
    try:
        obj.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        used_by = sorted({str(row._meta.verbose_name_plural) for row in exc.args[1]})
        raise Conflict(
            _("This record cannot be deleted: %(records)s still refer to it.")
            % {"records": ", ".join(used_by)},
            code="in_use",
        ) from exc


def ensure_still_visible(model_queryset: Any, obj: models.Model, actor: Actor) -> None:
    """After a write the object must still be inside the writer's scope (else roll back)."""
    if not model_queryset.visible_to(actor).filter(pk=obj.pk).exists():
        raise NotAllowed(
            _("The change would move this record outside what you may see."),
            code="out_of_scope",
        )


def require_team(
    actor: Actor,
    team: models.Model | int | None,
    *,
    field: str = "team",
    inherited: Collection[int | None] = (),
) -> None:
    """The team a writer files a new record under, or moves a record to, is one of their teams
    (home and managed); all-scope roles choose any team. ``inherited`` lists teams the record
    may take over from the record it comes from (an opportunity from its customer or lead), so
    a person working a record of another team can still carry it on. Otherwise the write
    would place the record outside the writer's team, which the web form never offered."""
    team_id = getattr(team, "pk", team)
    if team_id is None or may_choose_any_team(actor):
        return
    if team_id in actor.team_ids or team_id in set(inherited):
        return
    raise DomainError(fields={field: [_("Choose one of your teams.")]})


def require_role(user: Actor | None, roles: Collection[str], *, field: str, message: str) -> None:
    """``user`` (an owner being named) holds one of ``roles`` as a group, as the pickers offer
    (a superuser without the role is not offered either); else a 400 on ``field``."""
    if user is None:
        return
    if not user.roles.intersection(roles):
        raise DomainError(fields={field: [message]})

"""Helpers every app's services use: validation into DomainError, audit actor, scope checks."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Actor, may_choose_any_team


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


def save_as(obj: models.Model, actor: Actor | None, **kwargs: Any) -> None:
    """Save recording ``actor`` as the author of the audit (history) row."""
    # django-simple-history reads this undeclared instance attribute (no stub declares it).
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.save(**kwargs)


def delete_as(obj: models.Model, actor: Actor | None) -> None:
    obj._history_user = actor  # type: ignore[attr-defined]  # as in save_as
    obj.delete()


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

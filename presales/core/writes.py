"""Helpers every app's services use: validation into DomainError, audit actor, scope checks."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from presales.core.errors import DomainError, NotAllowed


def apply_fields(obj, data: Mapping, allowed: Collection[str]) -> None:
    """Set the fields a use case may write; any other key (a stage, a status, a typo) is a
    400 on that field, never silently ignored."""
    unknown = set(data).difference(allowed)
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    for name, value in data.items():
        setattr(obj, name, value)


def validate(obj, *, exclude: list[str] | None = None) -> None:
    """Run the model's validation (fields, constraints) and raise DomainError with fields."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(fields=exc.message_dict) from exc


def save_as(obj, actor, **kwargs) -> None:
    """Save recording ``actor`` as the author of the audit (history) row."""
    obj._history_user = actor
    obj.save(**kwargs)


def delete_as(obj, actor) -> None:
    obj._history_user = actor
    obj.delete()


def ensure_still_visible(model_queryset, obj, actor) -> None:
    """After a write the object must still be inside the writer's scope (else roll back)."""
    if not model_queryset.visible_to(actor).filter(pk=obj.pk).exists():
        raise NotAllowed(
            _("The change would move this record outside what you may see."),
            code="out_of_scope",
        )

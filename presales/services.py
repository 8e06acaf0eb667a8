"""Helpers every app's services use: validation into DomainError, audit actor, scope checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from presales.errors import DomainError, NotAllowed


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

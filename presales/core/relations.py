"""How a model reaches another through its foreign keys, found from the models' metadata
(no app named here): e.g. ``bids.Contract`` reaches ``leads.Customer`` by
``opportunity__customer``. Used where the core must act on "every record of a customer"
without knowing the apps (a contact's erasure withdraws the customer's generated documents,
R-CUST-8) and by the erasure steps of the apps."""

from __future__ import annotations

from collections import deque
from functools import cache

from django.apps import apps
from django.db import models

MAX_DEPTH = 4


def _forward_relations(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and isinstance(field, models.ForeignKey)  # OneToOneField is a ForeignKey
        and field.related_model is not None
    ]


def path_to(model: type[models.Model], target_label: str) -> tuple[str, bool] | None:
    """The shortest lookup from ``model`` to ``target_label`` (``"app_label.ModelName"``)
    along foreign keys, at most :data:`MAX_DEPTH` hops, and whether a row may reach no
    target at all (a nullable key on the way). ``("", False)`` for the target itself;
    ``None`` when there is no such path. Found once per pair (the models do not change)."""
    return _path_to(model._meta.label_lower, target_label.lower())


@cache
def _path_to(model_label: str, target: str) -> tuple[str, bool] | None:
    model = apps.get_model(model_label)
    if model._meta.label_lower == target:
        return "", False
    queue: deque[tuple[type[models.Model], tuple[str, ...], bool]] = deque([(model, (), False)])
    seen = {model._meta.label_lower}
    while queue:
        current, path, nullable = queue.popleft()
        if len(path) >= MAX_DEPTH:
            continue
        for field in _forward_relations(current):
            related = field.related_model
            assert related is not None and not isinstance(related, str)
            step = (*path, field.name)
            may_miss = nullable or bool(field.null)
            if related._meta.label_lower == target:
                return "__".join(step), may_miss
            if related._meta.label_lower not in seen:
                seen.add(related._meta.label_lower)
                queue.append((related, step, may_miss))
    return None

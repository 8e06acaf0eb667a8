"""How a competitor's name is cleaned and compared (R-COMP-1): used by the services and by the
data migration that turned the free-text names into records, so both agree on "the same name"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NAME_MAX = 200


def clean_name(raw: str) -> str:
    """The name as stored: trimmed, inner runs of spaces made one."""
    return " ".join(str(raw or "").split())


def name_key(name: str) -> str:
    """The comparison key: the database's uniqueness is on ``Lower(name)``."""
    return clean_name(name).lower()


def resolve_names(competitor_model: Any, names: Iterable[str], cache: dict[str, Any]) -> list[Any]:
    """The records of ``names`` (created when missing), in order, each once; ``cache`` maps
    the keys already resolved. For the data migration (historical models, no actor)."""
    found: list[Any] = []
    for raw in names:
        name = clean_name(raw)[:NAME_MAX]
        if not name:
            continue
        key = name_key(name)
        record = cache.get(key)
        if record is None:
            record = competitor_model.objects.filter(name__iexact=name).first()
            if record is None:
                record = competitor_model.objects.create(name=name)
            cache[key] = record
        if record not in found:
            found.append(record)
    return found

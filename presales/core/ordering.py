"""Sort keys shared by the API's ordering and the indexes that serve it (issue 9).

A cursor compares its first sort key with ``<``/``>``, which fails on NULL: a nullable
field is sorted through ``COALESCE(field, <a value above every stored one>)`` (NULL where
PostgreSQL puts it by default: last ascending, first descending). An index serves that
ORDER BY only if it is on the very same expression, so both are built here: the API's
``StableOrderingFilter`` annotates with :func:`null_sort_key` and a model's ``Meta.indexes``
declares ``models.Index(null_sort_key("field", models.XField()), F("id").desc(), ...)``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.functions import Coalesce


def null_last_value(field: models.Field[Any, Any]) -> Any:
    """A value above every stored one of ``field``'s type."""
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date(9000, 1, 1)
    if isinstance(field, models.DecimalField):
        return Decimal(10 ** (field.max_digits - field.decimal_places) - 1)
    if isinstance(field, models.SmallIntegerField | models.PositiveSmallIntegerField):
        return 2**15 - 1
    if isinstance(field, models.BigIntegerField | models.PositiveBigIntegerField):
        return 2**63 - 1
    if isinstance(field, models.IntegerField):
        return 2**31 - 1
    model = getattr(field, "model", None)
    raise ImproperlyConfigured(
        f"Nullable {model.__name__ if model else ''}.{field.name} cannot be a cursor sort key: "
        "declare an ordering_aliases entry with a non-null annotation."
    )


def null_sort_key(name: str, field: models.Field[Any, Any]) -> Coalesce:
    """``COALESCE(name, <last value>)``: the non-null sort key of nullable ``name``
    (``field`` is the model's field or an unbound field of the same type)."""
    return Coalesce(name, models.Value(null_last_value(field), output_field=field), output_field=field)

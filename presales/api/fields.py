"""Serializer fields shared by every app's API."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import QuerySet
from rest_framework import serializers

from presales.core.validators import date_floor_error


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to a record the requesting user may see: the queryset is restricted
    with ``visible_to(request.user)`` (and ``narrow`` when given, e.g. active customers
    only). Any other id answers 400 "does not exist" exactly like a missing one, so the API
    never confirms that a record outside the caller's scope exists. Without a request (no
    caller to scope by) nothing is visible."""

    def __init__(self, *, narrow: Callable[[QuerySet], QuerySet] | None = None, **kwargs):
        self.narrow = narrow
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        queryset = queryset.visible_to(user)
        return self.narrow(queryset) if self.narrow else queryset


class PlausibleDateTimeField(serializers.DateTimeField):
    """A datetime on or after 2000-01-01. Earlier values are refused with the field's name
    before any time-zone arithmetic, which overflows on dates such as 0001-01-01 (a 500)."""

    def enforce_timezone(self, value):
        error = date_floor_error(value)
        if error:
            raise serializers.ValidationError(error, code="date_too_early")
        return super().enforce_timezone(value)


class PlausibleDatesMixin:
    """For ModelSerializers: every model DateTimeField becomes a :class:`PlausibleDateTimeField`."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: PlausibleDateTimeField,
    }

"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from presales.core.validators import date_floor_error


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

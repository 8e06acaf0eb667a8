"""Serializer building blocks shared by every app's API.

``StrictMixin`` is on every write serializer: a key the serializer does not accept is
refused rather than silently ignored (a client must never believe it changed, say, a
stage), and the refusal comes with every other field error of the same request in one 400.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings


class StrictMixin:
    """Refuse unknown and read-only keys with a 400 that also lists every validation error.

    DRF ignores such keys and validates the rest; here the rest is still validated (fields,
    then ``validate()`` when the fields pass) and all errors are answered together, so a
    client fixes its request in one round. ``read_only_messages`` maps a field to a more
    helpful refusal (e.g. "the stage changes only through …/move/").
    """

    read_only_messages: Mapping[str, object] = {}

    def refused_keys(self, data) -> dict[str, list]:
        errors: dict[str, list] = {}
        if not isinstance(data, Mapping):
            return errors
        for key in data:
            field = self.fields.get(key)
            if field is None:
                errors[str(key)] = [_("Unknown field.")]
            elif field.read_only:
                errors[str(key)] = [self.read_only_messages.get(key, _("This field is read-only."))]
        return errors

    def run_validation(self, data=empty):
        refused = self.refused_keys(data)
        try:
            value = super().run_validation(data)
        except serializers.ValidationError as exc:
            if not refused:
                raise
            detail = exc.detail
            if not isinstance(detail, Mapping):
                detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
            raise serializers.ValidationError({**detail, **refused}) from exc
        if refused:
            raise serializers.ValidationError(refused)
        return value

"""Serializer building blocks shared by every app's API.

``StrictMixin`` is on every write serializer: a key the serializer does not accept is
refused rather than silently ignored (a client must never believe it changed, say, a
stage), and the refusal comes with every other field error of the same request in one 400.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

# The web forms' wording (presales.web.forms), kept apart: the core's api and web layers
# do not import each other.
TOO_LONG = _("Please shorten this to %(limit_value)d characters or fewer (it has %(show_value)d).")
NOT_OFFERED = _("Please choose one of the options offered.")


def humanize_field(field: serializers.Field) -> None:
    """Plain messages on one serializer field (and a list's child); custom ones are kept."""
    if isinstance(field, serializers.ListField):
        humanize_field(field.child)
    if isinstance(field, serializers.CharField) and field.max_length is not None:
        field.validators = [
            MaxLengthValidator(v.limit_value, message=TOO_LONG) if type(v) is MaxLengthValidator else v
            for v in field.validators
        ]
    if isinstance(field, serializers.ChoiceField):
        default = serializers.ChoiceField.default_error_messages["invalid_choice"]
        if field.error_messages.get("invalid_choice") == default:
            field.error_messages["invalid_choice"] = NOT_OFFERED


class StrictMixin:
    """Refuse unknown and read-only keys with a 400 that also lists every validation error.

    DRF ignores such keys and validates the rest; here the rest is still validated (fields,
    then ``validate()`` when the fields pass) and all errors are answered together, so a
    client fixes its request in one round. ``read_only_messages`` maps a field to a more
    helpful refusal (e.g. "the stage changes only through …/move/").
    """

    read_only_messages: Mapping[str, object] = {}

    def get_fields(self):
        """The fields, with the plain messages people read (issue 8) for too long a text and
        a choice that is not offered, instead of DRF's developer wording."""
        fields = super().get_fields()
        for field in fields.values():
            humanize_field(field)
        return fields

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


class BackgroundJobLinksMixin:
    """``url`` and ``download_url`` of a background job (export job, generated document):
    absolute links to its detail route and, once its state is ``done``, to its download
    route. A serializer declares ``job_route`` (the router's basename) and the two
    ``SerializerMethodField``s."""

    job_route = ""

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")  # type: ignore[attr-defined]
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, job) -> str:
        return self._absolute(reverse(f"{self.job_route}-detail", args=[job.pk]))

    def get_download_url(self, job) -> str | None:
        if job.state != "done":
            return None
        return self._absolute(reverse(f"{self.job_route}-download", args=[job.pk]))

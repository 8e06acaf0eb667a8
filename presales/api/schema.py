"""OpenAPI pieces shared by every app's API: the error contract as schema components.

The error body is ``{"code", "message", "fields"}`` (presales/api/exceptions.py); conflicts
may add ``reasons`` (a refused gate), ``move`` and ``duplicates`` (R-LEAD-2).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The error body. Built in ``get_fields`` because a declared field named ``fields``
    would shadow the serializer's own ``fields`` property."""

    def get_fields(self):
        return {
            "code": serializers.CharField(help_text=_("Stable machine-readable error code.")),
            "message": serializers.CharField(help_text=_("Human-readable message in the user's language.")),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text=_("Messages per input field; empty when the error is not about a field."),
            ),
        }


class ConflictErrorSerializer(ErrorSerializer):
    """A 409: a refused lifecycle move lists its ``reasons``; a duplicate lists candidates."""

    def get_fields(self):
        fields = super().get_fields()
        fields["reasons"] = serializers.ListField(
            child=serializers.CharField(), required=False, help_text=_("Why the move was refused.")
        )
        fields["move"] = serializers.CharField(required=False, help_text=_("The refused move."))
        fields["duplicates"] = serializers.DictField(
            required=False, help_text=_("Existing records that look like the same company or person.")
        )
        # A stale write (code "stale"): the record changed since the version the client sent.
        fields["version"] = serializers.IntegerField(
            required=False, help_text=_("The record's current version.")
        )
        fields["changed_fields"] = serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text=_("The fields changed since your version."),
        )
        fields["changed_by"] = serializers.CharField(
            required=False, allow_null=True, help_text=_("Who changed the record last.")
        )
        fields["changed_at"] = serializers.DateTimeField(required=False, help_text=_("When."))
        return fields


_DESCRIPTIONS = {
    400: _("Invalid input: see the field messages."),
    401: _("Not signed in (token or session required)."),
    403: _("Your role or position does not allow this."),
    404: _("Not found, or outside what you may see."),
    405: _("Method not allowed."),
    409: _(
        "Conflicts with the current state: a refused move (with reasons), a duplicate, or a "
        'stale version (code "stale": the record changed since you read it).'
    ),
    429: _('Too many requests: wait the seconds given in Retry-After (code "throttled").'),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """``responses={**error_responses(400, 403), 200: MySerializer}`` for ``extend_schema``."""
    return {
        code: OpenApiResponse(
            response=ConflictErrorSerializer if code == 409 else ErrorSerializer,
            description=str(_DESCRIPTIONS[code]),
        )
        for code in codes
    }

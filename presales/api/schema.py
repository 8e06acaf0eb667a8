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
    415: _("Unsupported media type: send JSON."),
    409: _(
        "Conflicts with the current state: a refused move (with reasons), a duplicate, or a "
        'stale version (code "stale": the record changed since you read it), or a change the '
        'database refused because another one raced it (code "conflict": reload and retry).'
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


_WRITES = ("post", "put", "patch", "delete")
_HTML_404 = {"schema": {"type": "string"}}


def error_codes(path: str, method: str, operation: dict) -> set[int]:
    """The error statuses an operation can answer, whatever its view declares:

    - 401, 403, 429 everywhere (authentication, role or scope, throttling);
    - 404 everywhere: a record outside the caller's scope on a detail path, and on any
      path an unknown ``?format=`` (DRF's format override);
    - 400 on writes and on operations with query parameters (filters, pages, sorting);
    - 409 on writes: a refused move, a duplicate, a ``stale`` version, or a ``conflict``
      when the database refused a concurrent change (deadlock, lock not available);
    - 415 on operations with a request body sent in another media type.
    """
    codes = {401, 403, 404, 429}
    if method in _WRITES or any(p.get("in") == "query" for p in operation.get("parameters", ())):
        codes.add(400)
    if method in _WRITES:
        codes.add(409)
    if "requestBody" in operation:
        codes.add(415)
    return codes


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents each error status it
    can answer (``error_codes``) with the error contract body; an id that does not fit the
    router's path pattern (``/customers/0.5/``) is answered by Django's HTML 404 page, so
    a 404 on a path with parameters also lists ``text/html``."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, serializer in (("Error", ErrorSerializer), ("ConflictError", ConflictErrorSerializer)):
        assert name in schemas, f"{serializer.__name__} must be used by at least one view."
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code in sorted(error_codes(path, method, operation)):
                if str(code) not in responses:
                    component = "ConflictError" if code == 409 else "Error"
                    responses[str(code)] = {
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}
                        },
                        "description": str(_DESCRIPTIONS[code]),
                    }
            if "{" in path:
                responses["404"].setdefault("content", {}).setdefault("text/html", _HTML_404)
    return result

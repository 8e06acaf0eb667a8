"""One error contract for the whole API: ``{"code", "message", "fields"}``.

A database refusal that only means another transaction raced this one for the same rows
(deadlock, serialization failure, lock not available) is a 409 "conflict" too, not a 500:
nothing was saved and the client may reload and retry. Every other database error still
fails as a 500 (and is reported).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from presales.core.errors import DomainError, concurrent_change_from, sqlstate_of

logger = logging.getLogger(__name__)


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def exception_handler(exc, context):
    conflict = concurrent_change_from(exc)
    if conflict is not None:
        # Expected now and then under load; a steady stream means a lock-order bug.
        request = context.get("request")
        logger.warning(
            "Concurrent change refused by the database (SQLSTATE %s) on %s",
            sqlstate_of(exc),
            getattr(request, "path", "?"),
            exc_info=exc,
        )
        set_rollback()
        exc = conflict
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        # Django's request limits (DATA_UPLOAD_MAX_*), met when the body is parsed: a 400 in
        # the error contract, not Django's HTML page (schemathesis, issue 8 item 19).
        exc = exceptions.ParseError(_("The request is too large: it sends too many fields, files or bytes."))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("The request is invalid; see the field messages."),
            "fields": _fields(exc.detail),
        }
    else:
        detail = getattr(exc, "detail", "")
        code = detail.code if hasattr(detail, "code") else getattr(exc, "default_code", "error")
        body = {"code": str(code), "message": str(detail), "fields": {}}
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        body["code"] = "method_not_allowed"
    response.data = body
    return response

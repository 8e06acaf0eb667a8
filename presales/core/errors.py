"""The one error type of the domain layer.

Services raise these; the API turns them into ``{"code", "message", "fields"}`` with the
right status (presales/api/exceptions.py) and web views show them as messages/form errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Bad input or a broken rule. ``fields`` maps field names to lists of messages."""

    status_code = 400
    default_code = "invalid"
    default_message = _("The request is invalid.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Iterable[str] | str] | None = None,
        reasons: Iterable[str] | None = None,
        extra: Mapping | None = None,
    ) -> None:
        self.message = str(message or self.default_message)
        self.code = code or self.default_code
        self.fields = {
            name: [str(m)] if isinstance(m, str) or not isinstance(m, Iterable) else [str(x) for x in m]
            for name, m in (fields or {}).items()
        }
        self.reasons = [str(r) for r in (reasons or [])]
        self.extra = dict(extra or {})
        super().__init__(self.message)

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message, "fields": self.fields}
        if self.reasons:
            body["reasons"] = self.reasons
        body.update(self.extra)
        return body


class NotAllowed(DomainError):
    """The actor may not do this (403)."""

    status_code = 403
    default_code = "forbidden"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    """The object does not exist or is outside the actor's scope (404)."""

    status_code = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    """The request conflicts with the current state (409): stale data, duplicates, gates."""

    status_code = 409
    default_code = "conflict"
    default_message = _("The request conflicts with the current state.")


class GateRefused(Conflict):
    """A lifecycle move was refused by its gate; ``reasons`` says why (409)."""

    default_code = "gate_refused"
    default_message = _("This move is not allowed yet.")

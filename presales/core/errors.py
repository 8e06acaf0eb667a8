"""The one error type of the domain layer.

Services raise these; the API turns them into ``{"code", "message", "fields"}`` with the
right status (presales/api/exceptions.py) and web views show them as messages/form errors.
A database error that only means "another transaction got there at the same moment"
(:func:`concurrent_change_from`) is answered the same way, as a :class:`ConcurrentChange`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import OperationalError
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


class LinkRefused(NotFound):
    """A link without an account (a customer's confirmation or survey link) opens nothing:
    unknown or tampered (404), or expired, revoked, spent or replaced (``gone``: 410), without
    saying which record it was. Apps subclass it with their own ``default_message``."""

    default_code = "link_refused"

    def __init__(self, *, gone: bool = False) -> None:
        super().__init__()
        self.gone = gone
        self.status_code = 410 if gone else 404


class Conflict(DomainError):
    """The request conflicts with the current state (409): stale data, duplicates, gates."""

    status_code = 409
    default_code = "conflict"
    default_message = _("The request conflicts with the current state.")


class GateRefused(Conflict):
    """A lifecycle move was refused by its gate; ``reasons`` says why (409)."""

    default_code = "gate_refused"
    default_message = _("This move is not allowed yet.")


class ConcurrentChange(Conflict):
    """The database refused the transaction because another one held or changed the same
    rows at the same moment (409). Nothing was saved; reloading and trying again is the way
    out. Made from the database's error by :func:`concurrent_change_from`, never raised by
    services."""

    default_message = _("Someone else changed this record at the same time; reload and try again.")


# SQLSTATEs of a transaction that lost a race for rows: deadlock_detected,
# serialization_failure, lock_not_available (SELECT ... NOWAIT, lock_timeout).
CONCURRENT_CHANGE_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a Django database error, from the driver's error it wraps
    (psycopg2 ``pgcode``, psycopg 3 ``sqlstate``)."""
    cause = exc.__cause__
    return getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)


def concurrent_change_from(exc: BaseException) -> ConcurrentChange | None:
    """The 409 to answer when ``exc`` is the database refusing a concurrent transaction
    (one of CONCURRENT_CHANGE_SQLSTATES); None for anything else, which must go on failing
    loudly."""
    if isinstance(exc, OperationalError) and sqlstate_of(exc) in CONCURRENT_CHANGE_SQLSTATES:
        return ConcurrentChange()
    return None

"""Read replica routing (issue 9): the read path for when one database machine is outgrown.

Off unless ``DATABASE_REPLICA_URL`` is set (the settings then add the ``replica`` alias and
:class:`ReplicaRouter`). What goes where:

- **writes** always go to the primary (``default``);
- **reads inside a transaction** (``transaction.atomic``: services, ``select_for_update``,
  the checks a write makes) go to the primary, so a service reads what it locks and writes;
- **reads of a safe request** (GET/HEAD/OPTIONS of a list, a page, an API list, outside any
  transaction) go to the replica; :class:`ReplicaReadsMiddleware` marks the request;
- **everything else** (POST/PUT/PATCH/DELETE requests, Celery tasks, management commands,
  the shell, a streamed response's body once the view has returned) reads the primary;
- after a write request the browser is **pinned to the primary** for ``REPLICA_PIN_SECONDS``
  (a cookie), so the page a form redirects to shows what was just saved even if the replica
  lags behind. API clients without cookies may read a lagging replica right after a write.
  A response that must set no cookie (a public page answering a POST in place, such as the
  needs confirmation link, R-NEED-3) opts out with :func:`skip_primary_pin`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "db_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SKIP_PIN = "_skip_primary_pin"

# True while a safe request is being answered by the view (per thread / task).
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_use_replica() -> bool:
    """Would a read made now go to the replica (see the module docstring)?"""
    return _replica_reads.get() and replica_configured() and not connections[PRIMARY].in_atomic_block


def skip_primary_pin(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` so the middleware sets no pin cookie on it: for a page that shows the
    result of its write itself (no redirect to a read) and must set no cookie at all."""
    setattr(response, _SKIP_PIN, True)
    return response


class ReplicaRouter:
    """Django database router: writes and transactional reads on the primary, the reads of
    safe requests on the replica. Both aliases hold the same tables; only the primary is
    migrated."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return REPLICA if reads_use_replica() else PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Marks safe requests whose browser is not pinned to the primary; pins the browser after
    a write request. Does nothing without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        token = _replica_reads.set(safe and not self._pinned(request))
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if not safe and not getattr(response, _SKIP_PIN, False):
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    @staticmethod
    def _pinned(request: HttpRequest) -> bool:
        try:
            return int(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
        except ValueError:
            return False

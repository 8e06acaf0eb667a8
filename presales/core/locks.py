"""Named locks for check-then-insert rules that no row lock can cover (the row does not
exist yet), such as "no second lead for the same company" (R-LEAD-2).

``lock_keys`` takes PostgreSQL transaction-level advisory locks, released at commit or
rollback. Callers name their keys (``"company:acme"``); the keys are hashed to 64-bit
integers here, in Python (BLAKE2b, stable across processes and versions), and taken in
ascending order of that integer, so two transactions asking for overlapping keys always
queue instead of deadlocking. Lock order, documented once: advisory keys first, then
row locks (``select_for_update``); a service that needs both takes the keys before it
re-reads its rows.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_id(key: str) -> int:
    """The signed 64-bit advisory lock id of ``key``."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_keys(*keys: str) -> None:
    """Block until this transaction holds the advisory lock of every non-empty key.

    Must run inside ``transaction.atomic`` (a lock outside a transaction would be released
    at once). Taking a key the transaction already holds is immediate (locks stack).
    """
    ids = sorted({lock_id(key) for key in keys if key})
    if not ids:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_keys() must run inside a transaction.")
    if connection.vendor != "postgresql":  # pragma: no cover - the project runs on PostgreSQL
        return
    with connection.cursor() as cursor:
        for ident in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ident])

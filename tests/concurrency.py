"""Helpers for concurrency tests against the real PostgreSQL row locks (transactional_db).

Each thread gets its own database connection (Django's connections are per thread). To make
two requests really overlap, rather than merely follow each other, one thread holds a lock
and waits until PostgreSQL shows another backend of the test database waiting for a lock:
then the other is certainly blocked behind it, and releasing the first decides the order.

- :func:`wait_until_blocked` polls ``pg_stat_activity`` for such a waiting backend;
- :class:`PauseAfterFirstLock` installs that wait in one thread right after its first row
  lock (``SELECT ... FOR UPDATE``), whichever service takes it, so a test can force "this
  one locks first" without knowing which row the code under test locks first;
- :func:`run_in_threads` runs callables in threads, each with its own connection, and returns
  what each returned or raised;
- :func:`recorded_row_locks` lists the tables a block locks rows of, in order, and
  :func:`assert_lock_order` checks them against an aggregate's documented lock order.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections

ROW_LOCK = re.compile(r"\bFOR (NO KEY )?UPDATE\b")
LOCKED_TABLE = re.compile(r'\bFROM "(\w+)"')


def another_backend_waits() -> bool:
    """One look: does another backend of this database wait for a lock right now?

    Inside a transaction PostgreSQL serves the activity view from a snapshot taken at the
    first read; it is cleared first so that a wait that began since is seen."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND pid <> pg_backend_pid()
            """
        )
        return bool(cursor.fetchone()[0])


def wait_until_blocked(timeout: float = 30.0) -> bool:
    """Poll until another backend of this database waits for a lock; False after ``timeout``
    seconds without one (the caller asserts on it: a test whose threads never overlapped
    proves nothing)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if another_backend_waits():
            return True
        time.sleep(0.01)
    return False


class PauseAfterFirstLock:
    """Make the thread that installs it take its first row lock, then hold it until another
    backend is blocked on a lock (at most ``timeout`` seconds), then go on.

    ``holding`` is set once the lock is held (or when the thread ends without taking one),
    so the other thread can start only then: that fixes the order of arrival. ``waited``
    records what :func:`wait_until_blocked` saw: ``[True]`` when the other thread really
    waited behind this one.
    """

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.holding = threading.Event()
        self.waited: list[bool] = []
        self._busy = False

    def _wrapper(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.holding.is_set() and not self._busy and ROW_LOCK.search(sql or ""):
            self._busy = True  # the polling below runs through this wrapper too
            try:
                self.holding.set()
                self.waited.append(wait_until_blocked(self.timeout))
            finally:
                self._busy = False
        return result

    @contextmanager
    def installed(self):
        """Install on the current thread's connection for the duration of the block."""
        try:
            with connection.execute_wrapper(self._wrapper):
                yield self
        finally:
            self.holding.set()


def run_in_threads(*calls: Callable[[], Any], together: bool = False, timeout: float = 90.0) -> list[Any]:
    """Run each callable in its own thread and return, in order, what each returned or the
    exception it raised. ``together``: released at the same moment by a barrier. Each thread
    closes its connections when done."""
    barrier = threading.Barrier(len(calls)) if together else None
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            if barrier is not None:
                barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as exc:  # the loser's refusal is an expected outcome
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"threads {stuck} did not finish within {timeout}s"
    return outcomes


@contextmanager
def recorded_row_locks():
    """Yield a list that receives the table of every row-locking SELECT this thread runs
    inside the block, in order (a table locked again is listed again)."""
    tables: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if ROW_LOCK.search(sql or ""):
            match = LOCKED_TABLE.search(sql)
            tables.append(match.group(1) if match else sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield tables


def assert_lock_order(tables: list[str], order: list[str]) -> None:
    """Every locked table is in ``order``, and the tables are first locked in that order.
    A table locked again later is allowed: the callbacks re-lock the rows their caller holds
    (free, it never waits); a different row of an earlier table locked late would slip
    through, which this check accepts as its limit."""
    unknown = sorted({t for t in tables if t not in order})
    assert not unknown, f"locks outside the documented order {order}: {unknown} (all: {tables})"
    first = list(dict.fromkeys(tables))
    assert first == sorted(first, key=order.index), f"locks taken out of order {order}: {tables}"

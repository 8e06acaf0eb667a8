"""Benchmark: the timer sweep costs what the due timers cost, not what the table holds.

For each size N (default 10k, 100k, 1M; ``--sizes 10000,100000`` to choose) the script
fills its own database with N open timers, of which ``--due`` (default 10k) have a reminder
due now, then runs the real sweep service (claim with SKIP LOCKED, notifications created,
deliveries recorded; the Celery enqueue replaced by a counting function) and prints per N:
the load time, the sweep's total time, the time per due timer and the ratio against the
smallest N, plus the plan of the claim query (it must use the partial index
``timer_next_action_open``).

Run:  make bench        (or)  DJANGO_SETTINGS_MODULE=presales.settings.test python bench/timers.py
The database is ``BENCH_DATABASE_URL`` or, by default, ``DATABASE_URL``'s name + ``_bench``
(``presales`` → ``presales_bench``; created if missing, tables by ``migrate``). Its timers,
notifications and leads are emptied between sizes: never point it at a database in use.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings.test")


def bench_database_url() -> str:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/presales")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'presales'}_bench"))


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated N values")
    parser.add_argument("--due", type=int, default=10_000, help="timers due at sweep time (per N)")
    parser.add_argument("--batch", type=int, default=200, help="sweep batch size")
    parser.add_argument(
        "--repeat", type=int, default=3, help="sweeps per size on reset data; the median is reported"
    )
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    if any(n < args.due for n in sizes):
        parser.error("every size must be at least --due")

    url = bench_database_url()
    ensure_database(url)
    os.environ["DATABASE_URL"] = url

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(f"database: {urlsplit(url).path.lstrip('/')} on {urlsplit(url).hostname}; due per size: {args.due}")
    rows = [run_size(n, args.due, args.batch, args.repeat) for n in sizes]
    base = rows[0]["sweep"]
    print()
    print("sweep = median of the runs (min .. max); ratio of medians against the smallest N")
    print(
        f"{'N timers':>10} {'due':>7} {'load s':>8} {'sweep s':>8} {'range s':>13} {'ms/due':>7} {'vs smallest':>11}"
    )
    for row in rows:
        spread = f"{min(row['runs']):.2f}..{max(row['runs']):.2f}"
        print(
            f"{row['n']:>10,} {row['due']:>7,} {row['load']:>8.1f} {row['sweep']:>8.2f} {spread:>13} "
            f"{row['sweep'] * 1000 / row['due']:>7.3f} {row['sweep'] / base:>10.2f}x"
        )


def run_size(n: int, due: int, batch: int, repeat: int) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from leads.models import Lead
    from presales.accounts.models import Team, User
    from presales.sla.defaults import LEAD_FIRST_CONTACT
    from presales.sla.models import Delivery, Notification, Timer
    from presales.sla.selectors import active_policy
    from presales.sla.sweep import due_timers, sweep

    print(f"\n== N = {n:,} open timers, {due:,} due")
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE presales_delivery, presales_notification, presales_timer, "
            "leads_historicallead, leads_lead RESTART IDENTITY CASCADE"
        )
    team, _created = Team.objects.get_or_create(name="Bench team")
    owner, _created = User.objects.get_or_create(
        username="bench_owner", defaults={"email": "owner@bench.example", "team": team, "language": "en"}
    )
    manager, _created = User.objects.get_or_create(
        username="bench_manager", defaults={"email": "manager@bench.example", "team": team, "language": "en"}
    )
    team.manager = manager
    team.save()

    now = timezone.now()
    started = time.perf_counter()
    # The due timers are on real leads (labels and links are built as in production).
    Lead.objects.bulk_create(
        [
            Lead(
                source="website",
                company_name=f"Bench Company {i}",
                contact_name="Bench",
                phone=f"1390000{i:05d}",
                received_at=now - timedelta(hours=21),
                first_contact_due_at=now + timedelta(hours=3),
                team=team,
                owner=owner,
            )
            for i in range(due)
        ],
        batch_size=5000,
    )
    lead_ids = list(Lead.objects.order_by("pk").values_list("pk", flat=True))
    lead_type = ContentType.objects.get_for_model(Lead)
    snapshot = active_policy(LEAD_FIRST_CONTACT).as_snapshot()
    snapshot.update(limit_value=24, limit_unit="hours", reminder_hours=[4], escalate_to="owner_manager")
    policy = json.dumps(snapshot)
    columns = (
        "kind, subject_type_id, subject_id, owner_id, team_id, state, started_at, due_at, policy, "
        "policy_version, context, next_action_at, reminders_sent, escalations_sent, cancel_reason, created_at"
    )

    def line(subject_id: int, start, due_at, next_at) -> str:
        return "\t".join(
            [
                LEAD_FIRST_CONTACT,
                str(lead_type.pk),
                str(subject_id),
                str(owner.pk),
                str(team.pk),
                "open",
                start.isoformat(),
                due_at.isoformat(),
                policy.replace("\\", "\\\\"),
                "1",
                "{}",
                next_at.isoformat(),
                "0",
                "0",
                "",
                start.isoformat(),
            ]
        )

    # Rows go in with COPY, in chunks: due timers first (reminder due a minute ago), then
    # the rest spread over the next 30 days (their subjects need not exist for the sweep).
    chunk = 100_000
    written = 0
    with connection.cursor() as cur:
        raw = cur.cursor
        while written < n:
            buffer = io.StringIO()
            for i in range(written, min(n, written + chunk)):
                if i < due:
                    start = now - timedelta(hours=21)
                    buffer.write(
                        line(lead_ids[i], start, start + timedelta(hours=24), now - timedelta(minutes=1))
                    )
                else:
                    later = now + timedelta(minutes=5 + (i * 7919) % (30 * 24 * 60))
                    buffer.write(line(10_000_000 + i, now, later + timedelta(hours=4), later))
                buffer.write("\n")
            buffer.seek(0)
            raw.copy_expert(f"COPY presales_timer ({columns}) FROM STDIN", buffer)
            written = min(n, written + chunk)
        cur.execute("VACUUM ANALYZE presales_timer")
    load = time.perf_counter() - started
    print(f"loaded in {load:.1f} s")

    with transaction.atomic():
        claim = (
            due_timers(now).select_related("owner", "team").select_for_update(skip_locked=True, of=("self",))
        )
        plan = claim[:batch].explain(analyze=True, buffers=True)
        transaction.set_rollback(True)
    print("claim query plan (EXPLAIN ANALYZE of one batch):")
    for text in plan.splitlines():
        print("   ", text)
    if "timer_next_action_open" not in plan:
        raise SystemExit("the claim query does not use the partial index timer_next_action_open")

    runs = []
    for attempt in range(repeat):
        if attempt:
            reset_due(now, due)
        enqueued = 0

        def count(_delivery_id: int) -> None:
            nonlocal enqueued
            enqueued += 1

        started = time.perf_counter()
        result = sweep(now=now, batch_size=batch, enqueue=count)
        elapsed = time.perf_counter() - started
        runs.append(elapsed)
        left = Timer.objects.filter(state="open", next_action_at__lte=now).count()
        print(
            f"sweep {attempt + 1}: {elapsed:.2f} s for {result.timers:,} timers in {result.batches} batches; "
            f"{Notification.objects.count():,} notifications, {Delivery.objects.count():,} deliveries, "
            f"{enqueued:,} enqueued; {left} due left"
        )
        if result.timers != due or enqueued != due or left:
            raise SystemExit("the sweep did not process exactly the due timers")
    return {"n": n, "due": due, "load": load, "sweep": statistics.median(runs), "runs": runs}


def reset_due(now, due: int) -> None:
    """Make the same timers due again for another run (fresh notification tables)."""
    from datetime import timedelta

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE presales_delivery, presales_notification RESTART IDENTITY CASCADE")
        cur.execute(
            "UPDATE presales_timer SET reminders_sent = 0, reminded_at = NULL, next_action_at = %s WHERE id <= %s",
            [now - timedelta(minutes=1), due],
        )
        cur.execute("VACUUM ANALYZE presales_timer")


if __name__ == "__main__":
    main()

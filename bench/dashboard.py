"""The dashboard's "Reviews waiting for you" panel at scale: the dashboard page timed (best
of five, Django test client) with its query count, as the general manager and a team's
presales manager, and the panel's queries EXPLAINed, on a ``bench/kpi.py`` database.

    python bench/dashboard.py [--size 1m] [--migrate]

Reuses ``presales_bench_kpi_<size>`` as ``bench/kpi.py`` left it (nothing is rebuilt);
``--migrate`` applies pending migrations first (new indexes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings.test")

USERS = (("gm", 901), ("manager", 1350), ("director", 900))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m")
    parser.add_argument("--migrate", action="store_true")
    args = parser.parse_args()
    from bench.kpi import database_url

    os.environ["DATABASE_URL"] = database_url(args.size)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from presales.accounts.models import User

    if args.migrate:
        call_command("migrate", verbosity=0, interactive=False)
    settings.ALLOWED_HOSTS = ["*"]
    print(f"size {args.size}: page | best ms | queries | pending tasks")
    for label, user_id in USERS:
        user = User.objects.get(pk=user_id)
        client = Client()
        client.force_login(user)
        best = float("inf")
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get("/")
                best = min(best, (time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        pending = user.review_tasks.filter(state="pending").count()
        print(f"dashboard ({label}) | {best:.1f} | {len(queries)} | {pending}")
    print()
    from reviews import selectors

    for label, user_id in USERS[:2]:
        user = User.objects.get(pk=user_id)
        panel = getattr(selectors, "longest_waiting", None)
        if panel is not None:
            from reviews.models import ReviewTask

            first = (
                ReviewTask.objects.filter(approver=user.pk, state="pending")
                .order_by("opened_at", "review_id")
                .values("review_id")[:5]
            )
            query = selectors.Review.objects.in_progress().filter(pk__in=first).order_by("started_at")
        else:
            query = selectors.inbox_for(user)[:5]
        print(f"--- EXPLAIN ANALYZE panel reviews ({label})")
        print(query.explain(analyze=True))


if __name__ == "__main__":
    main()

"""The managers' analytics at scale (R-KPI-3): each chart's API answer and the pages, timed at
10k and 1M opportunities, as a team-scoped presales manager and as the general manager.

    python bench/kpi.py [--sizes 10k,1m] [--period 2026-11] [--rebuild]

Each size has its own database (``presales_bench_kpi_<size>`` next to ``DATABASE_URL``): it is
filled by ``bench/scale_data.py`` (teams, people, customers, leads, opportunities, reviews,
timers) when empty or with ``--rebuild``, then this script adds what the analytics read: the
stage history of every opportunity along the lifecycle (a lost or abandoned one went part of
the way first), the review tasks' scores and the survey answers (one presales-service survey
per handed-off opportunity, three scored answers each), and migrates (the indexes). Never point
it at a database in use: its tables are emptied.

Timings are the best of three through the Django test client (the full request: view,
selectors, template or JSON), printed as a table: page, 10k ms, 1M ms, ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings.test")

MANAGER_ID = 1350  # the presales manager of one regional team (team 4): team scope
GM_ID = 901
CHARTS = (
    "funnel",
    "conversion",
    "win-rate",
    "cycle-time",
    "forecast",
    "overdue-timers",
    "receivables",
    "review-turnaround",
    "trends",
)
LIFECYCLE = "ARRAY['lead_intake','needs_analysis','solution','review','demo','bid','contract','handoff']"


def database_url(size: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/presales_bench")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/presales_bench_kpi_{size}"))


EXTRAS = [
    (
        "empty the analytics' tables",
        "TRUNCATE presales_stagechange, kpi_surveyanswer, kpi_survey, kpi_surveytemplate RESTART IDENTITY CASCADE",
    ),
    (
        "stage changes",
        f"""
        INSERT INTO presales_stagechange (from_stage, to_stage, move, note, details, at, actor_id, opportunity_id,
            note_code, note_params)
        SELECT ({LIFECYCLE})[k],
               CASE WHEN k = o.r AND o.stage IN ('lost', 'abandoned') THEN o.stage ELSE ({LIFECYCLE})[k + 1] END,
               'advance', '', '{{}}'::jsonb,
               o.created_at + (o.stage_entered_at - o.created_at) * k / o.r,
               o.sales_owner_id, o.id, '', '{{}}'::jsonb
        FROM (SELECT id, stage, created_at, stage_entered_at, sales_owner_id,
                     CASE WHEN stage IN ('lost', 'abandoned') THEN 1 + id % 6
                          ELSE array_position({LIFECYCLE}, stage::text) - 1 END AS r
              FROM presales_opportunity) o,
             generate_series(1, o.r) AS k
        """,
    ),
    (
        "review scores",
        """UPDATE reviews_reviewtask SET scores = jsonb_build_object('quality', 1 + id % 5,
           'feasibility', 1 + (id / 5) % 5) WHERE state IN ('approved', 'rejected')""",
    ),
    (
        "survey template",
        """INSERT INTO kpi_surveytemplate (id, created_at, updated_at, version, name, purpose, is_default,
           is_active, intro_en, intro_zh_hans, intro_zh_hant)
           VALUES (1, now(), now(), 1, '售前服务满意度', 'presales_service', true, true, '', '', '')""",
    ),
    (
        "surveys",
        """INSERT INTO kpi_survey (id, created_at, updated_at, version, purpose, language, questions, status,
           nonce, sent_at, expires_at, answered_at, channel, comment, opportunity_id, rated_user_id, team_id,
           template_id)
           SELECT o.id, o.closed_at, o.closed_at, 1, 'presales_service', 'zh-hans', '[]'::jsonb, 'answered',
                  md5(o.id::text), o.closed_at, o.closed_at + interval '30 days',
                  o.closed_at + interval '3 days', 'link', '', o.id, o.presales_owner_id, o.team_id, 1
           FROM presales_opportunity o WHERE o.stage = 'handoff'""",
    ),
    (
        "survey answers",
        """INSERT INTO kpi_surveyanswer (code, measure, score, text, answered_at, rated_user_id, survey_id, team_id)
           SELECT m.code, m.measure, 1 + (s.id * m.n) % 5, '', s.answered_at, s.rated_user_id, s.id, s.team_id
           FROM kpi_survey s,
                (VALUES ('satisfaction', 'satisfaction', 3), ('quality', 'quality', 7),
                        ('collaboration', 'collaboration', 11)) AS m(code, measure, n)""",
    ),
    (
        "sequences",
        """SELECT setval(pg_get_serial_sequence('kpi_survey', 'id'), coalesce((SELECT max(id) FROM kpi_survey), 1));
           SELECT setval(pg_get_serial_sequence('kpi_surveytemplate', 'id'), 1)""",
    ),
]


def build(size: str, rebuild: bool) -> None:
    """Fill the size's database (scale data when missing), add the analytics' rows, migrate."""
    import psycopg2

    from bench.scale_data import ensure_database, generate

    url = database_url(size)
    ensure_database(url)
    conn = psycopg2.connect(url)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT to_regclass('bench_scale_objects') IS NOT NULL")
    filled = cur.fetchone()[0]
    if filled:
        cur.execute("SELECT value FROM bench_scale_objects WHERE label = 'size'")
        row = cur.fetchone()
        filled = bool(row)
    conn.close()
    if rebuild or not filled:
        generate(size, database_url=url)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    t0 = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"[{size}] migrated in {time.monotonic() - t0:.1f}s", flush=True)
    conn = psycopg2.connect(url)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET synchronous_commit = off; SET maintenance_work_mem = '256MB'; SET work_mem = '64MB'")
    # A bulk load: the analytics' change-mark triggers (and foreign-key checks) are off; the
    # summary is rebuilt whole below.
    cur.execute("SET session_replication_role = replica")
    for label, statement in EXTRAS:
        t0 = time.monotonic()
        cur.execute(statement)
        print(f"[{size}] {label}: {max(cur.rowcount, 0)} rows, {time.monotonic() - t0:.1f}s", flush=True)
    t0 = time.monotonic()
    cur.execute("VACUUM ANALYZE")
    print(f"[{size}] VACUUM ANALYZE {time.monotonic() - t0:.1f}s", flush=True)
    conn.close()
    refresh(size)


def refresh(size: str) -> None:
    """Rebuild the analytics' summary whole as the nightly task does, then bring it up to
    date as the 15-minute task does (nothing changed), and time both."""
    from kpi.analytics.summary import refresh_summary

    t0 = time.monotonic()
    rows = refresh_summary(full=True)
    print(f"[{size}] analytics summary rebuilt: {rows} rows in {time.monotonic() - t0:.1f}s", flush=True)
    t0 = time.monotonic()
    rows = refresh_summary()
    print(f"[{size}] analytics summary refreshed: {rows} rows in {time.monotonic() - t0:.1f}s", flush=True)


def measure(size: str, period: str) -> dict[str, float]:
    """Best of three per page and user, in ms (run in a process whose DATABASE_URL is the size's)."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from presales.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    pages = [
        ("page", f"/kpi/analytics/?period={period}"),
        ("overview", f"/kpi/analytics/overview/?period={period}"),
    ]
    pages += [(f"api {chart}", f"/api/v1/analytics/{chart}/?period={period}") for chart in CHARTS]
    pages += [("dashboard", "/")]
    results: dict[str, float] = {}
    for label, user_id in (("manager", MANAGER_ID), ("gm", GM_ID)):
        client = Client()
        client.force_login(User.objects.get(pk=user_id))
        for name, url in pages:
            if name == "overview" and label != "gm":
                continue  # the general manager's page
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{url} as {label}: {response.status_code}")
                best = min(best, elapsed)
            results[f"{name} ({label})"] = best
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,1m")
    parser.add_argument("--period", default="2026-11")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the scale data too")
    parser.add_argument("--skip-build", action="store_true", help="time the databases as they are")
    parser.add_argument("--worker", choices=["build", "refresh", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "build":
        build(args.size, args.rebuild)
        return
    if args.worker == "refresh":
        os.environ["DATABASE_URL"] = database_url(args.size)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        refresh(args.size)
        return
    if args.worker == "measure":
        os.environ["DATABASE_URL"] = database_url(args.size)
        print(json.dumps(measure(args.size, args.period)))
        return
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    figures: dict[str, dict[str, float]] = {}
    for size in sizes:
        # Each size in its own process: Django's connection is configured once per process.
        if not args.skip_build:
            command = [sys.executable, __file__, "--worker", "build", "--size", size]
            subprocess.run(command + (["--rebuild"] if args.rebuild else []), check=True, cwd=ROOT)
        else:
            subprocess.run(
                [sys.executable, __file__, "--worker", "refresh", "--size", size], check=True, cwd=ROOT
            )
        env = {**os.environ, "DATABASE_URL": database_url(size)}
        out = subprocess.run(
            [sys.executable, __file__, "--worker", "measure", "--size", size, "--period", args.period],
            check=True,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
        figures[size] = json.loads(out.strip().splitlines()[-1])
    names = list(figures[sizes[0]])
    header = ["page", *[f"{s} ms" for s in sizes]] + (["ratio"] if len(sizes) > 1 else [])
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name in names:
        cells = [name, *[f"{figures[s][name]:.1f}" for s in sizes]]
        if len(sizes) > 1:
            cells.append(f"{figures[sizes[-1]][name] / max(figures[sizes[0]][name], 0.001):.2f}")
        print(" | ".join(cells))


if __name__ == "__main__":
    main()

"""Scale benchmark (issue 9): every API list and main page, app against its SQL floor.

    python bench/scale.py --sizes 10k,100k --repeat 20 [--reuse] [--only PATTERN] [--json out.json]

For each size (10k, 100k, 1m opportunities; see bench/scale_data.py) the script

1. generates the data into its own database (``<DATABASE_URL name>_<size>``), unless ``--reuse``
   finds it already generated;
2. captures, in a Django process with the production settings, every endpoint once per bench
   user through the test client: status, the number of queries, and the SQL statements with
   their literal values (``CaptureQueriesContext``);
3. starts the app under gunicorn (``presales.settings.production``, the HTTPS redirect satisfied
   by the ``X-Forwarded-Proto`` header the settings trust) and the floor (bench/floor.py: the
   captured reads replayed through psycopg2, rows answered as JSON) under gunicorn with the
   same number of workers, and times each endpoint ``--repeat`` times, app and floor requests
   interleaved (an endpoint stops early once it has used ``--budget`` seconds; its first
   sample is dropped as a warm-up when there are three or more);
4. measures the throughput knee of the opportunity list (requests/s at 1, 2, 4, 8, 16
   concurrent clients, app and floor) and the workers' memory (RSS) before and after.

It prints one table per size (p50/p95 app and floor, app/floor ratio, queries, response size,
status) and, with two sizes or more, the growth of each endpoint's p50 (last size / first).
HTML pages over 1 MB are flagged. Not a test: nothing is asserted.

Users (``--users``, labels of bench_scale_users): ``team`` (a team-scoped engineer) gets every
filter and ordering of every API list; the others get each list and page unfiltered plus the
searches. Default ``team,admin``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_data import SIZES, database_url_for  # noqa: E402

SECRET_KEY = "bench-scale-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
HOST = "127.0.0.1"
KNEE_CONCURRENCY = (1, 2, 4, 8, 16)
HTML_LIMIT = 1_000_000


def app_env(url: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "presales.settings.production",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": url,
            "STATIC_ROOT": static_root,
            # The API rate limits would answer 429 to a benchmark.
            "API_THROTTLE_USER": "100000000/minute",
            "API_THROTTLE_ANON": "100000000/minute",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


# --- capture (runs in a child process with Django set up) -----------------------------------


def _filter_value(name, flt, ctx):
    """A plausible value of one filter of a FilterSet, or None to skip it."""
    import django_filters as df

    if name == "q":
        return ctx["common_term"]
    if "need_tag" in name:
        return None
    if isinstance(flt, df.BooleanFilter):
        return "true"
    if isinstance(flt, df.ModelChoiceFilter | df.ModelMultipleChoiceFilter):
        if "team" in name:
            return str(ctx["team_id"])
        if "customer" in name:
            return str(ctx["customer"])
        if "opportunity" in name:
            return str(ctx["opportunity"])
        if "lead" in name:
            return None
        return str(ctx["user_id"])
    if isinstance(flt, df.ChoiceFilter | df.MultipleChoiceFilter):
        choices = flt.extra.get("choices") or []
        if callable(choices):
            choices = choices()
        values = [c[0] for c in choices if c[0] not in ("", None)]
        return str(values[len(values) // 2]) if values else None
    if isinstance(flt, df.DateTimeFilter):
        return (date.today() - timedelta(days=180)).isoformat() + "T00:00:00"
    if isinstance(flt, df.DateFilter):
        return (date.today() - timedelta(days=180)).isoformat()
    if isinstance(flt, df.NumberFilter):
        return "100000"
    if isinstance(flt, df.CharFilter):
        return "上海"
    return None


def _api_routes():
    """(name, path, viewset class, action) of every GET route without a pk under /api/v1/."""
    from django.urls import URLPattern, URLResolver, reverse

    import presales.api.urls

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p

    seen = set()
    for p in walk(presales.api.urls.urlpatterns):
        actions = getattr(p.callback, "actions", None)
        cls = getattr(p.callback, "cls", None)
        if not actions or "get" not in actions or p.pattern.regex.groupindex or p.name in seen:
            continue
        seen.add(p.name)
        yield p.name, reverse(p.name), cls, actions["get"]


def build_endpoints(ctx_by_user: dict, objects: dict) -> list[dict]:
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    endpoints: list[dict] = []

    def add(user, kind, name, path):
        endpoints.append({"user": user, "kind": kind, "name": name, "path": path})

    for user, ctx in ctx_by_user.items():
        full = user == "team"
        for name, path, cls, action in _api_routes():
            label = name.removesuffix("-list")
            if action == "export" or name.endswith("-export"):
                # Synchronous only when small: the rare name keeps the CSV below the limit.
                add(user, "api", f"api {label} ?q=rare", path + "?" + urlencode({"q": ctx["rare_term"]}))
                continue
            add(user, "api", f"api {label}", path)
            if action != "list":
                continue
            fs = getattr(cls, "filterset_class", None)
            if fs is not None and "q" in fs.base_filters:
                add(user, "api", f"api {label} ?q=rare", path + "?" + urlencode({"q": ctx["rare_term"]}))
                add(user, "api", f"api {label} ?q=common", path + "?" + urlencode({"q": ctx["common_term"]}))
            if not full:
                continue
            if fs is not None:
                for fname, flt in fs.base_filters.items():
                    if fname == "q":
                        continue
                    value = _filter_value(fname, flt, ctx)
                    if value is not None:
                        add(user, "api", f"api {label} ?{fname}", path + "?" + urlencode({fname: value}))
            for field in getattr(cls, "ordering_fields", None) or ():
                add(
                    user,
                    "api",
                    f"api {label} ?ordering=-{field}",
                    path + "?" + urlencode({"ordering": f"-{field}"}),
                )

        pages = [
            ("web dashboard", "dashboard", None, {}),
            ("web board", "opportunities:board", None, {}),
            ("web opportunity list", "opportunities:list", None, {}),
            ("web customer list", "leads:customer_list", None, {}),
            ("web lead list", "leads:lead_list", None, {}),
            ("web deadlines", "sla:deadlines", None, {}),
            ("web team deadlines", "sla:team_deadlines", None, {}),
            ("web review inbox", "reviews:inbox", None, {}),
            ("web review list", "reviews:list", None, {}),
            ("web notifications", "sla:notifications", None, {}),
            ("web export jobs", "exports:list", None, {}),
            ("web customer detail", "leads:customer_detail", objects.get("customer"), {}),
            ("web opportunity detail", "opportunities:detail", objects.get("opportunity"), {}),
            ("web search customers rare", "leads:customer_list", None, {"q": ctx["rare_term"]}),
            ("web search customers common", "leads:customer_list", None, {"q": ctx["common_term"]}),
            ("web search opportunities rare", "opportunities:list", None, {"q": ctx["rare_term"]}),
            ("web search opportunities common", "opportunities:list", None, {"q": ctx["common_term"]}),
            ("web search leads rare", "leads:lead_list", None, {"q": ctx["rare_term"]}),
            ("web search board rare", "opportunities:board", None, {"q": ctx["rare_term"]}),
        ]
        for label, urlname, pk, query in pages:
            try:
                path = reverse(urlname, args=[pk] if pk else [])
            except NoReverseMatch:
                continue
            add(user, "web", label, path + ("?" + urlencode(query) if query else ""))
    for i, ep in enumerate(endpoints):
        ep["key"] = f"e{i}"
    return endpoints


def capture(url: str, out: str, users: list[str], only: str | None) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from presales.accounts.models import User

    with connection.cursor() as cur:
        cur.execute("SELECT label, username FROM bench_scale_users")
        usernames = dict(cur.fetchall())
        cur.execute("SELECT label, value FROM bench_scale_objects")
        objects = dict(cur.fetchall())
    clients, sessions, ctx_by_user = {}, {}, {}
    for label in users:
        user = User.objects.get(username=usernames[label])
        client = Client(HTTP_HOST=HOST)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        clients[label] = client
        sessions[label] = client.cookies["sessionid"].value
        ctx_by_user[label] = {
            "user_id": user.pk,
            "team_id": user.team_id,
            "customer": objects.get("customer"),
            "opportunity": objects.get("opportunity"),
            "rare_term": objects["rare_term"],
            "common_term": objects["common_term"],
        }
    endpoints = build_endpoints(ctx_by_user, objects)
    if only:
        endpoints = [e for e in endpoints if re.search(only, f"{e['name']} {e['user']}")]
    for ep in endpoints:
        client = clients[ep["user"]]
        headers: dict[str, Any] = {"HTTP_HOST": HOST}
        if ep["kind"] == "api":
            headers["HTTP_ACCEPT"] = "application/json"
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(ep["path"], secure=True, **headers)
            body = (
                b"".join(getattr(response, "streaming_content", []))
                if response.streaming
                else response.content
            )
            elapsed = time.perf_counter() - started
        statements = [q["sql"] for q in ctx.captured_queries]
        ep.update(
            status=response.status_code,
            queries=len(statements),
            # The floor replays the reads; session and history writes are not part of a list.
            statements=[s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))],
            inprocess_ms=round(elapsed * 1000, 1),
            size=len(body),
        )
        print(
            f"  captured {ep['user']:6} {ep['name']:50} {response.status_code} {len(statements):4}q "
            f"{elapsed * 1000:8.0f} ms",
            flush=True,
        )
    Path(out).write_text(json.dumps({"sessions": sessions, "endpoints": endpoints}, ensure_ascii=False))


# --- serving and timing ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(app: str, env: dict, workers: int, threads: int, timeout: int, chdir: Path, log: Path):
    port = free_port()
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        app,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--chdir",
        str(chdir),
        "--forwarded-allow-ips",
        "*",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn {app} exited; see {log}") from None
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"gunicorn {app} did not start; see {log}")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def worker_rss_mb(master_pid: int) -> list[float]:
    """RSS of each child of a gunicorn master, in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != master_pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return sorted(sizes)


def request(port: int, path: str, headers: dict, timeout: float) -> tuple[int, int, float]:
    """(status, body size, seconds) of one GET on a new connection."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body), time.perf_counter() - started
    except (TimeoutError, OSError, http.client.HTTPException):
        return 0, 0, time.perf_counter() - started
    finally:
        conn.close()


def app_headers(session: str, kind: str) -> dict:
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Cookie": f"sessionid={session}"}
    if kind == "api":
        headers["Accept"] = "application/json"
    return headers


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def knee(port: int, path: str, headers: dict, concurrency: int, seconds: float, timeout: float) -> float:
    done = [0] * concurrency
    stop_at = time.monotonic() + seconds

    def run(i):
        while time.monotonic() < stop_at:
            status, _size, _t = request(port, path, headers, timeout)
            if status == 200:
                done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def run_size(size: str, args, workdir: Path) -> dict:
    url = database_url_for(size, args.database_url)
    if not (args.reuse and _generated(url)):
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "scale_data.py"), "--size", size, "--database-url", url],
            check=True,
        )
    static_root = workdir / "static"
    env = app_env(url, str(static_root))
    if not (static_root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
        )
    cap_file = workdir / f"capture_{size}.json"
    print(f"[{size}] capturing the SQL of every endpoint (in-process, production settings)", flush=True)
    cmd = [sys.executable, __file__, "--_capture", url, str(cap_file), "--users", args.users]
    if args.only:
        cmd += ["--only", args.only]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)
    captured = json.loads(cap_file.read_text())
    endpoints, sessions = captured["endpoints"], captured["sessions"]
    floor_file = workdir / f"floor_{size}.json"
    floor_file.write_text(json.dumps({e["key"]: e["statements"] for e in endpoints}, ensure_ascii=False))
    floor_env = {**os.environ, "FLOOR_STATEMENTS": str(floor_file), "FLOOR_DATABASE_URL": url}

    app, app_port = start_gunicorn(
        "presales.wsgi:application",
        env,
        args.workers,
        args.threads,
        args.timeout,
        ROOT,
        workdir / f"app_{size}.log",
    )
    floor, floor_port = start_gunicorn(
        "floor:application",
        floor_env,
        args.workers,
        args.threads,
        args.timeout,
        ROOT / "bench",
        workdir / f"floor_{size}.log",
    )
    result: dict = {"size": size, "database": url, "endpoints": [], "knee": {}}
    try:
        login = {"Host": HOST, "X-Forwarded-Proto": "https"}
        for _ in range(2 * args.workers):
            request(app_port, "/accounts/login/", login, args.timeout + 10)
        result["rss_before"] = {"app": worker_rss_mb(app.pid), "floor": worker_rss_mb(floor.pid)}
        print(
            f"[{size}] timing {len(endpoints)} endpoints × {args.repeat} (app and floor interleaved)",
            flush=True,
        )
        for ep in endpoints:
            headers = app_headers(sessions[ep["user"]], ep["kind"])
            app_t, floor_t, statuses, sizes = [], [], set(), set()
            spent = 0.0
            for i in range(args.repeat):
                status, nbytes, t = request(app_port, ep["path"], headers, args.timeout + 10)
                statuses.add(status)
                sizes.add(nbytes)
                app_t.append(t)
                fstatus, _n, ft = request(floor_port, "/" + ep["key"], {"Host": HOST}, args.timeout + 10)
                floor_t.append(ft if fstatus == 200 else float("nan"))
                spent += t + ft
                if spent > args.budget and i >= 1:
                    break
            if len(app_t) >= 3:
                app_t, floor_t = app_t[1:], floor_t[1:]
            floor_ok = [x for x in floor_t if x == x]
            row = {
                "user": ep["user"],
                "kind": ep["kind"],
                "name": ep["name"],
                "path": ep["path"],
                "n": len(app_t),
                "app_p50": pct(app_t, 0.5) * 1000,
                "app_p95": pct(app_t, 0.95) * 1000,
                "floor_p50": pct(floor_ok, 0.5) * 1000,
                "floor_p95": pct(floor_ok, 0.95) * 1000,
                "queries": ep["queries"],
                "size": max(sizes),
                "status": ",".join(str(s) for s in sorted(statuses)),
                "capture_status": ep["status"],
                "inprocess_ms": ep["inprocess_ms"],
            }
            row["ratio"] = row["app_p50"] / row["floor_p50"] if row["floor_p50"] > 0 else float("nan")
            result["endpoints"].append(row)
            print(format_row(row), flush=True)
        result["rss_after"] = {"app": worker_rss_mb(app.pid), "floor": worker_rss_mb(floor.pid)}
        knee_ep = next((e for e in endpoints if e["name"] == "api opportunity" and e["user"] == "team"), None)
        if knee_ep is not None and not args.no_knee:
            headers = app_headers(sessions["team"], "api")
            for c in KNEE_CONCURRENCY:
                a = knee(app_port, knee_ep["path"], headers, c, args.knee_seconds, args.timeout + 10)
                f = knee(
                    floor_port, "/" + knee_ep["key"], {"Host": HOST}, c, args.knee_seconds, args.timeout + 10
                )
                result["knee"][c] = {"app": a, "floor": f}
                print(f"[{size}] knee c={c:2}: app {a:7.1f} req/s, floor {f:7.1f} req/s", flush=True)
        result["rss_end"] = {"app": worker_rss_mb(app.pid), "floor": worker_rss_mb(floor.pid)}
    finally:
        stop(app)
        stop(floor)
    return result


def _generated(url: str) -> bool:
    import psycopg2

    try:
        conn = psycopg2.connect(url)
    except psycopg2.OperationalError:
        return False
    with conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_scale_objects') IS NOT NULL")
        ok = cur.fetchone()[0]
    conn.close()
    return ok


# --- output ---------------------------------------------------------------------------------

HEADER = (
    f"{'user':6} {'endpoint':46} {'n':>3} {'app p50':>8} {'p95':>8} {'floor p50':>9} {'p95':>7} "
    f"{'ratio':>6} {'queries':>7} {'size KB':>8} status"
)


def format_row(r: dict) -> str:
    flag = " >1MB!" if r["kind"] == "web" and r["size"] > HTML_LIMIT else ""
    return (
        f"{r['user']:6} {r['name'][:46]:46} {r['n']:3} {r['app_p50']:8.1f} {r['app_p95']:8.1f} "
        f"{r['floor_p50']:9.1f} {r['floor_p95']:7.1f} {r['ratio']:6.1f} {r['queries']:7} "
        f"{r['size'] / 1024:8.1f} {r['status']}{flag}"
    )


def report(results: list[dict]) -> str:
    lines = []
    for res in results:
        lines.append(f"\n=== size {res['size']} ({res['database']}); times in ms ===")
        lines.append(HEADER)
        lines += [format_row(r) for r in res["endpoints"]]
        for when in ("rss_before", "rss_after", "rss_end"):
            if when in res:
                lines.append(
                    f"worker RSS MB {when[4:]:6}: app {res[when]['app']}, floor {res[when]['floor']}"
                )
        for c, k in res["knee"].items():
            ratio = k["app"] / k["floor"] if k["floor"] else float("nan")
            lines.append(
                f"knee c={c:>2}: app {k['app']:7.1f} req/s  floor {k['floor']:7.1f} req/s  app/floor {ratio:4.2f}"
            )
    if len(results) >= 2:
        first, last = results[0], results[-1]
        lines.append(f"\n=== growth {last['size']} / {first['size']} (p50) ===")
        lines.append(
            f"{'user':6} {'endpoint':46} {first['size']:>9} {last['size']:>9} {'growth':>7} "
            f"{'floor gr.':>9} {'queries':>11}"
        )
        base = {(r["user"], r["name"]): r for r in first["endpoints"]}
        for r in last["endpoints"]:
            b = base.get((r["user"], r["name"]))
            if b is None:
                continue
            growth = r["app_p50"] / b["app_p50"] if b["app_p50"] else float("nan")
            fgrowth = r["floor_p50"] / b["floor_p50"] if b["floor_p50"] else float("nan")
            lines.append(
                f"{r['user']:6} {r['name'][:46]:46} {b['app_p50']:9.1f} {r['app_p50']:9.1f} {growth:7.2f} "
                f"{fgrowth:9.2f} {b['queries']:>5} → {r['queries']:<4}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k", help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per endpoint before stopping early"
    )
    parser.add_argument("--reuse", action="store_true", help="keep a size's database if already generated")
    parser.add_argument("--only", help="regular expression on 'endpoint user'")
    parser.add_argument("--users", default="team,admin", help="labels of bench_scale_users")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=60, help="gunicorn worker timeout (production: 60)")
    parser.add_argument("--knee-seconds", type=float, default=5.0)
    parser.add_argument("--no-knee", action="store_true")
    parser.add_argument("--database-url", help="base URL; each size uses <name>_<size>")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--workdir", help="keep captures and logs here (default: a temporary folder)")
    parser.add_argument("--_capture", nargs=2, metavar=("URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._capture:
        capture(args._capture[0], args._capture[1], args.users.split(","), args.only)
        return
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown}; use {', '.join(SIZES)}")
    # A killed benchmark still stops its gunicorns (the finally blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench_scale_"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = [run_size(size, args, workdir) for size in sizes]
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    print(f"\n(captures and gunicorn logs in {workdir})")


if __name__ == "__main__":
    main()

"""gunicorn settings of the web container (issue 9; docs/deployment.md, "Web workers").

Every value can be overridden from the environment; the defaults are sized from bench/scale.py
on a 2-core machine (the figures are in docs/deployment.md):

- WEB_CONCURRENCY   worker processes; default: one per CPU core. A request is mostly Python
                    (templates, serializers; the app takes 2-12x its SQL's time): measured on
                    2 cores, 2 workers served the opportunity list at 2.8-3.3 requests/s,
                    3 workers x 2 threads at 2.1-3.1 and 5 workers at 1.5-2.3 (more
                    processes than cores only contend for the CPU and add ~100 MB each).
- GUNICORN_THREADS  threads per worker; default 1 (sync workers). Raise it (gthread) when
                    requests mostly wait on the database (a remote database, a replica):
                    a waiting thread lets another run, at a few MB instead of a process.
- GUNICORN_TIMEOUT  seconds before a silent worker is killed and replaced; default 60.
- GUNICORN_MAX_REQUESTS  a worker is recycled after this many requests (plus jitter), so
                    a slow leak or a fragmented heap never grows without bound; default 2000.

Each worker holds up to ``threads`` database connections (kept ``DB_CONN_MAX_AGE`` seconds):
workers × threads must stay below PgBouncer's MAX_CLIENT_CONN (or PostgreSQL's
max_connections without it).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count())
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# The TLS proxy in front sets X-Forwarded-Proto / X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# Worker heartbeats in memory, not on the container's overlay file system.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

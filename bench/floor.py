"""The SQL floor of bench/scale.py: a WSGI app that, for ``GET /<key>``, runs the read
statements the real app ran for that endpoint (captured once, literal values included) through
one psycopg2 connection per worker, and answers their rows as JSON. What the app costs above
this is Django, DRF, templates and Python; what this costs is the database and the wire."""

import json
import os
from pathlib import Path

import psycopg2

STATEMENTS = json.loads(Path(os.environ["FLOOR_STATEMENTS"]).read_text(encoding="utf-8"))
_conn = None


def application(environ, start_response):
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg2.connect(os.environ["FLOOR_DATABASE_URL"])
        _conn.autocommit = True
        _conn.cursor().execute("SET TIME ZONE 'UTC'")
    statements = STATEMENTS.get(environ["PATH_INFO"].strip("/"))
    if statements is None:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    rows = []
    with _conn.cursor() as cur:
        for sql in statements:
            cur.execute(sql)
            rows.append(cur.fetchall() if cur.description else None)
    body = json.dumps(rows, default=str, ensure_ascii=False).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]

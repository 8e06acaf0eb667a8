"""Benchmark: the search served by an index against the ``UPPER(col) LIKE '%…%'`` it replaced
(issue 9, build 6). Not a test: it prints EXPLAIN ANALYZE times.

For each size (default 100k and 1M; ``--sizes 100000``) it builds a throwaway table of
customer-like rows in the database given (``--dsn``, default ``BENCH_DATABASE_URL`` or
``DATABASE_URL``): 70 % Chinese names ``{city}{two random characters}{industry}{legal form}``
(北京忠寨纺织股份有限公司), 30 % English ones (Quiphaax Pacific Technology Inc. 8), a region and
one of ten teams; the name index of the list's order and the two search indexes (name,
region; the functions of ``presales.core.search``). Then, for a rare and a common query of one,
two and four characters and of Latin, the page of the list (``ORDER BY name, id LIMIT 50``,
name OR region) and its count, for everybody and for a team-scoped user (``team_id IN``
three of ten), before and after. Best of two runs; the plan's scans are printed too.

Run:  python bench/search.py --dsn postgres://postgres@127.0.0.1:5432/presales_search
The tables are ``bench_search_<size>``; ``--drop`` removes them at the end. A million rows
take a few minutes to build on 2 cores (the name's GIN index about 100 s).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from presales.core.search import FUNCTIONS_SQL

CITIES = [
    "北京",
    "上海",
    "深圳",
    "广州",
    "杭州",
    "苏州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "天津",
    "重庆",
    "华东",
    "华南",
    "华北",
    "青岛",
    "厦门",
    "合肥",
    "长沙",
    "宁波",
]
INDUSTRIES = [
    "精密",
    "智能",
    "信息",
    "科技",
    "电子",
    "新能源",
    "医疗",
    "物流",
    "建设",
    "环保",
    "数据",
    "软件",
    "化工",
    "机械",
    "食品",
    "纺织",
    "通信",
    "汽车",
    "材料",
    "能源",
]
FORMS = ["制造有限公司", "科技有限公司", "股份有限公司", "集团有限公司", "技术有限公司", "有限责任公司"]
SYLLABLES = [
    "ka",
    "lo",
    "vin",
    "tra",
    "ex",
    "zen",
    "mar",
    "qui",
    "sol",
    "ber",
    "dor",
    "ion",
    "vel",
    "nor",
    "tek",
    "sy",
    "pha",
    "lum",
    "cor",
    "ax",
]
ADJECTIVES = [
    "Precision",
    "Smart",
    "Global",
    "Pacific",
    "United",
    "Advanced",
    "Digital",
    "Green",
    "Northern",
    "Bright",
]
TRADES = [
    "Technology",
    "Manufacturing",
    "Logistics",
    "Medical",
    "Energy",
    "Software",
    "Materials",
    "Electronics",
    "Systems",
    "Foods",
]
LEGAL = ["Co., Ltd.", "Inc.", "GmbH", "Ltd.", "Group"]
REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北", "East China", "South China", "North China"]
QUERIES = ["忠寨纺织", "北京", "科技", "quiphaax", "tech", "寨", "科"]


def _array(words: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def _pick(words: list[str], salt: int) -> str:
    return f"({_array(words)})[1 + (hashint4(g * {salt}) & 2147483647) % {len(words)}]"


def build(cur, table: str, size: int) -> None:
    cjk = "chr(19968 + (hashint4(g * {}) & 2147483647) % 8000)"
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, name varchar(200) NOT NULL,"
        " region varchar(100) NOT NULL, team_id int NOT NULL)"
    )
    cur.execute(
        f"INSERT INTO {table} SELECT g, CASE WHEN g % 10 < 7 THEN "
        f"{_pick(CITIES, 1)} || {cjk.format(7)} || {cjk.format(13)} || {_pick(INDUSTRIES, 3)} || {_pick(FORMS, 5)}"
        f" ELSE initcap({_pick(SYLLABLES, 17)} || {_pick(SYLLABLES, 19)} || {_pick(SYLLABLES, 23)})"
        f" || ' ' || {_pick(ADJECTIVES, 29)} || ' ' || {_pick(TRADES, 31)} || ' ' || {_pick(LEGAL, 37)}"
        f" || ' ' || (g % 1000)::text END, {_pick(REGIONS, 41)}, 1 + (hashint4(g * 43) & 1023) % 10"
        f" FROM generate_series(1, {size}) g"
    )
    cur.execute(f"CREATE INDEX ON {table} (name, id)")
    cur.execute(f"CREATE INDEX ON {table} (team_id)")
    cur.execute(FUNCTIONS_SQL)
    for column in ("name", "region"):
        cur.execute(
            f"CREATE INDEX {table}_{column}_search ON {table} USING gin (presales_search_grams({column}))"
        )
    cur.execute(f"VACUUM ANALYZE {table}")


def _scans(node: dict) -> set[str]:
    found = {node["Node Type"] + (":" + node["Index Name"] if "Index Name" in node else "")}
    for child in node.get("Plans", []):
        found |= _scans(child)
    return {s for s in found if "Scan" in s}


def explain(cur, sql: str, params: dict, runs: int = 2) -> tuple[float, set[str]]:
    best: tuple[float, set[str]] | None = None
    for _ in range(runs):
        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]
        if best is None or plan["Execution Time"] < best[0]:
            best = (plan["Execution Time"], _scans(plan["Plan"]))
    assert best is not None
    return best


def where(mode: str) -> str:
    if mode == "before":
        return "(UPPER(name::text) LIKE UPPER(%(p)s) OR UPPER(region::text) LIKE UPPER(%(p)s))"
    # The shape presales.core.search.search_q gives: keys OR-ed, then the folded LIKEs OR-ed.
    keys = "presales_search_grams({c}) @> presales_search_query(%(q)s)"
    like = "presales_search_fold({c}) LIKE presales_search_pattern(%(q)s)"
    return (
        f"({keys.format(c='name')} OR {keys.format(c='region')})"
        f" AND ({like.format(c='name')} OR {like.format(c='region')})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dsn", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    )
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--reuse", action="store_true", help="keep tables built by an earlier run")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    conn = psycopg2.connect(args.dsn)
    conn.autocommit = True
    cur = conn.cursor()
    for size in (int(s) for s in args.sizes.split(",")):
        table = f"bench_search_{size}"
        cur.execute("SELECT to_regclass(%s)", [table])
        if not (args.reuse and cur.fetchone()[0]):
            build(cur, table, size)
        for query in QUERIES:
            params = {"q": query, "p": f"%{query}%"}
            for scope, extra in (("all", ""), ("team", " AND team_id IN (1, 2, 3)")):
                row = {"size": size, "q": query, "scope": scope}
                for mode in ("before", "after"):
                    condition = where(mode) + extra
                    page = explain(
                        cur, f"SELECT * FROM {table} WHERE {condition} ORDER BY name, id LIMIT 50", params
                    )
                    count = explain(cur, f"SELECT count(*) FROM {table} WHERE {condition}", params, runs=1)
                    row[mode] = {
                        "page_ms": round(page[0], 1),
                        "count_ms": round(count[0], 1),
                        "scans": sorted(page[1]),
                    }
                print(json.dumps(row, ensure_ascii=False), flush=True)
        if args.drop:
            cur.execute(f"DROP TABLE {table}")


if __name__ == "__main__":
    main()

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

``--kb`` (issue 14, R-KB-1) measures the knowledge base's search instead: it builds
``bench_kb_<articles>`` (default 100k articles of 300–1,500 characters of Chinese technical prose
with English terms, their search keys written by ``knowledge.tokens`` exactly as the app writes
them, and the GIN index) and reuses ``bench_search_<customers>`` (default 1M customers), then
prints the p50 and p95 of 21 runs of the app's queries: two-character, four-character and mixed
Chinese/English queries over the articles (ranked, first page of 21) and over the customers'
names (the core's search, first page of 50), and the plan's scans.

The article query is the shape of ``knowledge.search.article_search(..., first=21)``: the GIN
index answers the pairs, ``ts_rank`` over the small ``rank_vector`` orders the matches, and the
phrase of a longer query is checked lazily on the ranked candidates until 21 hold it. p50 at
100k articles, team-scoped reader (2 cores, shared_buffers 128 MB):

    query          before (phrase on the 200 best, ts_rank_cd)   after (lazy phrase, ts_rank)
    2 characters   13.5 ms                                       13.1 ms
    4 characters   140.1 ms                                      18.9 ms
    mixed          14.6 ms                                       11.5 ms
    3–7 characters —                                             17.3 ms (second run)

(runs vary by ~20 % on the shared machine: a second run after gave 17.1, 21.1 and 13.2 ms.)

Run:  python bench/search.py --kb --dsn postgres://postgres@127.0.0.1:5432/presales_search
``--reuse`` keeps ``bench_kb_<articles>`` from an earlier run (its build, with the GIN index,
takes ~10 minutes); ``--customers 10000`` builds a small customer table when only the article
figures matter.
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


KB_WORDS = [
    "智能制造",
    "能耗管理",
    "数据中心",
    "双活容灾",
    "云计算",
    "边缘计算",
    "工业互联网",
    "数字孪生",
    "质量追溯",
    "设备预测性维护",
    "排产优化",
    "仓储物流",
    "供应链协同",
    "安全生产",
    "碳排放核算",
    "能源监测",
    "视频分析",
    "人工智能",
    "机器视觉",
    "网络安全",
    "等级保护",
    "零信任",
    "身份认证",
    "数据治理",
    "主数据",
    "数据湖",
    "实时计算",
    "报表分析",
    "移动办公",
    "客户服务",
    "呼叫中心",
    "银行核心",
    "证券交易",
    "保险理赔",
    "医院信息",
    "电子病历",
    "智慧校园",
    "政务服务",
    "交通调度",
    "电力调度",
    "配网自动化",
    "光伏运维",
    "储能管理",
    "楼宇自控",
    "园区管理",
    "招投标",
    "方案评审",
    "项目交付",
    "售后运维",
    "培训",
    "验收",
    "实施周期",
    "性能指标",
    "并发",
    "高可用",
    "灾备演练",
    "迁移",
    "升级",
]
KB_LATIN = [
    "MES",
    "ERP",
    "SCADA",
    "PLC",
    "Oracle",
    "PostgreSQL",
    "Kubernetes",
    "AI",
    "IoT",
    "5G",
    "SAP",
    "CRM",
    "BI",
    "OCR",
    "GPU",
    "API",
    "SaaS",
]
KB_KINDS = ["industry_news", "product", "solution_case", "project_experience", "needs_template", "bid_answer"]
KB_QUERIES = {
    "2 characters": ["制造", "能耗", "银行", "视觉", "储能", "调度"],
    "4 characters": ["能耗管理", "智能制造", "双活容灾", "数字孪生", "电子病历", "光伏运维"],
    "mixed": ["MES 排产", "Oracle 迁移", "AI 质检", "PLC 调度", "SAP 供应链", "Kubernetes 高可用"],
    "3–7 characters": ["云计算", "工业互联网", "设备预测性维护", "管理能耗", "制造能耗"],
}
CUSTOMER_QUERIES = {
    "2 characters": ["北京", "科技", "纺织", "精密", "华东", "电子"],
    "4 characters": ["北京华东", "精密制造", "信息科技", "忠寨纺织", "智能电子", "上海科技"],
    "mixed (Latin)": ["tech", "pacific", "quiphaax", "trading", "inc", "global"],
}


FILLER = [chr(0x4E00 + (i * 7919) % 20900) for i in range(3000)]  # 3,000 distinct characters


def _kb_text(rng, low: int, high: int, topics: list[str]) -> str:
    """Prose of ``low``..``high`` characters: filler words of 2–4 characters drawn from 3,000
    characters (so a given pair of characters is rare by chance, as in real text), the
    article's topic words (each article has three of the 60, so a domain word is in about 5 %
    of the articles, the common ones more) and some English terms."""
    parts: list[str] = []
    size = 0
    length = rng.randint(low, high)
    while size < length:
        roll = rng.random()
        if roll < 0.12:
            word = rng.choice(topics)
        elif roll < 0.16:
            word = f" {rng.choice(KB_LATIN)} "
        else:
            word = "".join(rng.choice(FILLER) for _ in range(rng.randint(2, 4)))
        parts.append(word)
        size += len(word)
        if rng.random() < 0.15:
            parts.append(rng.choice("，。、；"))
    return "".join(parts)


def build_kb(cur, table: str, size: int) -> None:
    import io
    import random

    from knowledge.tokens import tsvector_literal

    rng = random.Random(14)
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, kind varchar(20), title varchar(200), summary text,"
        " body text, status varchar(10), visibility varchar(10), team_id int, owner_id int,"
        " updated_at timestamptz, search_vector tsvector, rank_vector tsvector)"
    )
    batch = io.StringIO()

    def flush() -> None:
        batch.seek(0)
        cur.copy_expert(f"COPY {table} FROM STDIN", batch)
        batch.seek(0)
        batch.truncate()

    def clean(text: str) -> str:
        return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    for i in range(1, size + 1):
        topics = rng.sample(KB_WORDS[:20], 1) + rng.sample(KB_WORDS, 2)  # the first 20 are the common ones
        title = _kb_text(rng, 8, 24, topics)
        summary = _kb_text(rng, 30, 80, topics)
        body = _kb_text(rng, 300, 1500, topics)
        vector = tsvector_literal([(title, "A"), (summary, "B"), (body, "C")])
        rank_vector = tsvector_literal([(title, "A"), (summary, "B")])
        row = [
            str(i),
            KB_KINDS[i % 6],
            clean(title),
            clean(summary),
            clean(body),
            "published" if i % 10 else "draft",
            "company" if i % 4 else "team",
            str(1 + i % 10),
            str(1 + i % 500),
            f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00:00+08",
            clean(vector),
            clean(rank_vector),
        ]
        batch.write("\t".join(row) + "\n")
        if i % 5000 == 0:
            flush()
    flush()
    cur.execute(f"CREATE INDEX {table}_search ON {table} USING gin (search_vector)")
    cur.execute(f"CREATE INDEX ON {table} (updated_at DESC, id DESC)")
    cur.execute(f"VACUUM ANALYZE {table}")


def _timings(cur, sql: str, params: list, runs: int = 21) -> tuple[float, float, set[str]]:
    times = []
    scans: set[str] = set()
    for _ in range(runs):
        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]
        times.append(plan["Execution Time"])
        scans = _scans(plan["Plan"])
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95)], scans


def main_kb(args, cur) -> None:
    from knowledge.search import WEIGHTS
    from knowledge.tokens import tsquery_literal

    articles = int(args.articles)
    table = f"bench_kb_{articles}"
    cur.execute("SELECT to_regclass(%s)", [table])
    if not (args.reuse and cur.fetchone()[0]):
        build_kb(cur, table, articles)
    cur.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'rank_vector'",
        [table],
    )
    if cur.fetchone() is None:  # a table built before the ranking keys: add them
        from knowledge.tokens import tsvector_literal

        cur.execute(f"ALTER TABLE {table} ADD COLUMN rank_vector tsvector")
        cur.execute(f"SELECT id, title, summary FROM {table}")
        rows = [(tsvector_literal([(t, "A"), (s, "B")]), i) for i, t, s in cur.fetchall()]
        cur.executemany(f"UPDATE {table} SET rank_vector = %s::tsvector WHERE id = %s", rows)
        cur.execute(f"VACUUM ANALYZE {table}")
    visible = "(status = 'published' AND (visibility = 'company' OR team_id IN (1, 2, 3)) OR owner_id = 7)"
    print(f"knowledge base: {articles:,} articles (a team-scoped reader; ranked first page of 21)")
    print(f"{'kind':<14} {'query':<18} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}  scans")
    for label, queries in KB_QUERIES.items():
        p50s = []
        for query in queries:
            literal = tsquery_literal(query)
            loose = tsquery_literal(query, phrase=False)
            cur.execute(f"SELECT count(*) FROM {table} WHERE search_vector @@ %s::tsquery", [literal])
            matches = cur.fetchone()[0]
            # The shape knowledge.search.article_search(..., first=21) gives: the index answers
            # the pairs, the rank reads the small rank_vector, and the phrase is checked lazily,
            # walking the ranked candidates until 21 hold it (the LIMIT 1e9 is the fence).
            rank = "ts_rank(%s::float4[], rank_vector, %s::tsquery) DESC, updated_at DESC, id DESC"
            ranked = (
                f"SELECT id, search_vector FROM {table} WHERE search_vector @@ %s::tsquery AND {visible}"
                f" ORDER BY {rank}"
            )
            if literal == loose:
                sql = ranked + " LIMIT 21"
                params = [loose, WEIGHTS, loose]
            else:
                sql = (
                    f"SELECT id, title FROM {table} WHERE id IN (SELECT c.id FROM ({ranked} LIMIT 1000000000)"
                    " AS c(id, search_vector) WHERE ts_match_vq(c.search_vector, %s::tsquery) LIMIT 21)"
                    f" AND {visible} ORDER BY {rank}"
                )
                params = [loose, WEIGHTS, loose, literal, WEIGHTS, loose]
            p50, p95, scans = _timings(cur, sql, params)
            p50s.append(p50)
            print(
                f"{label:<14} {query:<18} {matches:>8} {p50:>8.1f} {p95:>8.1f}  {sorted(scans)}", flush=True
            )
        p50s.sort()
        print(f"{label:<14} {'p50 over queries':<18} {'':>8} {p50s[len(p50s) // 2]:>8.1f}")
    customers = int(args.customers)
    ctable = f"bench_search_{customers}"
    cur.execute("SELECT to_regclass(%s)", [ctable])
    if not cur.fetchone()[0]:
        build(cur, ctable, customers)
    print(f"customers: {customers:,} names (the core's search, first page of 50 by name, team-scoped)")
    for label, queries in CUSTOMER_QUERIES.items():
        p50s = []
        for query in queries:
            sql = (
                f"SELECT * FROM {ctable} WHERE presales_search_grams(name) @> presales_search_query(%s)"
                " AND presales_search_fold(name) LIKE presales_search_pattern(%s) AND team_id IN (1, 2, 3)"
                " ORDER BY name, id LIMIT 50"
            )
            p50, p95, scans = _timings(cur, sql, [query, query])
            p50s.append(p50)
            print(f"{label:<14} {query:<18} {'':>8} {p50:>8.1f} {p95:>8.1f}  {sorted(scans)}", flush=True)
        p50s.sort()
        print(f"{label:<14} {'p50 over queries':<18} {'':>8} {p50s[len(p50s) // 2]:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", action="store_true", help="the knowledge base's search (issue 14)")
    parser.add_argument("--articles", default="100000")
    parser.add_argument("--customers", default="1000000")
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
    if args.kb:
        main_kb(args, cur)
        return
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

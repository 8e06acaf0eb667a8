"""Scale data for the benchmarks (issue 9): realistic customers, leads, opportunities … at
10k, 100k or 1M opportunities, written by the database itself (``INSERT … SELECT
generate_series``), so 1M takes minutes, not hours.

    python bench/scale_data.py --size 10k|100k|1m [--database-url URL]
    from bench.scale_data import generate; generate("100k", database_url=...)

The database is created if missing and migrated; its domain tables and users are EMPTIED
first (never point it at a database in use). Default: ``DATABASE_URL``'s name + ``_<size>``
(``presales_bench`` → ``presales_bench_10k``).

What N opportunities bring (shapes follow the demo: regional teams of sales reps and presales
engineers, scoped to their team):

- ten regional teams (6 presales engineers, 6 sales reps and a presales manager each; one
  sales director manages three of them), and the company-wide roles: general manager,
  legal, finance, admin; an R&D team with a department head and an expert who is on a few
  project teams only;
- N/5 customers (Chinese company names, unique per normalised name) with 2 contacts each,
  a primary presales engineer each and an assistant on 30%;
- N leads over the statuses (qualified ones linked to a customer of their team), N
  opportunities over the stages with amounts in four currencies (rate and rate date where
  foreign), close reasons where lost/abandoned, 2-3 project members each;
- 2N communication records (half on customers with a contact, half on leads; 10% promise a
  next step), a timer per lead (first contact; open for new leads, satisfied otherwise) and
  per promised next step, initiation requests and their reviews (approved, or in review
  with the approver's pending task and the timers);
- skew: teams, customers and people are drawn with a power law, so a few carry many
  records and most carry few.

The users to benchmark as are recorded in the table ``bench_scale_users`` (label, username)
and printed, all with the password ``BENCH_PASSWORD``; ``bench_scale_objects`` names a
customer and an opportunity for the detail pages and the search terms.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings.test")

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
BENCH_PASSWORD = "scale-bench-lychee-7"

TEAMS = 10
ENGINEERS = 6
REPS = 6
# User ids are fixed so the SQL can compute them: team t (0..9) has id t + 1; its engineer k
# is 1000 + 100 t + k, its sales rep k is 1000 + 100 t + 10 + k, its presales manager
# 1000 + 100 t + 50.
DIRECTOR, GM, LEGAL, FINANCE, ADMIN, RD_EXPERT, RD_HEAD = 900, 901, 902, 903, 904, 905, 906
MANAGEMENT_TEAM, LEGAL_TEAM, FINANCE_TEAM, RD_TEAM = 11, 12, 13, 14
DIRECTOR_TEAMS = (0, 1, 2)  # the director manages these teams (their manager)

REGIONS = [
    "华东区 East China",
    "华北区 North China",
    "华南区 South China",
    "华中区 Central China",
    "西南区 Southwest",
    "西北区 Northwest",
    "东北区 Northeast",
    "京津冀 Jing-Jin-Ji",
    "长三角 Yangtze Delta",
    "港澳 HK & Macau",
]
CITIES = [
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "天津",
    "重庆",
    "青岛",
    "厦门",
    "宁波",
    "无锡",
    "长沙",
    "郑州",
    "合肥",
    "济南",
]
WORDS1 = [
    "华东",
    "恒通",
    "宏达",
    "瑞丰",
    "中联",
    "泰和",
    "金石",
    "博远",
    "安信",
    "海纳",
    "同创",
    "新锐",
    "广汇",
    "嘉禾",
    "鼎盛",
    "天成",
    "永泰",
    "远航",
    "卓越",
    "聚能",
    "汇川",
    "明德",
    "正泰",
    "东方",
    "国信",
    "九州",
    "万达",
    "长城",
    "星河",
    "云帆",
    "智联",
    "华信",
    "宝丰",
    "润泽",
    "方圆",
    "德胜",
    "恒瑞",
    "盛世",
    "佳和",
    "启明",
]
WORDS2 = [
    "精密",
    "电子",
    "智能",
    "数据",
    "信息",
    "软件",
    "机械",
    "材料",
    "能源",
    "环保",
    "医疗",
    "物流",
    "网络",
    "光电",
    "控制",
    "自动",
    "通信",
    "仪器",
    "动力",
    "化工",
    "工业",
    "建设",
    "贸易",
    "传媒",
    "生物",
    "制药",
    "航空",
    "汽车",
    "电气",
    "农业",
    "金融",
    "保险",
    "证券",
    "教育",
    "餐饮",
    "纺织",
    "钢铁",
    "水务",
    "燃气",
    "安防",
]
SUFFIXES = ["科技", "实业", "技术", "发展", "工程", "设备", "系统", "服务", "国际", "创新"]
PROJECTS = [
    "智能制造升级",
    "数据中心扩容",
    "OA系统改造",
    "ERP实施",
    "MES建设",
    "视频监控",
    "网络安全加固",
    "云平台迁移",
    "生产线自动化",
    "供应链协同",
    "客服中心",
    "能耗管理",
    "仓储物流",
    "财务共享",
    "移动办公",
]
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "胡",
    "朱",
    "高",
    "林",
    "何",
    "郭",
    "马",
    "罗",
]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
]
# A customer name no generated name shares (the rare 4-character search term) and a common
# 2-character one (a tenth … fortieth of the names).
RARE_NAME = "鑫淼焱垚"
COMMON_TERM = "瑞丰"

INDUSTRIES = [
    "manufacturing",
    "finance",
    "government",
    "education",
    "healthcare",
    "energy",
    "retail",
    "telecom",
    "transport",
    "internet",
]


def database_url_for(size: str, base: str | None = None) -> str:
    base = base or os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/presales_bench")
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "presales_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{size}"))


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


def _arr(values: list[str]) -> str:
    """A SQL text[] literal of simple words (no quotes or commas in them)."""
    assert all("'" not in v and "," not in v for v in values)
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


def _check_words() -> None:
    from leads.normalize import normalize_company

    for words in (CITIES, WORDS1, WORDS2, SUFFIXES):
        assert all(len(w) == 2 for w in words), words
    assert len(WORDS1) == len(WORDS2) == 40 and len(CITIES) == 20 and len(SUFFIXES) == 10
    sample = CITIES[3] + WORDS1[5] + WORDS2[7] + SUFFIXES[2]
    assert normalize_company(sample + "有限公司") == sample, "names must normalise to themselves"
    assert COMMON_TERM in WORDS1 and not any(
        ch in "".join(CITIES + WORDS1 + WORDS2 + SUFFIXES) for ch in RARE_NAME
    )


# --- the SQL ---------------------------------------------------------------------------------

# A team index drawn with skew: team 0 holds ~21% of the records, team 9 ~7%.
TEAM_SKEW = "least(floor(10 * power(random(), 1.5))::int, 9)"


def _pick(n: int, exponent: float = 2.5) -> str:
    """An index 0..n-1 drawn with a power law: index 0 about half of the time."""
    return f"least(floor({n} * power(random(), {exponent}))::int, {n - 1})"


def _name_expr(g: str) -> str:
    """A unique company name (without the legal form) for 0 <= g < 320,000."""
    return (
        f"(({_arr(CITIES)})[({g} % 20) + 1] || ({_arr(WORDS1)})[(({g} / 20) % 40) + 1]"
        f" || ({_arr(WORDS2)})[(({g} / 800) % 40) + 1] || ({_arr(SUFFIXES)})[(({g} / 32000) % 10) + 1])"
    )


def _person_expr(g: str) -> str:
    return f"(({_arr(SURNAMES)})[({g} % 20) + 1] || ({_arr(GIVEN)})[(({g} / 20) % 20) + 1])"


def _statements(
    n: int, ct: dict[str, int], policies: dict[str, str], password_hash: str
) -> list[tuple[str, str]]:
    m = max(n // 5, 10)
    assert m <= 320_000
    steps: list[tuple[str, str]] = []
    add = lambda label, sql: steps.append((label, sql))  # noqa: E731

    # Teams and people.
    team_rows = [f"({i + 1}, '{REGIONS[i]}', 'presales', NULL)" for i in range(TEAMS)] + [
        f"({MANAGEMENT_TEAM}, '总经办 Management', 'management', NULL)",
        f"({LEGAL_TEAM}, '法务部 Legal', 'legal', NULL)",
        f"({FINANCE_TEAM}, '财务部 Finance', 'finance', NULL)",
        f"({RD_TEAM}, '研发中心 R&D', 'rd', NULL)",
    ]
    add("teams", "INSERT INTO presales_team (id, name, department, manager_id) VALUES " + ",".join(team_rows))
    people = []  # (id, username, display, team, role, is_staff)
    for t in range(TEAMS):
        for k in range(ENGINEERS):
            people.append(
                (1000 + 100 * t + k, f"eng_{t}_{k}", f"工程师 {t}-{k}", t + 1, "presales_engineer", False)
            )
        for k in range(REPS):
            people.append(
                (1000 + 100 * t + 10 + k, f"rep_{t}_{k}", f"销售 {t}-{k}", t + 1, "sales_rep", False)
            )
        people.append((1000 + 100 * t + 50, f"mgr_{t}", f"经理 {t}", t + 1, "presales_manager", False))
    people += [
        (DIRECTOR, "director", "销售总监 Director", 1, "sales_manager", False),
        (GM, "gm", "总经理 GM", MANAGEMENT_TEAM, "general_manager", False),
        (LEGAL, "legal", "法务 Legal", LEGAL_TEAM, "legal", False),
        (FINANCE, "finance", "财务 Finance", FINANCE_TEAM, "finance", False),
        (ADMIN, "admin", "系统管理员 Admin", MANAGEMENT_TEAM, "admin", True),
        (RD_EXPERT, "rd_expert", "研发专家 R&D expert", RD_TEAM, "presales_engineer", False),
        (RD_HEAD, "rd_head", "研发主任 R&D head", RD_TEAM, "department_head", False),
    ]
    user_rows = ",".join(
        f"({pk}, '{password_hash}', false, '{u}', '', '', '{u}@bench.example', {str(staff).lower()}, true,"
        f" now() - interval '3 years', 'zh-hans', '', '{d}', {team})"
        for pk, u, d, team, _r, staff in people
    )
    add(
        "users",
        "INSERT INTO presales_user (id, password, is_superuser, username, first_name, last_name, email,"
        " is_staff, is_active, date_joined, language, phone, display_name, team_id) VALUES " + user_rows,
    )
    group_rows = ",".join(
        f"({pk}, (SELECT id FROM auth_group WHERE name = '{r}'))" for pk, _u, _d, _t, r, _s in people
    )
    add("groups", "INSERT INTO presales_user_groups (user_id, group_id) VALUES " + group_rows)
    managers = ",".join(
        f"({t + 1}, {DIRECTOR if t in DIRECTOR_TEAMS else 1000 + 100 * t + 50})" for t in range(TEAMS)
    )
    add(
        "team managers",
        f"UPDATE presales_team SET manager_id = v.m FROM (VALUES {managers}, ({MANAGEMENT_TEAM}, {GM}),"
        f" ({LEGAL_TEAM}, {LEGAL}), ({FINANCE_TEAM}, {FINANCE}), ({RD_TEAM}, {RD_HEAD})) AS v(t, m)"
        " WHERE presales_team.id = v.t",
    )

    # Customers: id 1..m; the rare name goes to a team-0 customer in the middle.
    rare_id = m // 2
    add(
        "customers",
        f"""
        INSERT INTO leads_customer (id, created_at, updated_at, name, normalized_name, industry, employees,
            annual_revenue, region, address, website, fit_score, value_score, grade, grade_reason, graded_at,
            tier, size_class, last_progress_at, notes, merged_into_id, owner_id, team_id, need_tag_names, version)
        SELECT g, ts - interval '90 days', ts, nm || '有限公司', nm,
            ({_arr(INDUSTRIES)})[1 + (g % 10)], 50 + (g * 37) % 20000, ((g * 7919) % 500000) * 1000,
            left(nm, 2), left(nm, 2) || '市高新区创业路' || (g % 300) || '号', '',
            1 + g % 5, 1 + (g / 5) % 5, (ARRAY['A','B','B','C'])[1 + g % 4], '', ts,
            (ARRAY['strategic','important','general','general','general'])[1 + g % 5],
            (ARRAY['large','medium','medium','small'])[1 + g % 4], ts, '', NULL,
            1000 + 100 * t + 10 + {_pick(REPS)}, t + 1, '[]'::jsonb, 1
        FROM (
            SELECT g, CASE WHEN g = {rare_id} THEN '{RARE_NAME}' || '精工' ELSE {_name_expr("g")} END AS nm,
                   CASE WHEN g = {rare_id} THEN 0 ELSE {TEAM_SKEW} END AS t,
                   now() - power(random(), 2) * interval '900 days' AS ts
            FROM generate_series(1::bigint, {m}) AS g
        ) s
        """,
    )
    add(
        "contacts",
        f"""
        INSERT INTO leads_contact (id, created_at, updated_at, name, title, phone, email, phone_normalized,
            email_normalized, decision_role, notes, customer_id, version)
        SELECT 2 * (c.id - 1) + j, c.created_at, c.created_at, {_person_expr("(c.id * 2 + j)")},
            (ARRAY['总经理','IT总监','采购经理','技术负责人','财务总监'])[1 + (c.id + j) % 5],
            '13' || lpad(((c.id * 2 + j) * 7919 % 1000000000)::text, 9, '0'),
            'c' || (2 * (c.id - 1) + j) || '@cust' || c.id || '.example.cn',
            '13' || lpad(((c.id * 2 + j) * 7919 % 1000000000)::text, 9, '0'),
            'c' || (2 * (c.id - 1) + j) || '@cust' || c.id || '.example.cn',
            (ARRAY['decision_maker','influencer','technical_evaluator','user','purchaser','other'])[1 + (c.id + j) % 6],
            '', c.id, 1
        FROM leads_customer c CROSS JOIN generate_series(1, 2) AS j
        """,
    )
    add(
        "customer presales",
        f"""
        INSERT INTO leads_customerpresales (is_primary, created_at, customer_id, user_id)
        SELECT true, c.created_at, c.id, 1000 + 100 * (c.team_id - 1) + (c.id * 31) % {ENGINEERS} FROM leads_customer c
        UNION ALL
        SELECT false, c.created_at, c.id, 1000 + 100 * (c.team_id - 1) + ((c.id * 31) % {ENGINEERS} + 1) % {ENGINEERS}
        FROM leads_customer c WHERE c.id % 10 < 3
        UNION ALL
        SELECT false, c.created_at, c.id, {RD_EXPERT} FROM leads_customer c WHERE c.id % {max(m // 5, 1)} = 7
        """,
    )

    # Leads: id 1..n; qualified ones belong to a customer and its team.
    add(
        "leads",
        f"""
        INSERT INTO leads_lead (id, created_at, updated_at, status, source, company_name, company_normalized,
            contact_name, contact_title, phone, email, phone_normalized, email_normalized, industry, background,
            initial_needs, budget, timing, received_at, first_contact_due_at, first_contacted_at, eval_background,
            eval_needs, eval_budget, eval_competition, eval_timeline, disqualify_reason, disqualify_note, decided_at,
            customer_id, merged_into_id, owner_id, presales_owner_id, team_id, duplicate_override_at,
            duplicate_override_by_id, duplicate_override_reason, version)
        SELECT g, rec, rec + interval '2 days', st,
            (ARRAY['trade_show','referral','online_marketing','website','social_media','partner'])[1 + g % 6],
            coalesce(c.name, nm || '有限公司'), coalesce(c.normalized_name, nm),
            {_person_expr("g")}, '经理', '0' || (21 + g % 70) || '-' || lpad((g * 7919 % 100000000)::text, 8, '0'),
            'l' || g || '@lead.example.cn', '0' || (21 + g % 70) || lpad((g * 7919 % 100000000)::text, 8, '0'),
            'l' || g || '@lead.example.cn', ({_arr(INDUSTRIES)})[1 + (g % 10)], '客户计划年内启动项目。',
            '需要一套可扩展的解决方案。', ((g * 104729) % 5000) * 1000, '今年第三季度', rec, rec + interval '24 hours',
            CASE WHEN st = 'new' THEN NULL ELSE rec + (random() * 30) * interval '1 hour' END,
            '', '', '', '', '',
            CASE WHEN st = 'disqualified' THEN 'no_budget' ELSE '' END, '',
            CASE WHEN st IN ('qualified','disqualified') THEN rec + interval '3 days' END,
            c.id, NULL, 1000 + 100 * t + 10 + {_pick(REPS)},
            CASE WHEN g % 2 = 0 THEN 1000 + 100 * t + {_pick(ENGINEERS)} END, t + 1, NULL, NULL, '', 1
        FROM (
            SELECT g, s.st, {_name_expr("((g * 7919) % 320000)")} AS nm,
                   now() - power(random(), 1.5) * interval '700 days' AS rec,
                   CASE WHEN s.st = 'qualified' THEN 1 + (g * 7) % {m} END AS cust, {TEAM_SKEW} AS t0
            FROM generate_series(1::bigint, {n}) AS g,
                 LATERAL (SELECT (ARRAY['new','contacted','contacted','qualified','qualified','qualified',
                                        'qualified','qualified','disqualified','disqualified'])[1 + g % 10] AS st) s
        ) x
        LEFT JOIN leads_customer c ON c.id = x.cust,
        LATERAL (SELECT coalesce(c.team_id - 1, x.t0) AS t) tt
        """,
    )

    # Opportunities: id 1..n, on a skewed customer, in its team.
    stages = (
        ["lead_intake"] * 10
        + ["needs_analysis"] * 15
        + ["solution"] * 15
        + ["review"] * 8
        + ["demo"] * 8
        + ["bid"] * 7
        + ["contract"] * 7
        + ["handoff"] * 10
        + ["lost"] * 12
        + ["abandoned"] * 8
    )
    add(
        "opportunities",
        f"""
        INSERT INTO presales_opportunity (id, created_at, updated_at, title, description, amount, currency,
            expected_close, competitors, has_tender, stage, stage_entered_at, bid_skip_reason, close_reason,
            close_note, winning_competitor, closed_at, customer_id, lead_id, presales_owner_id, sales_owner_id,
            team_id, version, fx_rate_date, fx_rate_to_cny)
        SELECT g, upd - interval '60 days', upd,
            left(c.normalized_name, 4) || ({_arr(PROJECTS)})[1 + g % 15] || (1 + g % 3) || '期', '',
            round(exp(10 + random() * 5)::numeric, -2), cur, (upd + (random() * 300 - 60) * interval '1 day')::date,
            CASE WHEN g % 3 = 0 THEN '["华为", "新华三"]'::jsonb ELSE '[]'::jsonb END, g % 10 < 3, st,
            upd - random() * interval '50 days', '',
            CASE WHEN st IN ('lost','abandoned') THEN 'price' ELSE '' END, '', '',
            CASE WHEN st IN ('lost','abandoned','handoff') THEN upd END,
            c.id, NULL, 1000 + 100 * (c.team_id - 1) + {_pick(ENGINEERS)},
            CASE WHEN random() < 0.7 THEN c.owner_id ELSE 1000 + 100 * (c.team_id - 1) + 10 + {_pick(REPS)} END,
            c.team_id, 1,
            CASE WHEN cur <> 'CNY' THEN (upd - interval '1 day')::date END,
            CASE cur WHEN 'USD' THEN 7.100000 WHEN 'HKD' THEN 0.910000 WHEN 'EUR' THEN 7.800000 END
        FROM (
            SELECT g, 1 + least(floor({m} * power(random(), 1.5))::int, {m - 1}) AS cust,
                   now() - power(random(), 2) * interval '730 days' AS upd,
                   ({_arr(stages)})[1 + floor(random() * {len(stages)})::int] AS st,
                   (ARRAY['CNY','CNY','CNY','CNY','CNY','CNY','CNY','CNY','CNY','CNY','CNY','CNY','CNY','CNY',
                          'CNY','CNY','CNY','USD','HKD','EUR'])[1 + g % 20] AS cur
            FROM generate_series(1::bigint, {n}) AS g
        ) x JOIN leads_customer c ON c.id = x.cust
        """,
    )
    add(
        "project members",
        f"""
        INSERT INTO presales_projectmember (role, responsibility, created_at, opportunity_id, user_id)
        SELECT 'sales_owner', '', o.created_at, o.id, o.sales_owner_id FROM presales_opportunity o
        UNION ALL
        SELECT 'presales_owner', '', o.created_at, o.id, o.presales_owner_id FROM presales_opportunity o
        UNION ALL
        SELECT 'presales_engineer', '', o.created_at, o.id,
               1000 + 100 * (o.team_id - 1) + ((o.presales_owner_id - 1000) % 100 + 1 + o.id % 5) % {ENGINEERS}
        FROM presales_opportunity o WHERE o.id % 2 = 0
        UNION ALL
        SELECT 'technical_expert', '', o.created_at, o.id, {RD_EXPERT}
        FROM presales_opportunity o WHERE o.id % {max(n // 20, 1)} = 3
        """,
    )

    # Communications: ids 1..2n; odd ones on a customer (with a contact), even ones on a lead.
    add(
        "communications",
        f"""
        INSERT INTO leads_communicationrecord (id, created_at, updated_at, occurred_at, channel, place,
            participants, key_points, customer_feedback, concerns, next_step, next_step_due_at,
            is_first_contact, author_id, contact_id, customer_id, lead_id, entered_late, version)
        SELECT g, occ, occ, occ, (ARRAY['phone','email','meeting','site_visit','im','other'])[1 + g % 6], '',
            '', '讨论了项目范围和时间计划，客户关注交付周期。', '', '',
            CASE WHEN g % 20 IN (0, 7) THEN '提交方案初稿' ELSE '' END,
            CASE WHEN g % 20 IN (0, 7) THEN now() + (random() * 60 - 10) * interval '1 day' END,
            false,
            CASE WHEN c.id IS NULL THEN l.owner_id WHEN g % 4 = 1 THEN c.owner_id
                 ELSE 1000 + 100 * (c.team_id - 1) + {_pick(ENGINEERS)} END,
            CASE WHEN c.id IS NOT NULL THEN 2 * (c.id - 1) + 1 + g % 2 END, c.id, l.id, false, 1
        FROM (
            SELECT g, now() - power(random(), 1.5) * interval '700 days' AS occ,
                   CASE WHEN g % 2 = 1 THEN 1 + least(floor({m} * power(random(), 1.5))::int, {m - 1}) END AS cust,
                   CASE WHEN g % 2 = 0 THEN 1 + floor(random() * {n})::int END AS lead
            FROM generate_series(1::bigint, {2 * n}) AS g
        ) x
        LEFT JOIN leads_customer c ON c.id = x.cust
        LEFT JOIN leads_lead l ON l.id = x.lead
        """,
    )

    # Timers: a first-contact timer per lead, a follow-up timer per promised next step.
    add(
        "lead timers",
        f"""
        INSERT INTO presales_timer (kind, subject_id, state, started_at, due_at, policy, policy_version, context,
            next_action_at, reminders_sent, escalations_sent, reminded_at, escalated_at, satisfied_at,
            cancelled_at, cancel_reason, created_at, owner_id, subject_type_id, team_id)
        SELECT 'lead_first_contact', l.id, CASE WHEN l.first_contacted_at IS NULL THEN 'open' ELSE 'satisfied' END,
            l.received_at, l.first_contact_due_at, '{policies["lead_first_contact"]}'::jsonb, 0, '{{}}'::jsonb,
            CASE WHEN l.first_contacted_at IS NULL AND l.first_contact_due_at > now()
                 THEN l.first_contact_due_at - interval '4 hours' END,
            CASE WHEN l.first_contact_due_at - interval '4 hours' < coalesce(l.first_contacted_at, now()) THEN 1 ELSE 0 END,
            CASE WHEN l.first_contacted_at IS NULL AND l.first_contact_due_at <= now() THEN 1 ELSE 0 END,
            NULL, NULL, l.first_contacted_at, NULL, '', l.received_at, l.owner_id, {ct["lead"]}, l.team_id
        FROM leads_lead l
        """,
    )
    add(
        "follow-up timers",
        f"""
        INSERT INTO presales_timer (kind, subject_id, state, started_at, due_at, policy, policy_version, context,
            next_action_at, reminders_sent, escalations_sent, reminded_at, escalated_at, satisfied_at,
            cancelled_at, cancel_reason, created_at, owner_id, subject_type_id, team_id)
        SELECT 'communication_follow_up', r.id, 'open', r.occurred_at, r.next_step_due_at,
            '{policies["communication_follow_up"]}'::jsonb, 0, '{{}}'::jsonb,
            CASE WHEN r.next_step_due_at > now() THEN greatest(r.next_step_due_at - interval '24 hours', now()) END,
            CASE WHEN r.next_step_due_at - interval '24 hours' <= now() THEN 1 ELSE 0 END,
            CASE WHEN r.next_step_due_at <= now() THEN 1 ELSE 0 END,
            NULL, NULL, NULL, NULL, '', r.occurred_at, r.author_id, {ct["communicationrecord"]},
            coalesce(c.team_id, l.team_id)
        FROM leads_communicationrecord r
        LEFT JOIN leads_customer c ON c.id = r.customer_id
        LEFT JOIN leads_lead l ON l.id = r.lead_id
        WHERE r.next_step_due_at IS NOT NULL
        """,
    )

    # Initiations and their reviews: half of the opportunities past the solution stage; those
    # in review wait for the team manager, the others were approved.
    manager_of = (
        f"CASE WHEN o.team_id - 1 IN ({','.join(map(str, DIRECTOR_TEAMS))}) THEN {DIRECTOR}"
        " ELSE 1000 + 100 * (o.team_id - 1) + 50 END"
    )
    add(
        "review chain",
        """
        INSERT INTO reviews_reviewchain (id, created_at, updated_at, kind, name, description, is_active,
            score_criteria, version, scores_required_on_reject)
        VALUES (1, now() - interval '3 years', now() - interval '3 years', 'initiation', '立项审批', '', true,
            '[]'::jsonb, 1, false);
        INSERT INTO reviews_reviewchainstep ("order", name, approver_role, approver_scope, mode,
            condition_min_amount, approver_user_id, chain_id, parallel_with_previous, check_items)
        VALUES (1, '区域经理审批', 'presales_manager', 'team', 'any', NULL, NULL, 1, false, '[]'::jsonb),
               (2, '总经理审批', 'general_manager', 'company', 'all', 100000, NULL, 1, false, '[]'::jsonb)
        """,
    )
    add(
        "initiations",
        """
        INSERT INTO presales_projectinitiation (id, created_at, updated_at, background, sales_strategy,
            expected_goals, status, revision, reviewed_revision, submitted_at, approved_at, rejected_at,
            opportunity_id, submitted_by_id, version, reviewed_facts)
        SELECT o.id, o.stage_entered_at - interval '10 days', o.stage_entered_at - interval '5 days',
            '客户预算已落实，决策链清晰。', '以行业案例切入，强调交付能力。', '本年度签约。',
            CASE WHEN o.stage = 'review' THEN 'in_review' ELSE 'approved' END, 1, 1,
            o.stage_entered_at - interval '5 days',
            CASE WHEN o.stage = 'review' THEN NULL ELSE o.stage_entered_at - interval '2 days' END, NULL,
            o.id, o.sales_owner_id, 1,
            CASE WHEN o.stage = 'review' THEN '{}'::jsonb ELSE jsonb_build_object(
                'amount', to_char(o.amount, 'FM999999999999990.00'), 'currency', o.currency,
                'fx_rate_to_cny', CASE WHEN o.currency <> 'CNY' THEN to_char(o.fx_rate_to_cny, 'FM990.000000') END)
            END
        FROM presales_opportunity o
        WHERE o.stage IN ('review','demo','bid','contract','handoff') AND o.id % 2 = 0
        """,
    )
    add(
        "reviews",
        f"""
        INSERT INTO reviews_review (id, object_id, kind, status, current_step_order, subject_summary, subject_url,
            amount, score_criteria, started_at, finished_at, outcome_note, version, author_id, content_type_id,
            finished_by_id, started_by_id, team_id, chain_id, currency, fx_rate_date, fx_rate_to_cny,
            original_amount, content_snapshot, scores_required_on_reject)
        SELECT i.id, i.id, 'initiation', CASE WHEN i.status = 'in_review' THEN 'in_progress' ELSE 'approved' END,
            CASE WHEN i.status = 'in_review' THEN 1 END, o.title, '/opportunities/' || o.id || '/#initiation',
            round(o.amount * coalesce(o.fx_rate_to_cny, 1), 2), '[]'::jsonb, i.submitted_at, i.approved_at, '',
            1, o.sales_owner_id, {ct["projectinitiation"]},
            CASE WHEN i.status = 'approved' THEN CASE WHEN o.amount * coalesce(o.fx_rate_to_cny, 1) > 100000
                 THEN {GM} ELSE {manager_of} END END,
            o.sales_owner_id, o.team_id, 1, o.currency, o.fx_rate_date, o.fx_rate_to_cny, o.amount, '{{}}'::jsonb,
            false
        FROM presales_projectinitiation i JOIN presales_opportunity o ON o.id = i.opportunity_id
        """,
    )
    add(
        "review tasks",
        f"""
        INSERT INTO reviews_reviewtask (step_order, step_name, mode, condition_min_amount, state, opened_at,
            decided_at, comment, scores, approver_id, review_id, step_id, stage_order, check_items, checks)
        SELECT 1, '区域经理审批', 'any', NULL, CASE WHEN r.status = 'in_progress' THEN 'pending' ELSE 'approved' END,
            r.started_at, CASE WHEN r.status = 'approved' THEN r.started_at + interval '1 day' END, '', '{{}}'::jsonb,
            {manager_of}, r.id, (SELECT id FROM reviews_reviewchainstep WHERE chain_id = 1 AND "order" = 1),
            1, '[]'::jsonb, '{{}}'::jsonb
        FROM reviews_review r JOIN presales_opportunity o ON o.id = r.object_id
        UNION ALL
        SELECT 2, '总经理审批', 'all', 100000,
            CASE WHEN r.amount <= 100000 THEN 'skipped' WHEN r.status = 'in_progress' THEN 'waiting' ELSE 'approved' END,
            CASE WHEN r.amount > 100000 AND r.status = 'approved' THEN r.started_at + interval '1 day' END,
            CASE WHEN r.amount > 100000 AND r.status = 'approved' THEN r.finished_at END, '', '{{}}'::jsonb,
            CASE WHEN r.amount > 100000 THEN {GM} END, r.id,
            (SELECT id FROM reviews_reviewchainstep WHERE chain_id = 1 AND "order" = 2),
            2, '[]'::jsonb, '{{}}'::jsonb
        FROM reviews_review r
        """,
    )
    add(
        "review timers",
        f"""
        INSERT INTO presales_timer (kind, subject_id, state, started_at, due_at, policy, policy_version, context,
            next_action_at, reminders_sent, escalations_sent, reminded_at, escalated_at, satisfied_at,
            cancelled_at, cancel_reason, created_at, owner_id, subject_type_id, team_id)
        SELECT 'review_step', k.id, 'open', k.opened_at, k.opened_at + interval '2 days',
            '{policies["review_step"]}'::jsonb, 0, jsonb_build_object('review', k.review_id, 'step', 1),
            CASE WHEN k.opened_at + interval '2 days' > now() THEN k.opened_at + interval '44 hours' END,
            CASE WHEN k.opened_at + interval '44 hours' <= now() THEN 1 ELSE 0 END,
            CASE WHEN k.opened_at + interval '2 days' <= now() THEN 1 ELSE 0 END,
            NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, '', k.opened_at, k.approver_id, {ct["reviewtask"]}, u.team_id
        FROM reviews_reviewtask k JOIN presales_user u ON u.id = k.approver_id
        WHERE k.state = 'pending'
        UNION ALL
        SELECT 'initiation_review', i.id, 'open', i.submitted_at, i.submitted_at + interval '2 days',
            '{policies["initiation_review"]}'::jsonb, 0, '{{}}'::jsonb,
            CASE WHEN i.submitted_at + interval '2 days' > now() THEN i.submitted_at + interval '44 hours' END,
            CASE WHEN i.submitted_at + interval '44 hours' <= now() THEN 1 ELSE 0 END,
            CASE WHEN i.submitted_at + interval '2 days' <= now() THEN 1 ELSE 0 END,
            NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, '', i.submitted_at, i.submitted_by_id, {ct["projectinitiation"]}, o.team_id
        FROM presales_projectinitiation i JOIN presales_opportunity o ON o.id = i.opportunity_id
        WHERE i.status = 'in_review'
        """,
    )

    # Sequences follow the explicit ids.
    seq_tables = [
        "presales_team",
        "presales_user",
        "leads_customer",
        "leads_contact",
        "leads_lead",
        "presales_opportunity",
        "leads_communicationrecord",
        "presales_projectinitiation",
        "reviews_review",
        "reviews_reviewchain",
    ]
    add(
        "sequences",
        ";".join(
            f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), coalesce((SELECT max(id) FROM {t}), 1))"
            for t in seq_tables
        ),
    )

    # Who to benchmark as, and what to open.
    add(
        "bench users",
        f"""
        DROP TABLE IF EXISTS bench_scale_users;
        CREATE TABLE bench_scale_users (label text PRIMARY KEY, username text NOT NULL, note text NOT NULL);
        INSERT INTO bench_scale_users VALUES
          ('team', 'eng_0_2', 'presales engineer of the largest team, typical personal load'),
          ('few', 'rd_expert', 'R&D expert (team scope, a team without records): on a few project teams'),
          ('manager', 'director', 'sales manager of three regional teams'),
          ('admin', 'admin', 'admin (all scope)');
        DROP TABLE IF EXISTS bench_scale_objects;
        CREATE TABLE bench_scale_objects (label text PRIMARY KEY, value text NOT NULL);
        INSERT INTO bench_scale_objects
        SELECT 'customer', (SELECT o.customer_id FROM presales_opportunity o WHERE o.team_id = 1
                            GROUP BY o.customer_id ORDER BY count(*) DESC, o.customer_id LIMIT 1)::text
        UNION ALL
        SELECT 'opportunity', (SELECT min(o.id) FROM presales_opportunity o
                               JOIN presales_projectinitiation i ON i.opportunity_id = o.id WHERE o.team_id = 1)::text
        UNION ALL SELECT 'rare_term', '{RARE_NAME}'
        UNION ALL SELECT 'common_term', '{COMMON_TERM}'
        UNION ALL SELECT 'size', '{n}';
        """,
    )
    return steps


BULK_TABLES = (
    "leads_customer",
    "leads_contact",
    "leads_customerpresales",
    "leads_lead",
    "presales_opportunity",
    "presales_projectmember",
    "leads_communicationrecord",
    "presales_timer",
    "presales_projectinitiation",
    "reviews_review",
    "reviews_reviewtask",
)


def _check_foreign_keys(cur) -> None:
    """Every single-column foreign key of the loaded tables points at an existing row."""
    cur.execute(
        """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
           WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.conrelid::regclass::text = ANY(%s)""",
        [list(BULK_TABLES) + ["presales_team", "presales_user", "presales_user_groups"]],
    )
    for table, column, target, target_column in cur.fetchall():
        cur.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} p WHERE p.{target_column} = t.{column})"
        )
        missing = cur.fetchone()[0]
        if missing:
            raise RuntimeError(f"{missing} rows of {table}.{column} point at no {target} row")


def _model_defaults(cur) -> list[tuple[str, str]]:
    """Give every NOT NULL column without a database default the model field's default for the
    load, so that a column added after these INSERTs were written (the schema moves on) gets
    the value Django would give it instead of failing the load. Returns what to drop after."""
    from django.apps import apps
    from django.db import models as dj_models

    cur.execute(
        """SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND is_nullable = 'NO' AND column_default IS NULL
             AND is_identity = 'NO'"""
    )
    bare = set(cur.fetchall())
    filled = []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            if (table, field.column) not in bare or isinstance(field, dj_models.ForeignKey):
                continue
            if not field.has_default() and not field.empty_strings_allowed:
                continue
            value = field.get_default()
            if value is None:
                continue
            if isinstance(field, dj_models.JSONField):
                value = json.dumps(value)
            if not isinstance(value, str | int | float | bool):
                continue  # dates, times, zones …: none of the load's tables lacks one
            cur.execute(f'ALTER TABLE {table} ALTER COLUMN "{field.column}" SET DEFAULT %s', [value])
            filled.append((table, field.column))
    return filled


def generate(size: str, database_url: str | None = None, *, quiet: bool = False) -> dict[str, str]:
    """Fill the ``size`` database (see the module docstring); returns the bench users by label."""
    size = size.lower()
    if size not in SIZES:
        raise SystemExit(f"--size must be one of {', '.join(SIZES)}")
    n = SIZES[size]
    url = database_url or database_url_for(size)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))

    import django

    django.setup()
    import psycopg2
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.core.management import call_command

    from presales.sla.policies import get_kind

    _check_words()
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"[{size}] migrated in {time.monotonic() - started:.1f}s")

    conn = psycopg2.connect(url)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(
        "SELECT model, id FROM django_content_type WHERE model IN "
        "('lead','communicationrecord','projectinitiation','reviewtask')"
    )
    ct = dict(cur.fetchall())
    policies = {
        kind: json.dumps(get_kind(kind).default.as_snapshot()).replace("'", "''")
        for kind in ("lead_first_contact", "communication_follow_up", "review_step", "initiation_review")
    }
    # Production settings use PBKDF2; the hash is computed once for everyone.
    password_hash = PBKDF2PasswordHasher().encode(BENCH_PASSWORD, "benchscalesalt")

    # Empty every table except the migrations' own rows (groups, content types, permissions,
    # periodic tasks, policies …): all that references users or domain rows.
    cur.execute(
        """SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables WHERE schemaname = 'public' AND
           tablename NOT IN ('django_migrations', 'django_content_type', 'auth_group', 'auth_permission',
                             'auth_group_permissions', 'django_site')
           AND tablename NOT LIKE 'django_celery_beat%' AND tablename NOT LIKE 'bench_%'"""
    )
    tables = cur.fetchone()[0]
    cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    cur.execute("SET synchronous_commit = off; SET maintenance_work_mem = '256MB'; SET work_mem = '64MB'")
    cur.execute("SELECT setseed(0.4242)")
    # Bulk load: the secondary indexes of the big tables are dropped and built again after
    # (one sort each instead of a million random insertions), and foreign keys are checked
    # once per constraint afterwards instead of by a trigger per row.
    cur.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)""",
        [list(BULK_TABLES)],
    )
    indexes = cur.fetchall()
    for name, _definition in indexes:
        cur.execute(f"DROP INDEX {name}")
    cur.execute("SET session_replication_role = replica")
    filled = _model_defaults(cur)
    for label, statement in _statements(n, ct, policies, password_hash):
        t0 = time.monotonic()
        cur.execute(statement)
        say(
            f"[{size}] {label}: {cur.rowcount if cur.rowcount >= 0 else ''} rows, {time.monotonic() - t0:.1f}s"
        )
    cur.execute("SET session_replication_role = DEFAULT")
    for table, column in filled:
        cur.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" DROP DEFAULT')
    t0 = time.monotonic()
    for _name, definition in indexes:
        cur.execute(definition)
    say(f"[{size}] {len(indexes)} indexes built in {time.monotonic() - t0:.1f}s")
    t0 = time.monotonic()
    _check_foreign_keys(cur)
    say(f"[{size}] foreign keys checked in {time.monotonic() - t0:.1f}s")
    t0 = time.monotonic()
    cur.execute("VACUUM ANALYZE")
    say(f"[{size}] VACUUM ANALYZE {time.monotonic() - t0:.1f}s; total {time.monotonic() - started:.1f}s")
    cur.execute("SELECT label, username FROM bench_scale_users ORDER BY label")
    users = dict(cur.fetchall())
    cur.execute("SELECT label, value FROM bench_scale_objects ORDER BY label")
    objects = dict(cur.fetchall())
    conn.close()
    say(
        f"[{size}] bench users (password {BENCH_PASSWORD}): "
        + ", ".join(f"{k}={v}" for k, v in users.items())
    )
    say(f"[{size}] objects: " + ", ".join(f"{k}={v}" for k, v in objects.items()))
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", required=True, choices=sorted(SIZES))
    parser.add_argument("--database-url", help="default: DATABASE_URL's name + _<size>")
    args = parser.parse_args()
    generate(args.size, args.database_url)


if __name__ == "__main__":
    main()

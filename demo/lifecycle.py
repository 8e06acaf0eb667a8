"""Demo pipeline: opportunities in every stage, initiation requests approved, one waiting
in the sales manager's inbox, one rejected with comments; lost and abandoned deals with
their reasons (R-OPP-1..3).

Everything is made through the lifecycle and review services, as users would. Idempotent:
customers are found by name and an opportunity that exists (by title) is left alone.
Runs after ``demo.people``; creates the customers it needs itself.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from demo import bids, solutions
from demo.contracts import await_general_manager, sign_for_handoff
from demo.handoff import build_handoffs
from demo.needs import ensure_confirmed_needs
from demo.payments import collect_payments
from leads.choices import Industry
from leads.models import Customer
from leads.services import customer_create
from opportunities.choices import CloseReason, ProjectRole, Stage
from opportunities.models import Opportunity, StageChange
from opportunities.services import initiation_save, initiation_submit, opportunity_create, opportunity_move
from proposals.demos.defaults import ensure_trial_chain
from reviews.choices import Decision
from reviews.defaults import ensure_default_chains
from reviews.selectors import reviews_for_subject
from reviews.services import review_decide

# name: (industry, employees, annual revenue in CNY, region, need tags, fit, value, team, sales owner, presales)
CUSTOMERS = {
    "苏州精工机械制造有限公司 Suzhou Precision Machinery": (
        Industry.MANUFACTURING,
        500,
        Decimal("100000000"),
        "江苏 苏州 Suzhou, Jiangsu",
        ["生产效率 production efficiency", "成本控制 cost control"],
        4,
        4,
        "east",
        "sales",
        "engineer",
    ),
    "杭州云帆物流集团 Hangzhou Yunfan Logistics": (
        Industry.TRANSPORT,
        1200,
        Decimal("800000000"),
        "浙江 杭州 Hangzhou, Zhejiang",
        ["仓储自动化 warehouse automation", "降本 cost reduction"],
        4,
        5,
        "east",
        "sales",
        "engineer2",
    ),
    "上海瑞康医院 Shanghai Ruikang Hospital": (
        Industry.HEALTHCARE,
        2000,
        Decimal("600000000"),
        "上海 Shanghai",
        ["信息安全 information security", "效率 efficiency"],
        3,
        4,
        "east",
        "sales",
        "engineer",
    ),
    "宁波海达电子有限公司 Ningbo Haida Electronics": (
        Industry.MANUFACTURING,
        800,
        Decimal("350000000"),
        "浙江 宁波 Ningbo, Zhejiang",
        ["质量追溯 quality traceability", "生产效率 production efficiency"],
        4,
        3,
        "east",
        "sales",
        "engineer2",
    ),
    "南京智汇教育科技 Nanjing Zhihui Education": (
        Industry.EDUCATION,
        150,
        Decimal("30000000"),
        "江苏 南京 Nanjing, Jiangsu",
        ["教学数字化 digital teaching"],
        3,
        2,
        "east",
        "sales",
        "engineer",
    ),
    "北京华信能源集团 Beijing Huaxin Energy": (
        Industry.ENERGY,
        3000,
        Decimal("2000000000"),
        "北京 Beijing",
        ["安全生产 safe operations", "能耗管理 energy management"],
        5,
        5,
        "north",
        # North China has no sales rep: the sales manager (who covers it) owns the account.
        "sales_manager",
        "engineer_north",
    ),
}

INITIATION = {
    "background": (
        "{customer}: {employees} 人，年营收约 ¥{revenue} 百万。项目背景：{title}。\n"
        "{employees} staff, revenue about ¥{revenue}M. Budget approved for this year; the IT "
        "director and the plant director decide together."
    ),
    "sales_strategy": (
        "以同行业成功案例切入，先做现场调研，邀请客户参观样板工厂。\n"
        "Lead with a same-industry success case, start with a site survey, invite the customer "
        "to the reference plant."
    ),
    "expected_goals": ("赢得一期项目并签订框架协议。\nWin phase 1 and sign the framework agreement."),
}

# title: (customer, amount, tender, days since qualified, path of moves, initiation outcome, extra)
# The path lists the moves after the initiation's approval (which starts needs analysis).
OPPORTUNITIES = [
    (
        "二期产线 MES 升级 MES upgrade, phase 2",
        "苏州精工机械制造有限公司 Suzhou Precision Machinery",
        Decimal("1200000"),
        False,
        3,
        [],
        None,
    ),
    (
        "智能仓储 WMS 项目 Smart warehouse WMS",
        "杭州云帆物流集团 Hangzhou Yunfan Logistics",
        Decimal("2600000"),
        True,
        6,
        [],
        "in_review",
    ),
    (
        "门诊信息化平台 Outpatient IT platform",
        "上海瑞康医院 Shanghai Ruikang Hospital",
        Decimal("1800000"),
        True,
        9,
        [],
        "rejected",
    ),
    (
        "电厂安全生产监控 Plant safety monitoring",
        "北京华信能源集团 Beijing Huaxin Energy",
        Decimal("5200000"),
        True,
        4,
        [],
        None,
    ),
    (
        "质量追溯系统 Quality traceability",
        "宁波海达电子有限公司 Ningbo Haida Electronics",
        Decimal("950000"),
        False,
        12,
        [],
        "approved",
    ),
    (
        "设备联网与 OEE 分析 Machine connectivity and OEE",
        "苏州精工机械制造有限公司 Suzhou Precision Machinery",
        Decimal("680000"),
        False,
        20,
        ["start_solution"],
        "approved",
    ),
    (
        "运输管理 TMS 升级 TMS upgrade",
        "杭州云帆物流集团 Hangzhou Yunfan Logistics",
        Decimal("1500000"),
        True,
        28,
        ["start_solution", "submit_for_review"],
        "approved",
    ),
    (
        "SMT 车间数字化 SMT floor digitalisation",
        "宁波海达电子有限公司 Ningbo Haida Electronics",
        Decimal("2100000"),
        False,
        35,
        ["start_solution", "submit_for_review", "start_demo"],
        "approved",
    ),
    (
        "冷链监控平台 Cold-chain monitoring",
        "杭州云帆物流集团 Hangzhou Yunfan Logistics",
        Decimal("3400000"),
        True,
        50,
        ["start_solution", "submit_for_review", "start_demo", "start_bid"],
        "approved",
    ),
    (
        "能耗管理系统 Energy management system",
        "苏州精工机械制造有限公司 Suzhou Precision Machinery",
        Decimal("880000"),
        False,
        60,
        ["start_solution", "submit_for_review", "start_demo", "skip_bid"],
        "approved",
    ),
    (
        "影像归档系统 PACS archive",
        "上海瑞康医院 Shanghai Ruikang Hospital",
        Decimal("2950000"),
        True,
        90,
        ["start_solution", "submit_for_review", "start_demo", "start_bid", "start_contract", "handoff"],
        "approved",
    ),
    (
        "智慧校园一卡通 Smart campus card",
        "南京智汇教育科技 Nanjing Zhihui Education",
        Decimal("420000"),
        True,
        45,
        ["start_solution", "submit_for_review", "start_demo", "start_bid", "mark_lost"],
        "approved",
    ),
    (
        "园区能耗监测 Park energy monitoring",
        "宁波海达电子有限公司 Ningbo Haida Electronics",
        Decimal("1350000"),
        False,
        120,
        ["start_solution", "submit_for_review", "start_demo", "skip_bid", "handoff"],
        "approved",
    ),
    (
        "医院物流机器人 Hospital logistics robots",
        "上海瑞康医院 Shanghai Ruikang Hospital",
        Decimal("1100000"),
        True,
        150,
        ["start_solution", "submit_for_review", "start_demo", "start_bid", "start_contract", "handoff"],
        "approved",
    ),
    (
        "仓库 AGV 试点 Warehouse AGV pilot",
        "杭州云帆物流集团 Hangzhou Yunfan Logistics",
        Decimal("760000"),
        False,
        30,
        ["start_solution", "abandon"],
        "approved",
    ),
]

MOVE_INPUTS = {
    "skip_bid": {
        "bid_skip_reason": "客户直接采购，报价谈判后签约，无招标。Direct purchase after quotation and negotiation; no tender.",
    },
    "mark_lost": {
        "reason": CloseReason.PRICE,
        "winning_competitor": "东方智控 Dongfang Zhikong",
        "note": "竞争对手报价低 18%。The winner's price was 18 % lower.",
    },
    "abandon": {
        "reason": CloseReason.LOW_WIN_CHANCE,
        "note": "客户预算推迟到明年，赢单概率低。Budget postponed to next year; low chance to win.",
    },
}

REJECTION = (
    "销售策略不清晰：请说明与现有 HIS 厂商的关系，并补充预算来源。"
    "The sales strategy is unclear: explain our position against the incumbent HIS vendor and "
    "where the budget comes from."
)


def _customer(ctx, name: str) -> Customer:
    existing = Customer.objects.filter(name=name).first()
    if existing is not None:
        return existing
    industry, employees, revenue, region, tags, fit, value, team, owner, presales = CUSTOMERS[name]
    return customer_create(
        actor=ctx.users[owner],
        data={
            "name": name,
            "industry": industry,
            "employees": employees,
            "annual_revenue": revenue,
            "region": region,
            "fit_score": fit,
            "value_score": value,
            "team": ctx.teams[team],
            "owner": ctx.users[owner],
        },
        need_tags=tags,
        primary_presales=ctx.users[presales],
    )


def _initiation(ctx, opportunity: Opportunity, author, customer: Customer, outcome: str) -> None:
    values = {
        "customer": customer.name,
        "employees": customer.employees,
        "revenue": int((customer.annual_revenue or 0) / 1_000_000),
        "title": opportunity.title,
    }
    team_rows = [
        {
            "user": ctx.users["rd_head"],
            "role": ProjectRole.TECHNICAL_EXPERT,
            "responsibility": "接口与二次开发 Interfaces",
        },
        {
            "user": ctx.users["aftersales_head"],
            "role": ProjectRole.AFTER_SALES,
            "responsibility": "实施与运维 Rollout",
        },
    ]
    initiation = initiation_save(
        actor=author,
        opportunity=opportunity,
        data={k: v.format(**values) for k, v in INITIATION.items()},
        team=team_rows,
    )
    initiation_submit(actor=author, initiation=initiation)
    review = reviews_for_subject(initiation).first()
    if outcome == "approved":
        review_decide(
            actor=ctx.users["sales_manager"],
            review=review,
            decision=Decision.APPROVE,
            comment="同意立项。Approved.",
        )
    elif outcome == "rejected":
        review_decide(
            actor=ctx.users["sales_manager"], review=review, decision=Decision.REJECT, comment=REJECTION
        )


def _backdate(opportunity: Opportunity, days_ago: int) -> None:
    """Spread the demo's stage changes over the past weeks so the board shows days in stage.
    Timestamps and the expected close only; the stage and its history were written by the
    services."""
    now = timezone.now()
    changes = list(StageChange.objects.filter(opportunity=opportunity).order_by("at", "pk"))
    step = days_ago / (len(changes) + 1)
    for index, change in enumerate(changes, start=1):
        StageChange.objects.filter(pk=change.pk).update(at=now - timedelta(days=days_ago - step * index))
    entered = (
        now - timedelta(days=days_ago - step * len(changes)) if changes else now - timedelta(days=days_ago)
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        expected_close=timezone.localdate() + timedelta(days=120 - days_ago),
        stage_entered_at=entered,
        closed_at=entered if opportunity.stage in (Stage.HANDOFF, Stage.LOST, Stage.ABANDONED) else None,
    )


def build(ctx) -> None:
    ensure_default_chains()
    ensure_trial_chain()  # R-DEMO-3: trials, POCs and loans (proposals.demos.defaults)
    today = timezone.localdate()
    created = 0
    for title, customer_name, amount, tender, days_ago, path, outcome in OPPORTUNITIES:
        if Opportunity.objects.filter(title=title).exists():
            continue
        customer = _customer(ctx, customer_name)
        team_key, owner_key, presales_key = CUSTOMERS[customer_name][7:10]
        author = ctx.users[presales_key]
        opportunity = opportunity_create(
            actor=author,
            data={
                "customer": customer,
                "title": title,
                "amount": amount,
                # A close date in range now; _backdate moves it with the rest of the history.
                "expected_close": today + timedelta(days=120),
                "competitors": ["东方智控 Dongfang Zhikong", "华宇数科 Huayu Digital"],
                "has_tender": tender,
                "team": ctx.teams[team_key],
                "sales_owner": ctx.users[owner_key],
                "presales_owner": ctx.users[presales_key],
            },
        )
        if outcome is not None:
            _initiation(ctx, opportunity, author, customer, outcome)
        version = None
        for move in path:
            # R-SOL-5: the review stage needs a submitted solution version, the demo an approved one.
            if move == "submit_for_review":
                version = solutions.write_and_submit(opportunity, author)
            if move == "start_demo" and version is not None:
                solutions.approve(version)
            if move == "start_solution":
                contact = customer.contacts.order_by("pk").first()
                ensure_confirmed_needs(opportunity, author, contact.name if contact else "客户IT主管")
            if move == "handoff":  # R-CON-3: an approved, signed contract
                sign_for_handoff(opportunity, author, version)
            if move == "start_bid":
                bids.decide_bid(ctx, opportunity, author)  # R-BID-5
            if move == "start_contract":
                bids.win_bid(ctx, opportunity, author)  # R-BID-4
            # R-BID-4: a tender deal is lost through its bid, with the winner and price.
            if (
                move == "mark_lost"
                and opportunity.stage == Stage.BID
                and bids.lose_bid(ctx, opportunity, author)
            ):
                continue
            inputs = dict(MOVE_INPUTS.get(move, {}))
            opportunity = opportunity_move(actor=author, opportunity=opportunity, move=move, **inputs)
        if path and path[-1] == "skip_bid":
            # R-REV-4: a contract above the threshold waiting for the general manager's step.
            await_general_manager(opportunity, author, version)
        opportunity.refresh_from_db()
        _backdate(opportunity, days_ago)
        created += 1
    ctx.log.append(
        f"Demo pipeline: {created} opportunities created, {len(OPPORTUNITIES) - created} already there."
    )
    # R-PAY-1: receipts and an overdue instalment; R-HAND-2/3: acknowledged handoffs, a passed
    # acceptance (surveys scheduled) and a failed one under rectification.
    collected = collect_payments()
    ctx.log.append(
        f"Demo payments: {collected['receipts']} receipts, {collected['overdue']} overdue instalment(s)."
    )
    build_handoffs(ctx)

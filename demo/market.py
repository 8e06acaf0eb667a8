"""The demo's competitors, risks and visit plans, all through their services:

- R-COMP-1: four competitor records with products, strengths and weaknesses and dated,
  sourced intelligence; in play on several open opportunities with their offer, price and
  our differentiators (the lost deal's winner was linked when its bid was lost);
- R-RISK-1: risks on open opportunities, one at the warning level, one high and accepted by
  the team's manager (credit assessments are recorded with the contracts: demo/contracts.py);
- R-CUST-7: visit plans, two planned and one held (a site-visit communication), and the
  customers' contact-cadence timers aligned (``cadence_backfill``).

Idempotent: competitors by name, products and intelligence only on a competitor without any,
in-play rows by (opportunity, competitor) and only while their offer is blank, risks by
(opportunity, title), visits by (customer, purpose).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bids.models import Risk
from bids.risks import services as risks
from leads.cadence import cadence_backfill
from leads.models import Customer, VisitPlan
from leads.visits import visit_plan_create, visit_plan_done
from opportunities.competitors import services as competitors
from opportunities.models import Competitor, Opportunity, OpportunityCompetitor

# name: (profile, products, intelligence (days ago, source, text))
COMPETITORS: dict[str, tuple[dict[str, Any], list[dict[str, str]], list[tuple[int, str, str]]]] = {
    "东方智控 Dongfang Zhikong": (
        {
            "aliases": "东方智控\nDongfang",
            "website": "https://dfzk.example.cn",
            "strengths": "价格低，华东制造业客户多，实施团队本地化。Low prices, many East China plants.",
            "weaknesses": "产品二次开发多，版本升级困难；售后响应慢。Heavy customisation, slow support.",
            "notes": "常以低价切入一期，二期加价。Undercuts phase 1, recovers in phase 2.",
        },
        [
            {"name": "DF-MES 标准版", "price_range": "¥30–80 万", "notes": "按工厂授权"},
            {"name": "DF-WMS", "price_range": "¥50–120 万"},
        ],
        [
            (12, "客户采购部 王经理", "冷链项目报价比我方低约 15%，含三年免费运维。"),
            (40, "招标公告 中国招标投标公共服务平台", "中标宁波某电子厂 MES 项目，金额 ¥68 万。"),
        ],
    ),
    "华宇数科 Huayu Digital": (
        {
            "website": "https://huayu.example.cn",
            "strengths": "央企背景，能源与政府行业关系强；有信创认证。Strong in energy and government.",
            "weaknesses": "方案偏通用，制造业现场经验少，交付周期长。Generic, slow delivery.",
        },
        [{"name": "华宇安全生产平台", "price_range": "¥200–600 万", "notes": "含硬件集成"}],
        [(20, "行业展会 2026 工业博览会", "发布新版安全生产平台，主打 AI 视频识别。")],
    ),
    "海川软件 Haichuan Software": (
        {
            "website": "https://haichuan.example.cn",
            "strengths": "物流行业 TMS/WMS 案例多，产品成熟。Mature logistics products.",
            "weaknesses": "硬件集成依赖第三方；定制报价高。Relies on partners for hardware.",
        },
        [{"name": "海川 WMS Cloud", "price_range": "¥40 万/年 订阅"}],
        [(8, "客户 IT 主管 李工", "已为云帆物流做过免费 POC，演示了波次拣货。")],
    ),
    "金盾信息 Jindun Information": (
        {
            "strengths": "医疗与金融行业等保方案强。Strong security compliance offering.",
            "weaknesses": "团队规模小，同时承接项目有限。Small team.",
        },
        [{"name": "金盾数据安全网关", "price_range": "¥15–40 万"}],
        [(30, "合作伙伴 渠道商", "正在上海多家医院推广数据脱敏网关。")],
    ),
}

# opportunity title: [(competitor, their offer, their price, our differentiators)]
IN_PLAY: dict[str, list[tuple[str, str, str, str]]] = {
    "冷链监控平台 Cold-chain monitoring": [
        (
            "东方智控 Dongfang Zhikong",
            "温湿度监控 + 三年免费运维",
            "2890000",
            "我方传感器自研，断网续传 72 小时；已有 3 家冷链客户案例。",
        ),
        (
            "海川软件 Haichuan Software",
            "冷链 SaaS 订阅，按车辆计费",
            "2600000",
            "私有化部署满足客户数据不出园区的要求。",
        ),
    ],
    "智能仓储 WMS 项目 Smart warehouse WMS": [
        (
            "海川软件 Haichuan Software",
            "WMS Cloud 订阅 + 免费 POC",
            "2400000",
            "我方含 AGV 调度与硬件集成，一家负责到底。",
        ),
    ],
    "电厂安全生产监控 Plant safety monitoring": [
        (
            "华宇数科 Huayu Digital",
            "安全生产平台 + AI 视频识别",
            "5600000",
            "我方在同类电厂已稳定运行两年，交付周期短 2 个月。",
        ),
    ],
    "SMT 车间数字化 SMT floor digitalisation": [
        (
            "东方智控 Dongfang Zhikong",
            "DF-MES 标准版，一期低价",
            "1750000",
            "标准产品少定制，升级平滑；质量追溯 10 分钟出结果。",
        ),
    ],
}

# opportunity title: [(title, category, likelihood, impact, response, plan, accepted by, reason)]
RISKS: dict[str, list[tuple[str, str, int, int, str, str, str, str]]] = {
    "冷链监控平台 Cold-chain monitoring": [
        (
            "竞争对手低价 15% / Competitor 15 % cheaper",
            "competition",
            3,
            4,
            "mitigate",
            "强调三年总拥有成本，提供分期付款。Stress the three-year TCO; offer instalments.",
            "",
            "",
        ),
    ],
    "SMT 车间数字化 SMT floor digitalisation": [
        (
            "ERP 接口未定义 / ERP interface undefined",
            "technical",
            4,
            4,
            "mitigate",
            "与客户 ERP 厂商召开接口评审会。Interface review with the ERP vendor.",
            "presales_manager",
            "客户已书面承诺 ERP 厂商配合，风险可控。The customer committed the ERP vendor in writing.",
        ),
        (
            "现场网络改造延迟 / Floor network late",
            "delivery",
            2,
            2,
            "accept",
            "",
            "",
            "",
        ),
    ],
}

# customer: [(planner, days ahead, purpose, participants, done outcome or "")]
VISITS: dict[str, list[tuple[str, int, str, list[str], str]]] = {
    "苏州精工机械制造有限公司 Suzhou Precision Machinery": [
        (
            "sales",
            5,
            "二期 MES 需求调研，与生产总监确认范围 / Phase-2 MES scope with the plant director",
            ["engineer"],
            "",
        ),
    ],
    "北京华信能源集团 Beijing Huaxin Energy": [
        (
            "sales_manager",
            9,
            "安全生产监控方案交流 / Safety monitoring solution workshop",
            ["engineer_north"],
            "",
        ),
    ],
    "宁波海达电子有限公司 Ningbo Haida Electronics": [
        (
            "sales",
            0,
            "质量追溯系统上线回访 / Follow-up visit on the traceability roll-out",
            ["engineer2"],
            "客户满意，提出二期需求：SPC 与设备 OEE。Satisfied; asked for SPC and OEE in phase 2.",
        ),
    ],
}


def _competitors(ctx) -> int:
    manager = ctx.users["presales_manager"]
    made = 0
    for name, (profile, products, intel) in COMPETITORS.items():
        record = competitors.find_competitor(name)
        if record is None:
            record = competitors.competitor_create(actor=manager, data={"name": name, **profile})
            made += 1
        elif not record.strengths:
            record = competitors.competitor_update(actor=manager, competitor=record, data=profile)
        if not record.products.exists():
            for product in products:
                competitors.competitor_product_save(actor=manager, competitor=record, data=product)
        if not record.intel.exists():
            for days_ago, source, text in intel:
                competitors.intel_add(
                    actor=ctx.users["engineer"],
                    competitor=record,
                    text=text,
                    source=source,
                    observed_on=timezone.localdate() - timedelta(days=days_ago),
                )
    return made


def _in_play(ctx) -> None:
    for title, rows in IN_PLAY.items():
        opportunity = Opportunity.objects.filter(title=title).first()
        if opportunity is None or not opportunity.is_open:
            continue
        actor = opportunity.presales_owner
        if actor is None:
            continue
        for name, offer, price, differentiators in rows:
            data = {"offer": offer, "price": Decimal(price), "differentiators": differentiators}
            record = Competitor.objects.get(name=name)
            link = OpportunityCompetitor.objects.filter(opportunity=opportunity, competitor=record).first()
            if link is None:
                competitors.opportunity_competitor_add(
                    actor=actor, opportunity=opportunity, competitor=record, data=data
                )
            elif not link.offer:
                competitors.opportunity_competitor_update(
                    actor=actor, link=link, data={**data, "in_play": True}
                )


def _risks(ctx) -> None:
    today = timezone.localdate()
    for title, rows in RISKS.items():
        opportunity = Opportunity.objects.filter(title=title).first()
        if opportunity is None or not opportunity.is_open:
            continue
        author = opportunity.presales_owner or ctx.users["presales_manager"]
        for name, category, likelihood, impact, response, plan, acceptor, reason in rows:
            if Risk.objects.filter(opportunity=opportunity, title=name).exists():
                continue
            risk = risks.risk_create(
                actor=author,
                opportunity=opportunity,
                data={
                    "category": category,
                    "title": name,
                    "likelihood": likelihood,
                    "impact": impact,
                    "response": response,
                    "response_plan": plan,
                    "review_on": today + timedelta(days=14),
                },
            )
            if acceptor:
                risks.risk_accept(actor=ctx.users[acceptor], risk=risk, reason=reason)


def _visits(ctx) -> None:
    now = timezone.now()
    for customer_name, rows in VISITS.items():
        customer = Customer.objects.filter(name=customer_name).first()
        if customer is None:
            continue
        for planner, days, purpose, participants, outcome in rows:
            if VisitPlan.objects.filter(customer=customer, purpose=purpose).exists():
                continue
            planned_at = (now + timedelta(days=days)).replace(hour=10 if days else now.hour, minute=0)
            contacts = list(customer.contacts.order_by("pk")[:2])
            plan = visit_plan_create(
                actor=ctx.users[planner],
                customer=customer,
                data={
                    "planned_at": planned_at,
                    "purpose": purpose,
                    "contacts": contacts,
                    "participants": [ctx.users[key] for key in participants],
                },
            )
            if outcome:
                visit_plan_done(actor=ctx.users[planner], plan=plan, outcome=outcome)


def build(ctx) -> None:
    made = _competitors(ctx)
    _in_play(ctx)
    _risks(ctx)
    _visits(ctx)
    checked = cadence_backfill()
    ctx.log.append(
        f"Demo competitors: {made} new; risks and visit plans recorded; cadence of {checked} customers aligned."
    )

"""The demo's knowledge base (R-KB-1): published articles of every kind — industry news with
its source, product knowledge, three solution cases (industry, size, outcome), project
experience, two industry needs templates (manufacturing and finance, with their requirement
items) and reusable bid answers — written and published through knowledge/services.py.

Idempotent: an article is found by its title; one that exists is left as it is.
"""

from __future__ import annotations

from typing import Any

from knowledge import services
from knowledge.choices import ArticleKind, ArticleStatus, CaseOutcome
from knowledge.models import Article
from leads.choices import Industry, SizeClass

# (author, data, tags, needs items)
ARTICLES: list[tuple[str, dict[str, Any], list[str], list[dict[str, Any]]]] = [
    (
        "engineer",
        {
            "kind": ArticleKind.INDUSTRY_NEWS,
            "title": "工信部发布《智能制造典型场景参考指引》 Smart-manufacturing scenario guide published",
            "summary": "工信部公布 40 个智能制造典型场景，设备联网、质量追溯、能耗管理均在列。",
            "body": (
                "指引列出工厂设计、生产作业、质量管控、设备管理、安全管控、能源管理等 40 个典型场景。"
                "对客户的意义：质量追溯和能耗在线监测项目可申报地方技改补贴（一般为投资额的 10%–20%）。\n"
                "The guide lists 40 scenarios; traceability and energy monitoring projects qualify for "
                "local retrofit subsidies of 10–20 % of the investment."
            ),
            "industry": Industry.MANUFACTURING,
            "source": "工业和信息化部官网 miit.gov.cn",
        },
        ["智能制造", "政策", "补贴"],
        [],
    ),
    (
        "engineer2",
        {
            "kind": ArticleKind.INDUSTRY_NEWS,
            "title": "金融行业信创替代进入核心系统阶段 Finance IT localisation reaches core systems",
            "summary": "多家城商行启动核心系统国产化改造，2027 年前完成。",
            "body": (
                "监管要求 2027 年前完成核心业务系统的信创替代，城商行与农商行的招标集中在数据库、"
                "中间件和服务器。售前注意：方案必须列出国产化适配清单和等保三级测评结论。"
            ),
            "industry": Industry.FINANCE,
            "source": "《中国金融电脑》2026年第11期",
        },
        ["信创", "金融"],
        [],
    ),
    (
        "engineer",
        {
            "kind": ArticleKind.PRODUCT,
            "title": "MES 6.0 产品要点 MES 6.0 product essentials",
            "summary": "工单管理、质量追溯、设备 OEE、电子看板；支持私有化部署与国产数据库。",
            "body": (
                "模块：生产计划与工单、物料追溯（批次/单件）、质量检验（SPC）、设备联网与 OEE、电子看板。\n"
                "部署：私有化或混合云；数据库支持 PostgreSQL、达梦、人大金仓。\n"
                "典型实施周期：一期 3–4 个月。报价基准：软件许可按并发用户计，实施按人天计。"
            ),
            "product": "MES 6.0",
        },
        ["MES", "产品"],
        [],
    ),
    (
        "presales_manager",
        {
            "kind": ArticleKind.PRODUCT,
            "title": "工业网关 IG-200 选型说明 Industrial gateway IG-200 sizing",
            "summary": "每台网关接入 32 台设备；支持 Modbus、OPC UA、西门子 S7。",
            "body": (
                "每台 IG-200 可接入 32 台设备，采集频率 1 秒；协议：Modbus TCP/RTU、OPC UA、S7、FINS。"
                "断网续传 72 小时。选型：设备数 ÷ 32 向上取整，另加 10% 备用。"
            ),
            "product": "IG-200",
        },
        ["硬件", "设备联网"],
        [],
    ),
    (
        "engineer",
        {
            "kind": ArticleKind.SOLUTION_CASE,
            "title": "某汽车零部件厂 MES 一期：交付周期缩短 18% Auto-parts plant MES: lead time down 18 %",
            "summary": "500 人规模零部件厂，上线工单与追溯模块，交付周期缩短 18%，不良率下降 1.2 个百分点。",
            "body": (
                "背景：纸质工单，追溯靠人工翻查。方案：MES 工单 + 批次追溯 + 20 台工业网关。\n"
                "成效：交付周期缩短 18%，客诉追溯时间从 2 天降到 10 分钟。"
            ),
            "industry": Industry.MANUFACTURING,
            "size_class": SizeClass.MEDIUM,
            "outcome": CaseOutcome.DELIVERED,
        },
        ["案例", "MES", "制造"],
        [],
    ),
    (
        "engineer2",
        {
            "kind": ArticleKind.SOLUTION_CASE,
            "title": "城商行数据中台：监管报送自动化 City bank data platform: automated regulatory reports",
            "summary": "资产 3000 亿的城商行，监管报表自动生成，报送人力减少 60%。",
            "body": "以数据中台统一口径，1104 与 EAST 报送自动生成，校验规则 1200 条。",
            "industry": Industry.FINANCE,
            "size_class": SizeClass.LARGE,
            "outcome": CaseOutcome.WON,
        },
        ["案例", "金融", "数据中台"],
        [],
    ),
    (
        "engineer_north",
        {
            "kind": ArticleKind.SOLUTION_CASE,
            "title": "某热电厂安全监控投标失利复盘 Power plant safety monitoring: a lost bid",
            "summary": "价格高于中标方 15%，技术分领先但商务分落后。",
            "body": "教训：提前了解评分办法中价格分的计算方式；国产化适配证明要在投标前备齐。",
            "industry": Industry.ENERGY,
            "size_class": SizeClass.LARGE,
            "outcome": CaseOutcome.LOST,
        },
        ["案例", "投标", "能源"],
        [],
    ),
    (
        "presales_manager",
        {
            "kind": ArticleKind.PROJECT_EXPERIENCE,
            "title": "现场调研清单与常见坑 Site survey checklist and pitfalls",
            "summary": "调研前确认车间网络、设备协议和决策链；避免只见 IT 不见生产。",
            "body": (
                "1. 提前拿到设备清单（品牌、型号、协议）；2. 车间是否有有线网络；"
                "3. 同时访谈生产总监与 IT 主管；4. 记录客户原话作为需求依据；5. 调研后 48 小时内出纪要。"
            ),
        },
        ["调研", "经验"],
        [],
    ),
    (
        "presales_manager",
        {
            "kind": ArticleKind.NEEDS_TEMPLATE,
            "title": "制造业需求分析表模板 Manufacturing needs analysis template",
            "summary": "制造业客户调研用的标准需求清单（刚性/柔性）。",
            "industry": Industry.MANUFACTURING,
        },
        ["需求分析表", "制造"],
        [
            {"category": "生产管理", "description": "工单下达到车间并实时报工", "rigid": True},
            {"category": "质量", "description": "原材料到成品的批次追溯，10 分钟内查到", "rigid": True},
            {"category": "质量", "description": "关键工序 SPC 统计与超限报警", "rigid": False},
            {"category": "设备", "description": "设备联网采集运行状态，计算 OEE", "rigid": True},
            {"category": "能耗", "description": "按产线计量水电气能耗，降低能耗 10% 以上", "rigid": False},
            {"category": "集成", "description": "与现有 ERP（用友/金蝶）物料和工单双向同步", "rigid": True},
            {"category": "看板", "description": "车间电子看板展示产量、良率、设备状态", "rigid": False},
            {"category": "培训", "description": "操作培训，员工掌握率 100%", "rigid": False},
        ],
    ),
    (
        "engineer2",
        {
            "kind": ArticleKind.NEEDS_TEMPLATE,
            "title": "金融行业需求分析表模板 Finance needs analysis template",
            "summary": "银行与保险客户的标准需求清单：合规、安全、国产化。",
            "industry": Industry.FINANCE,
        },
        ["需求分析表", "金融"],
        [
            {"category": "合规", "description": "通过等保三级测评", "rigid": True},
            {"category": "合规", "description": "满足监管报送（1104、EAST）口径", "rigid": True},
            {"category": "国产化", "description": "支持国产数据库与操作系统（信创清单）", "rigid": True},
            {"category": "安全", "description": "敏感数据脱敏与全程审计日志", "rigid": True},
            {"category": "可用性", "description": "同城双活，RTO ≤ 30 分钟，RPO = 0", "rigid": True},
            {"category": "性能", "description": "日终批处理 2 小时内完成", "rigid": False},
            {"category": "运维", "description": "统一监控告警，接入行内运维平台", "rigid": False},
        ],
    ),
    (
        "engineer",
        {
            "kind": ArticleKind.BID_ANSWER,
            "title": "标准应答：售后服务承诺 Standard answer: after-sales commitment",
            "summary": "7×24 热线，4 小时响应，24 小时到场，三年质保。",
            "body": (
                "我方承诺提供 7×24 小时服务热线，接到报修 4 小时内响应，24 小时内工程师到场；"
                "质保期三年，质保期内免费更换备件；每季度一次巡检并出具巡检报告。"
            ),
        },
        ["投标", "售后"],
        [],
    ),
    (
        "engineer2",
        {
            "kind": ArticleKind.BID_ANSWER,
            "title": "标准应答：数据安全与等保 Standard answer: data security and MLPS",
            "summary": "等保三级、传输与存储加密、权限分级、审计留痕。",
            "body": (
                "系统已通过等保三级测评；传输采用 TLS 1.2 以上，存储敏感字段 SM4 加密；"
                "按角色分级授权，所有操作留痕并保存 180 天以上。"
            ),
        },
        ["投标", "安全"],
        [],
    ),
]


def build(ctx) -> None:
    made = 0
    for author_key, data, tags, items in ARTICLES:
        if Article.objects.filter(title=data["title"]).exists():
            continue
        author = ctx.users[author_key]
        article = services.article_create(actor=author, data=data, tags=tags)
        if items:
            services.needs_items_set(actor=author, article=article, items=items)
        if article.status != ArticleStatus.PUBLISHED:
            services.article_move(actor=author, article=article, move="publish")
        made += 1
    ctx.log.append(f"Demo knowledge base: {made} articles published, {len(ARTICLES) - made} already there.")

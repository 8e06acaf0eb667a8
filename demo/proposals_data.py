"""Demo of issue 10: needs, solutions with costed quotes, the review board and demos, with
opportunities at every step (R-NEED-1..7, R-SOL-1..6, R-QUOTE-1, R-REV-2, R-REV-5, R-DEMO-1..3).

Eight opportunities of their own, each opened, approved and moved through the lifecycle
services as users would, then given the content of one step (SPIN notes, requirements,
confirmations by e-mail and by the link, change and R&D requests, needs reports, solution
versions with sections, writers and quotes, reviews decided with scores and check items,
customer feedback and acceptance, demos, trials and loans). The content follows the
sales-process manual in ``shared/seeds`` (DEMO001 剛性 降低生產線能耗30%, DEMO002 柔性
提供操作培訓,員工掌握率100%, confirmed by e-mail; the 方案審核表's legal, commercial and
technical checks; feedback such as "報價偏高" revised within 48 h).

Chinese customers get Chinese requirements and quotes in CNY; the English-speaking joint
venture gets English ones, quoted in USD at a recorded rate.

Idempotent like ``demo.lifecycle``: an opportunity found by title is left alone. Runs after
``demo.lifecycle`` (its customers, chains and helpers) and before ``demo.timers`` (the sweep).
Only timestamps are backdated directly (stage history, a demo held two days ago and its
feedback deadline), as the other builders do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from demo import lifecycle
from leads.choices import Channel, DecisionRole, Industry
from leads.models import Contact, Customer
from leads.services import communication_create, contact_create, customer_create
from opportunities.models import Opportunity
from opportunities.services import opportunity_create, opportunity_move
from presales.core.errors import Conflict, NotAllowed
from presales.sla.defaults import DEMO_FEEDBACK
from presales.sla.models import Timer
from proposals.choices import ConfirmationStatus
from proposals.demos import services as demos
from proposals.demos.choices import ChecklistKind, DemoOutcome, TrialKind
from proposals.models import Demo, Requirement, SolutionVersion, TrialRequest
from proposals.needs import services as needs
from proposals.solutions import services as solutions
from reviews.choices import Decision
from reviews.models import Review, ReviewTask
from reviews.services import review_decide

# --- customers and contacts ----------------------------------------------------------------

SUZHOU = "苏州精工机械制造有限公司 Suzhou Precision Machinery"
NINGBO = "宁波海达电子有限公司 Ningbo Haida Electronics"
HOSPITAL = "上海瑞康医院 Shanghai Ruikang Hospital"
YUNFAN = "杭州云帆物流集团 Hangzhou Yunfan Logistics"
HARBOUR = "Harbour Precision Components (Suzhou) Co., Ltd."

# The English-speaking joint venture: English requirements and a USD quote.
ENGLISH_CUSTOMER = {
    "name": HARBOUR,
    "industry": Industry.MANUFACTURING,
    "employees": 650,
    "annual_revenue": Decimal("420000000"),
    "region": "江苏 苏州 Suzhou, Jiangsu",
    "website": "https://www.harbour-precision.example/",
    "fit_score": 4,
    "value_score": 4,
}

# customer: [(name, title, e-mail, decision role)]
CONTACTS = {
    SUZHOU: [
        ("王建国", "生产总监 Production director", "wang.jianguo@szjg.example", DecisionRole.DECISION_MAKER),
        (
            "李秀英",
            "设备部经理 Equipment manager",
            "li.xiuying@szjg.example",
            DecisionRole.TECHNICAL_EVALUATOR,
        ),
    ],
    NINGBO: [
        ("陈志强", "制造副总 VP Manufacturing", "chen.zhiqiang@haida.example", DecisionRole.DECISION_MAKER),
        ("周晓燕", "IT经理 IT manager", "zhou.xiaoyan@haida.example", DecisionRole.TECHNICAL_EVALUATOR),
    ],
    HOSPITAL: [
        ("黄文博", "信息科主任 Head of IT", "huang.wenbo@ruikang.example", DecisionRole.DECISION_MAKER),
        ("林静怡", "门诊部护士长 Outpatient head nurse", "lin.jingyi@ruikang.example", DecisionRole.USER),
    ],
    YUNFAN: [
        ("徐鹏飞", "运营总监 Operations director", "xu.pengfei@yunfan.example", DecisionRole.DECISION_MAKER),
        ("马雪梅", "仓储经理 Warehouse manager", "ma.xuemei@yunfan.example", DecisionRole.USER),
    ],
    HARBOUR: [
        ("Michael Weber", "Plant director", "m.weber@harbour-precision.example", DecisionRole.DECISION_MAKER),
        ("Linda Zhou", "IT manager", "l.zhou@harbour-precision.example", DecisionRole.TECHNICAL_EVALUATOR),
    ],
}


def _customer(ctx, name: str) -> Customer:
    if name != HARBOUR:
        return lifecycle._customer(ctx, name)
    existing = Customer.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return customer_create(
        actor=ctx.users["sales"],
        data={**ENGLISH_CUSTOMER, "team": ctx.teams["east"], "owner": ctx.users["sales"]},
        need_tags=["production efficiency 生产效率", "quality traceability 质量追溯"],
        primary_presales=ctx.users["engineer"],
    )


def _contacts(ctx, customer: Customer, name: str) -> list[Contact]:
    found = []
    for person, title, email, role in CONTACTS[name]:
        contact = customer.contacts.filter(name=person).first()
        if contact is None:
            contact = contact_create(
                actor=ctx.users["sales"],
                customer=customer,
                data={
                    "name": person,
                    "title": title,
                    "email": email,
                    "decision_role": role,
                    "source": "business_card",
                },
            )
        found.append(contact)
    return found


# --- content helpers -------------------------------------------------------------------------


def _evidence(contact: str, code: str, text: str, subject: str = "需求确认") -> ContentFile:
    return ContentFile(
        f"From: {contact}\nSubject: {subject}\n\n{code}: {text}\n".encode(), name=f"confirmation-{code}.eml"
    )


def _requirements(author, opportunity, rows: list[dict]) -> list[Requirement]:
    return [needs.requirement_create(actor=author, opportunity=opportunity, data=row) for row in rows]


def _confirm_by_email(author, requirement: Requirement, contact: Contact, days_ago: int = 2) -> None:
    needs.requirement_confirmation_record(
        actor=author,
        requirement=requirement,
        method="email",
        contact=contact,
        confirmed_at=timezone.now() - timedelta(days=days_ago),
        evidence=_evidence(contact.name, requirement.code, requirement.description),  # type: ignore[arg-type]
    )


def _confirm_by_link(author, opportunity, contact: Contact, rows: list[Requirement], comments=None) -> None:
    """The list sent to ``contact``, who answers every row through the link (R-NEED-3)."""
    comments = comments or {}
    _request, token = needs.confirmation_request_create(
        actor=author, opportunity=opportunity, contact=contact, requirement_ids=[r.pk for r in rows]
    )
    answers = {}
    for row in rows:
        row.refresh_from_db()
        comment = comments.get(row.pk, "")
        status = ConfirmationStatus.COMMENTED if comment else ConfirmationStatus.CONFIRMED
        answers[row.pk] = {"status": status, "comment": comment, "version": row.version}
    needs.confirmation_answer(token=token, answers=answers)


def _meeting(ctx, author, opportunity, customer, contacts, *, channel, purpose, days_ago, text) -> None:
    """A meeting, site visit or survey with its participants (R-COMM-2), linked (R-NEED-1)."""
    subject, key_points, feedback = text
    record = communication_create(
        actor=author,
        customer=customer,
        data={
            "occurred_at": timezone.now() - timedelta(days=days_ago),
            "channel": channel,
            "place": subject,
            "contact": contacts[0],
            "key_points": key_points,
            "customer_feedback": feedback,
            "participant_users": [author, ctx.users["rd_head"]],
            "participant_contacts": contacts,
        },
    )
    needs.communication_link(actor=author, opportunity=opportunity, communication=record, purpose=purpose)


def _line(kind, item, spec, quantity, unit, cost, price, tax=None) -> dict:
    return {
        "kind": kind,
        "item": item,
        "specification": spec,
        "quantity": Decimal(quantity),
        "unit": unit,
        "unit_cost": Decimal(cost),
        "unit_price": Decimal(price),
        "tax_rate": Decimal(tax if tax is not None else ("6" if kind == "service" else "13")),
        "tax_inclusive": False,
    }


def _write(
    author,
    opportunity,
    title: str,
    sections: dict[str, str],
    lines: list[dict],
    *,
    writers: dict | None = None,
) -> SolutionVersion:
    """A solution's first version: sections (some assigned to writers with a due date),
    quote lines, and every rigid requirement answered by the needs-analysis section."""
    solution = solutions.solution_create(actor=author, opportunity=opportunity, title=title)
    version = solution.versions.get()
    writers = writers or {}
    for kind, body in sections.items():
        data: dict = {"body_html": body}
        if kind in writers:
            data["writer"], data["due_date"] = writers[kind]
        solutions.section_create(actor=author, version=version, kind=kind, data=data)
    for line in lines:
        solutions.line_create(actor=author, version=version, data=line)
    section = version.sections.get(kind="needs_analysis")
    for requirement in opportunity.requirements.filter(kind="rigid"):
        solutions.answer_create(
            actor=author, version=version, data={"requirement": requirement, "section": section}
        )
    return version


def _decide(
    version: SolutionVersion,
    *,
    stop_at: str | None = None,
    reject: str = "",
    notes: dict[str, str] | None = None,
    scores: dict[str, int] | None = None,
) -> None:
    """Walk the version's review step by step (R-REV-2): each pending step is decided by an
    approver allowed to (R-REV-5: not a writer or owner), with the three scores and every
    check item ticked; ``notes`` comments check items (ticked with a remark); ``reject``
    rejects at the first step with that comment; ``stop_at`` leaves that user's step pending."""
    notes = notes or {}
    review = Review.objects.filter(kind="solution_version", object_id=version.pk).latest("id")
    for _round in range(12):
        review.refresh_from_db()
        if review.status != "in_progress":
            return
        pending = list(
            ReviewTask.objects.filter(review=review, state="pending")
            .select_related("approver")
            .order_by("pk")
        )
        if stop_at is not None and any(t.approver.username == stop_at for t in pending):
            others = [t for t in pending if t.approver.username != stop_at]
            if not others:
                return
            pending = others
        for task in pending:
            marks = {c["code"]: (scores or {}).get(c["code"], 4) for c in review.score_criteria}
            checks = {
                code: {"ok": True, "comment": notes.get(code, "")} for code, _label in task.check_item_labels
            }
            try:
                review_decide(
                    actor=task.approver,
                    review=review,
                    decision=Decision.REJECT if reject else Decision.APPROVE,
                    comment=reject or "同意。Approved.",
                    scores=marks,
                    checks={} if reject else checks,
                )
            except (NotAllowed, Conflict):  # R-REV-5 own work, or not their turn: the next one
                continue
            break
        else:
            return


# --- the opportunities ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    title: str
    customer: str
    amount: Decimal
    presales: str
    days_ago: int
    build: Callable
    currency: tuple[str, Decimal] | None = None  # (currency, rate to CNY)


def _open(ctx, scenario: Scenario) -> tuple[Opportunity, Customer, list[Contact]]:
    customer = _customer(ctx, scenario.customer)
    contacts = _contacts(ctx, customer, scenario.customer)
    author = ctx.users[scenario.presales]
    data = {
        "customer": customer,
        "title": scenario.title,
        "amount": scenario.amount,
        "expected_close": timezone.localdate() + timedelta(days=120),
        "competitors": ["东方智控 Dongfang Zhikong", "华宇数科 Huayu Digital"],
        "has_tender": False,
        "team": ctx.teams["east"],
        "sales_owner": ctx.users["sales"],
        "presales_owner": author,
    }
    if scenario.currency is not None:
        data.update(
            currency=scenario.currency[0],
            fx_rate_to_cny=scenario.currency[1],
            fx_rate_date=timezone.localdate() - timedelta(days=3),
        )
    opportunity = opportunity_create(actor=author, data=data)
    lifecycle._initiation(ctx, opportunity, author, customer, "approved")
    return opportunity, customer, contacts


def _move(author, opportunity, *moves: str) -> Opportunity:
    for move in moves:
        opportunity = opportunity_move(actor=author, opportunity=opportunity, move=move)
    return opportunity


# 1. Needs analysis in progress (R-NEED-1..5, R-NEED-7, R-COMM-2): SPIN notes, a site visit
#    and a survey meeting with their participants, DEMO001/DEMO002 confirmed by e-mail, one
#    rigid row not confirmed yet (R-NEED-4 blocks the move to solution and says why), the
#    list's link sent and not answered, an R&D question answered and one open, report v1.

ENERGY_SPIN = {
    "situation": "两条冲压线和一条装配线,设备平均役龄12年;电表只到车间级,能耗按月人工抄表。",
    "problem": "无法定位高耗能工序;空压机与冷却塔常年满负荷运行;故障停机无法提前预警。",
    "implication": "单位产品能耗比同行高约15%,去年电费超预算 ¥180万;停机影响交期,客户投诉增加。",
    "need_payoff": "能耗下降30%、非计划停机减半,18个月内收回投资,并满足集团碳排放报表要求。",
}
ENERGY_NEEDS = [
    {
        "kind": "rigid",
        "category": "performance",
        "description": "降低生产线能耗30%",
        "priority": "high",
        "key_metric": "单位产品能耗 -30%(以2023年为基线)",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "service",
        "description": "提供操作培训,员工掌握率100%",
        "priority": "medium",
        "key_metric": "培训考核通过率100%",
        "feasibility": "feasible",
    },
    {
        "kind": "rigid",
        "category": "interface",
        "description": "与现有 MES(用友U9)双向对接,工单与能耗数据按班次关联",
        "priority": "high",
        "key_metric": "接口延迟 ≤ 5 秒",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "function",
        "description": "空压机群控:按用气量自动启停,压力波动 ≤ 0.2 bar",
        "priority": "medium",
        "key_metric": "空压站单耗 -15%",
        "feasibility": "needs_rd",
        "feasibility_note": "需确认现有阿特拉斯空压机控制器是否开放 Modbus 写入。",
    },
    {
        "kind": "latent",
        "category": "function",
        "description": "按集团模板自动生成月度碳排放核算报表",
        "priority": "low",
        "key_metric": "报表生成 ≤ 1 分钟",
        "feasibility": "needs_rd",
        "feasibility_note": "集团模板尚未发布,待研发评估排放因子库。",
    },
]


def build_needs_in_progress(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    needs.spin_notes_save(actor=author, opportunity=opportunity, data=ENERGY_SPIN)
    _meeting(
        ctx,
        author,
        opportunity,
        customer,
        contacts,
        channel=Channel.SITE_VISIT,
        purpose="site_visit",
        days_ago=12,
        text=(
            "苏州工厂冲压车间、空压站 Stamping shop and compressor room",
            "现场查看两条冲压线与空压站;空压机3台常年满载,车间无分项计量。",
            "王总希望先做能耗摸底,再谈整体改造。",
        ),
    )
    _meeting(
        ctx,
        author,
        opportunity,
        customer,
        contacts,
        channel=Channel.MEETING,
        purpose="survey",
        days_ago=8,
        text=(
            "客户会议室 需求调研会 Needs survey",
            "按SPIN逐项访谈生产、设备、IT三方;确认能耗、培训、MES对接三项核心需求。",
            "李经理关注空压机群控的改造风险,要求研发先评估。",
        ),
    )
    rows = _requirements(author, opportunity, ENERGY_NEEDS)
    director, manager = contacts
    # The seed's DEMO001 and DEMO002, confirmed by e-mail (the director, the manager).
    _confirm_by_email(author, rows[0], director, days_ago=6)
    _confirm_by_email(author, rows[1], manager, days_ago=6)
    # R-NEED-3: the MES interface row sent through the link, not answered yet.
    needs.confirmation_request_create(
        actor=author, opportunity=opportunity, contact=manager, requirement_ids=[rows[2].pk]
    )
    # R-NEED-5: one question answered by R&D, one still open.
    rd_head = ctx.users["rd_head"]
    answered = needs.rd_request_create(
        actor=author,
        requirement=rows[3],
        question="阿特拉斯 GA75 控制器(Elektronikon Mk5)能否通过 Modbus TCP 远程启停?",
        assignee=rd_head,
    )
    needs.rd_request_answer(
        actor=rd_head,
        rd_request=answered,
        answer="可以:Mk5 开放 Modbus TCP 写入寄存器,需客户开放控制器密码;群控策略复用宁波项目算法,2周可完成适配。",
    )
    needs.rd_request_create(
        actor=author,
        requirement=rows[4],
        question="集团碳排放模板的排放因子(电、天然气、蒸汽)能否从平台配置,还是需要定制开发?",
        assignee=rd_head,
    )
    needs.needs_report_create(actor=author, opportunity=opportunity)


# 2. Confirmed by the link, a change after confirmation, and a draft version being written
#    (R-NEED-3, R-NEED-6, R-SOL-1): sections assigned to writers, one past its due date.

SMT_NEEDS = [
    {
        "kind": "rigid",
        "category": "quality",
        "description": "SMT 贴片线物料与工单全程追溯,按批次可在10秒内追溯到供料盘",
        "priority": "high",
        "key_metric": "追溯查询 ≤ 10 秒",
        "feasibility": "feasible",
    },
    {
        "kind": "rigid",
        "category": "interface",
        "description": "与 SAP ERP 同步工单、BOM 与物料主数据",
        "priority": "high",
        "key_metric": "同步成功率 ≥ 99.9%",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "service",
        "description": "提供操作培训,员工掌握率100%",
        "priority": "medium",
        "key_metric": "培训考核通过率100%",
        "feasibility": "feasible",
    },
]
SMT_SECTIONS = {
    "background": "<h2>项目背景</h2><p>海达电子 SMT 车间6条贴片线,客户审核要求物料追溯到供料盘。</p>",
    "needs_analysis": (
        "<h2>需求分析</h2><ul><li>REQ-001 批次追溯 ≤ 10 秒</li><li>REQ-002 SAP 工单、BOM 同步</li>"
        "<li>REQ-003 操作培训,掌握率100%</li></ul>"
    ),
    "architecture": "<h2>系统架构</h2><p>贴片机数据经工业网关采集,MES 与 SAP 通过中间库同步。</p>",
    "implementation_plan": "<h2>实施计划</h2><p>待研发确认接口工作量后补充。</p>",
    "service_commitments": "<h2>服务承诺</h2><p>7×24小时响应,关键故障4小时到场,一年免费维保。</p>",
}
SMT_LINES = [
    _line(
        "hardware", "服务器 Server", "2U 双路,Xeon Silver 4314/128GB/4×1.2TB SAS", "2", "台", "38000", "52000"
    ),
    _line("hardware", "工业网关 Industrial gateway", "4网口,支持 OPC UA / Modbus", "6", "台", "4200", "6800"),
    _line("software", "MES 软件许可 MES licence", "追溯与工单模块,50并发用户", "1", "套", "160000", "260000"),
    _line("service", "实施服务 Implementation", "接口开发与上线,约60人天", "60", "人天", "1500", "2500"),
]


def build_draft_with_writers(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    needs.spin_notes_save(
        actor=author,
        opportunity=opportunity,
        data={
            "situation": "6条贴片线,追溯靠纸质流转单。",
            "problem": "客户审核时无法在现场给出批次追溯结果。",
            "implication": "去年因追溯不全被扣减订单约 ¥400万。",
            "need_payoff": "通过汽车电子客户审核,保住并扩大订单。",
        },
    )
    rows = _requirements(author, opportunity, SMT_NEEDS)
    director, it_manager = contacts
    # R-NEED-3: the whole list confirmed by the IT manager through the link, one row commented.
    _confirm_by_link(
        author, opportunity, it_manager, rows, comments={rows[2].pk: "培训请分两批,避开月底出货高峰。"}
    )
    needs.requirement_confirmation_record(
        actor=author,
        requirement=rows[2],
        method="email",
        contact=director,
        evidence=_evidence(director.name, rows[2].code, "同意分两批培训,掌握率仍按100%考核。"),  # type: ignore[arg-type]
    )
    needs.needs_report_create(actor=author, opportunity=opportunity)
    opportunity = _move(author, opportunity, "start_solution")
    # R-NEED-6: after confirmation the customer tightened the trace time: a change request.
    needs.requirement_update(
        actor=author,
        requirement=rows[0],
        data={
            "description": "SMT 贴片线物料与工单全程追溯,按批次可在5秒内追溯到供料盘",
            "key_metric": "追溯查询 ≤ 5 秒",
        },
    )
    today = timezone.localdate()
    _write(
        author,
        opportunity,
        "SMT 追溯系统解决方案",
        SMT_SECTIONS,
        SMT_LINES,
        writers={
            "architecture": (ctx.users["rd_head"], today - timedelta(days=2)),  # overdue
            "implementation_plan": (ctx.users["aftersales_head"], today + timedelta(days=4)),
        },
    )


# 3. In review with the margin under the 15% floor (R-QUOTE-1): the presales manager and the
#    heads approved with scores and check items, one commented; finance's step is pending.

MOTOR_NEEDS = [
    {
        "kind": "rigid",
        "category": "function",
        "description": "电机装配线 OEE 实时采集,覆盖12台关键设备",
        "priority": "high",
        "key_metric": "数据采集周期 ≤ 1 秒",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "delivery",
        "description": "三个月内上线",
        "priority": "medium",
        "key_metric": "合同签订后90天验收",
        "feasibility": "feasible",
    },
]
MOTOR_SECTIONS = {
    "background": "<h2>项目背景</h2><p>客户计划提升电机装配线 OEE 至85%。</p>",
    "needs_analysis": "<h2>需求分析</h2><ul><li>12台关键设备秒级采集</li><li>90天上线</li></ul>",
    "architecture": (
        "<h2>系统架构</h2><table><tr><th>层级</th><th>组件</th></tr>"
        "<tr><td>采集</td><td>工业网关</td></tr><tr><td>平台</td><td>MES / OEE 看板</td></tr></table>"
    ),
    "implementation_plan": "<h2>实施计划</h2><ol><li>调研(2周)</li><li>部署(6周)</li><li>验收(4周)</li></ol>",
    "service_commitments": "<h2>服务承诺</h2><p>一年免费维保,远程响应30分钟。</p>",
}
# Priced to win against 东方智控: margin about 12%, under the 15% floor.
MOTOR_LINES = [
    _line("hardware", "服务器 Server", "1U 单路,Xeon E-2388G/64GB", "1", "台", "26000", "29500"),
    _line("hardware", "工业网关 Industrial gateway", "4网口,OPC UA", "12", "台", "4200", "4700"),
    _line("software", "MES 软件许可 MES licence", "OEE 模块,20并发用户", "1", "套", "98000", "112000"),
    _line("service", "实施服务 Implementation", "现场部署与联调", "40", "人天", "1400", "1550"),
    _line("service", "培训 Training", "操作与管理员培训,2期", "2", "期", "6000", "6800"),
]


def build_review_finance_pending(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    rows = _requirements(author, opportunity, MOTOR_NEEDS)
    for row in rows:
        _confirm_by_email(author, row, contacts[0], days_ago=10)
    opportunity = _move(author, opportunity, "start_solution")
    version = _write(author, opportunity, "电机装配线 OEE 解决方案", MOTOR_SECTIONS, MOTOR_LINES)
    solutions.version_submit(actor=author, version=version)
    opportunity = _move(author, opportunity, "submit_for_review")
    _decide(
        version,
        stop_at="finance",
        notes={
            "margin_within_policy": "毛利约12%,低于15%底线:为对标东方智控报价,需财务审批。",
            "implementation_resources": "实施人天偏紧,建议预留5人天缓冲。",
        },
        scores={"rationality": 4, "innovation": 3, "completeness": 4},
    )


# 4. Rejected with comments and its next version (R-REV-5: the comments are where the author
#    writes version 2).

HIS_NEEDS = [
    {
        "kind": "rigid",
        "category": "interface",
        "description": "自助机与现有 HIS(东华)挂号、缴费接口对接",
        "priority": "high",
        "key_metric": "单笔交易 ≤ 3 秒",
        "feasibility": "feasible",
    },
    {
        "kind": "rigid",
        "category": "security",
        "description": "满足等保三级,患者数据不出院内网络",
        "priority": "high",
        "key_metric": "通过等保三级测评",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "service",
        "description": "导医志愿者培训,上线首周驻场",
        "priority": "medium",
        "key_metric": "驻场5天",
        "feasibility": "feasible",
    },
]
HIS_SECTIONS = {
    "background": "<h2>项目背景</h2><p>瑞康医院门诊日均8000人次,排队缴费平均等待25分钟。</p>",
    "needs_analysis": "<h2>需求分析</h2><ul><li>HIS 挂号、缴费对接</li><li>等保三级</li><li>驻场培训</li></ul>",
    "architecture": "<h2>系统架构</h2><p>30台自助机经院内专网接入前置机,前置机对接 HIS。</p>",
    "implementation_plan": "<h2>实施计划</h2><p>分两批上线:门诊一楼、二楼。</p>",
    "service_commitments": "<h2>服务承诺</h2><p>7×24小时响应。</p>",
}
HIS_LINES = [
    _line(
        "hardware",
        "自助服务终端 Self-service kiosk",
        "27寸触屏,含读卡器与热敏打印机",
        "30",
        "台",
        "9800",
        "13800",
    ),
    _line("hardware", "前置服务器 Front-end server", "2U 双路,双机热备", "2", "台", "36000", "49000"),
    _line("software", "自助服务软件许可 Kiosk software", "挂号、缴费、报告打印", "30", "点", "3000", "5200"),
    _line("service", "实施服务 Implementation", "接口开发、部署与驻场", "45", "人天", "1500", "2400"),
]
HIS_REJECTION = (
    "未说明等保三级的落实方式(前置机与自助机的安全加固、审计日志),实施计划缺少 HIS 厂商配合的时间。"
    "请补充安全方案并与东华确认接口排期后再提交。"
)


def build_rejected_and_next(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    rows = _requirements(author, opportunity, HIS_NEEDS)
    _confirm_by_link(author, opportunity, contacts[0], rows)
    opportunity = _move(author, opportunity, "start_solution")
    version = _write(author, opportunity, "门诊自助服务解决方案", HIS_SECTIONS, HIS_LINES)
    solutions.version_submit(actor=author, version=version)
    _decide(version, reject=HIS_REJECTION, scores={"rationality": 3, "innovation": 3, "completeness": 2})
    following = solutions.version_create_next(actor=author, solution=version.solution)
    section = following.sections.get(kind="architecture")
    solutions.section_update(
        actor=author,
        section=section,
        data={
            "body_html": HIS_SECTIONS["architecture"]
            + "<h3>等保三级</h3><ul><li>自助机系统加固、USB 禁用</li><li>前置机审计日志保存180天</li></ul>"
        },
    )


# 5. Approved, presented, and the customer's feedback: the 48-hour revision timer runs (R-SOL-3).

COLD_NEEDS = [
    {
        "kind": "rigid",
        "category": "function",
        "description": "冷库温湿度每分钟采集,超限5分钟内告警",
        "priority": "high",
        "key_metric": "告警延迟 ≤ 5 分钟",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "service",
        "description": "提供操作培训,员工掌握率100%",
        "priority": "medium",
        "key_metric": "培训考核通过率100%",
        "feasibility": "feasible",
    },
]
COLD_SECTIONS = {
    "background": "<h2>项目背景</h2><p>云帆物流杭州园区8座冷库,GSP 认证要求温湿度全程记录。</p>",
    "needs_analysis": "<h2>需求分析</h2><ul><li>分钟级采集与告警</li><li>培训掌握率100%</li></ul>",
    "architecture": "<h2>系统架构</h2><p>无线温湿度探头 → 工业网关 → 冷链监控平台。</p>",
    "implementation_plan": "<h2>实施计划</h2><p>4周完成8座冷库部署。</p>",
    "service_commitments": "<h2>服务承诺</h2><p>探头三年质保,平台7×24小时监控。</p>",
}
COLD_LINES = [
    _line("hardware", "温湿度探头 Sensor", "LoRa,-40~60℃,±0.3℃", "160", "个", "260", "420"),
    _line("hardware", "工业网关 Industrial gateway", "LoRa + 4G", "8", "台", "3800", "5900"),
    _line(
        "software",
        "冷链监控平台许可 Cold-chain platform",
        "8库区,短信与企业微信告警",
        "1",
        "套",
        "60000",
        "98000",
    ),
    _line("service", "实施服务 Implementation", "安装、标定与上线", "20", "人天", "1400", "2200"),
    _line("service", "培训 Training", "仓管员与质管员培训", "1", "期", "5000", "8000"),
]


def build_feedback_revision(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    rows = _requirements(author, opportunity, COLD_NEEDS)
    for row in rows:
        _confirm_by_email(author, row, contacts[0], days_ago=9)
    opportunity = _move(author, opportunity, "start_solution")
    version = _write(author, opportunity, "冷库温湿度监控方案", COLD_SECTIONS, COLD_LINES)
    solutions.version_submit(actor=author, version=version)
    opportunity = _move(author, opportunity, "submit_for_review")
    _decide(version)
    now = timezone.now()
    solutions.version_mark_presented(actor=author, version=version, at=now - timedelta(days=1))
    solutions.feedback_record(
        actor=author,
        version=version,
        data={
            "received_at": now - timedelta(hours=10),
            "contact_name": contacts[0].name,
            "content": "报价偏高,希望平台许可降价10%;另需增加温度异常短信通知到值班主管。",
        },
    )


# 6. The English-speaking customer, quoted in USD at a recorded rate: confirmed through the
#    link, approved, presented, accepted by e-mail (R-SOL-6); a demo done with feedback and a
#    POC returned (R-DEMO-2, R-DEMO-3).

HARBOUR_NEEDS = [
    {
        "kind": "rigid",
        "category": "function",
        "description": "Real-time OEE for 18 CNC machining centres, by shift and by part number",
        "priority": "high",
        "key_metric": "Data latency ≤ 2 s",
        "feasibility": "feasible",
    },
    {
        "kind": "rigid",
        "category": "interface",
        "description": "Exchange work orders with SAP S/4HANA (PP module)",
        "priority": "high",
        "key_metric": "No manual re-entry of orders",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "service",
        "description": "Operator and supervisor training in English and Chinese",
        "priority": "medium",
        "key_metric": "100% of operators pass the test",
        "feasibility": "feasible",
    },
]
HARBOUR_SECTIONS = {
    "background": "<h2>Background</h2><p>Harbour Precision machines aluminium housings for European car makers.</p>",
    "needs_analysis": "<h2>Needs analysis</h2><ul><li>OEE per shift and part</li><li>SAP work orders</li><li>Bilingual training</li></ul>",
    "architecture": "<h2>Architecture</h2><p>IoT gateways on each cell, an on-site server, the MES and its OEE dashboards.</p>",
    "implementation_plan": "<h2>Implementation plan</h2><ol><li>Design (2 weeks)</li><li>Roll-out (5 weeks)</li><li>Acceptance (2 weeks)</li></ol>",
    "service_commitments": "<h2>Service commitments</h2><p>Remote response within 30 minutes, on site within 8 hours.</p>",
}
HARBOUR_LINES = [
    _line(
        "hardware",
        "Industrial server",
        "2U, 2× Xeon Silver 4314, 128 GB, RAID 10",
        "2",
        "unit",
        "5200",
        "7400",
    ),
    _line("hardware", "IoT gateway", "4× Ethernet, OPC UA / MTConnect", "18", "unit", "560", "890"),
    _line(
        "software",
        "MES software licence",
        "OEE and work-order modules, 60 users",
        "1",
        "lot",
        "21000",
        "36000",
    ),
    _line(
        "service",
        "Implementation services",
        "Integration with SAP, roll-out, 50 person-days",
        "50",
        "person-day",
        "210",
        "340",
    ),
    _line(
        "service",
        "Training",
        "Operators and supervisors, two sessions, bilingual",
        "2",
        "session",
        "800",
        "1500",
    ),
]


def build_accepted_usd(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    director, it_manager = contacts
    needs.spin_notes_save(
        actor=author,
        opportunity=opportunity,
        data={
            "situation": "18 CNC machining centres; OEE is collected on paper at the end of each shift.",
            "problem": "Nobody knows which part numbers lose the most time; SAP orders are typed in twice.",
            "implication": "Overtime of about USD 240k a year and late deliveries to two car makers.",
            "need_payoff": "OEE from 62% to 75% within a year; no double entry of orders.",
        },
    )
    rows = _requirements(author, opportunity, HARBOUR_NEEDS)
    _confirm_by_link(author, opportunity, it_manager, rows)
    needs.needs_report_create(actor=author, opportunity=opportunity)
    opportunity = _move(author, opportunity, "start_solution")
    version = _write(author, opportunity, "Machining OEE and MES solution", HARBOUR_SECTIONS, HARBOUR_LINES)
    solutions.version_submit(actor=author, version=version)
    opportunity = _move(author, opportunity, "submit_for_review")
    _decide(version, scores={"rationality": 5, "innovation": 4, "completeness": 4})
    opportunity = _move(author, opportunity, "start_demo")
    now = timezone.now()
    solutions.version_mark_presented(actor=author, version=version, at=now - timedelta(days=6))
    demo = _held_demo(
        ctx,
        opportunity,
        version,
        contacts,
        title="OEE dashboard demo at the Suzhou plant",
        agenda=[("Live OEE by shift and part number", [rows[0]]), ("SAP work-order round trip", [rows[1]])],
    )
    demos.demo_record_feedback(
        actor=author,
        demo=demo,
        data={
            "outcome": DemoOutcome.POSITIVE,
            "questions": "Can the dashboard run on the shop-floor TVs? How long is the SAP test cycle?",
            "objections": "Licence price is above the budget line for this year.",
            "next_step": "Send the accepted version to purchasing; plan the kick-off.",
            "next_step_date": timezone.localdate() + timedelta(days=5),
        },
    )
    _backdate_demo(demo, days=5)  # held last week, its feedback written the same day
    solutions.acceptance_record(
        actor=author,
        version=version,
        data={
            "contact": director,
            "contact_name": director.name,
            "method": "email",
            "accepted_at": now - timedelta(days=1),
            "note": "Accepted by e-mail: 'We accept version 1 as quoted in USD; please send the contract.'",
        },
    )
    _trial(
        ctx,
        opportunity,
        kind=TrialKind.POC,
        items="IoT gateway ×2, OEE dashboard on a test server",
        purpose="Two-week POC on cells 3 and 4 before the demo.",
        returned=True,
    )


# 7. A scheduled demo (R-DEMO-1): attendees ours and the customer's, agenda linked to the
#    requirements, checklist partly done; an equipment loan approved with its return date.

WELD_NEEDS = [
    {
        "kind": "rigid",
        "category": "function",
        "description": "焊装车间数字孪生,实时显示48台焊接机器人状态",
        "priority": "high",
        "key_metric": "状态刷新 ≤ 1 秒",
        "feasibility": "feasible",
    },
    {
        "kind": "rigid",
        "category": "quality",
        "description": "焊接电流、电压曲线留存,异常焊点自动标记",
        "priority": "high",
        "key_metric": "异常识别准确率 ≥ 98%",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "service",
        "description": "提供操作培训,员工掌握率100%",
        "priority": "medium",
        "key_metric": "培训考核通过率100%",
        "feasibility": "feasible",
    },
]
WELD_SECTIONS = {
    "background": "<h2>项目背景</h2><p>精工机械新建焊装车间,48台焊接机器人。</p>",
    "needs_analysis": "<h2>需求分析</h2><ul><li>数字孪生实时状态</li><li>焊接质量追溯</li><li>培训</li></ul>",
    "architecture": "<h2>系统架构</h2><p>机器人控制器 → 边缘服务器 → 三维孪生平台。</p>",
    "implementation_plan": "<h2>实施计划</h2><p>与车间土建同步,10周上线。</p>",
    "service_commitments": "<h2>服务承诺</h2><p>7×24小时响应,关键故障4小时到场。</p>",
}
WELD_LINES = [
    _line("hardware", "边缘服务器 Edge server", "GPU 工作站,RTX A4000", "2", "台", "42000", "58000"),
    _line("hardware", "工业网关 Industrial gateway", "EtherCAT / Profinet", "12", "台", "5200", "7900"),
    _line(
        "software",
        "数字孪生平台许可 Digital-twin licence",
        "三维孪生 + 焊接质量模块",
        "1",
        "套",
        "180000",
        "300000",
    ),
    _line("service", "实施服务 Implementation", "建模、接口、上线", "80", "人天", "1500", "2400"),
    _line("service", "培训 Training", "操作员与工艺员培训", "3", "期", "5000", "8000"),
]


def build_demo_scheduled(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    rows = _requirements(author, opportunity, WELD_NEEDS)
    for row in rows:
        _confirm_by_email(author, row, contacts[0], days_ago=15)
    opportunity = _move(author, opportunity, "start_solution")
    version = _write(author, opportunity, "焊装车间数字孪生方案", WELD_SECTIONS, WELD_LINES)
    solutions.version_submit(actor=author, version=version)
    opportunity = _move(author, opportunity, "submit_for_review")
    _decide(version, notes={"ip_statements": "三维模型版权归属已在方案中写明。"})
    opportunity = _move(author, opportunity, "start_demo")
    solutions.version_mark_presented(actor=author, version=version, at=timezone.now() - timedelta(days=3))
    starts = (timezone.localtime() + timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)
    demo = demos.demo_create(
        actor=author,
        opportunity=opportunity,
        data={
            "solution_version": version,
            "title": "焊装数字孪生现场演示 Digital-twin demo",
            "starts_at": starts,
            "duration_minutes": 90,
            "location": "苏州精工 3号楼会议室 Building 3 meeting room",
        },
        our_attendees=[author, ctx.users["rd_head"], ctx.users["sales"]],
        customer_attendees=contacts,
        agenda=[
            {"text": "机器人状态实时孪生 Live robot twin", "requirements": [rows[0]]},
            {"text": "异常焊点识别与追溯 Weld-quality trace", "requirements": [rows[1]]},
            {"text": "培训计划与考核方式 Training plan", "requirements": [rows[2]]},
        ],
    )
    demos.demo_move(actor=author, demo=demo, move="schedule")
    for item in demo.checklist.filter(kind__in=[ChecklistKind.DEVICES, ChecklistKind.SLIDES]):
        demos.demo_checklist_set(actor=author, item=item, done=True)
    demos.demo_checklist_add(actor=author, demo=demo, label="现场投影与 Wi-Fi 测试 Projector and Wi-Fi test")
    _trial(
        ctx,
        opportunity,
        kind=TrialKind.LOAN,
        items="边缘服务器 1台、工业网关 2台 Edge server ×1, gateways ×2",
        purpose="演示后在焊装线试运行两周 Two weeks on the welding line after the demo.",
        returned=False,
    )


# 8. A demo done two days ago whose feedback is still missing: the feedback timer is overdue
#    (R-DEMO-2).

AGV_NEEDS = [
    {
        "kind": "rigid",
        "category": "function",
        "description": "统一调度3个品牌共60台 AGV,与 WMS 任务对接",
        "priority": "high",
        "key_metric": "任务下发 ≤ 2 秒",
        "feasibility": "feasible",
    },
    {
        "kind": "flexible",
        "category": "performance",
        "description": "高峰期拣货效率提升20%",
        "priority": "medium",
        "key_metric": "每小时拣货行数 +20%",
        "feasibility": "feasible",
    },
]
AGV_SECTIONS = {
    "background": "<h2>项目背景</h2><p>云帆物流嘉兴仓60台 AGV 分属3个品牌,各自独立调度。</p>",
    "needs_analysis": "<h2>需求分析</h2><ul><li>多品牌统一调度</li><li>拣货效率 +20%</li></ul>",
    "architecture": "<h2>系统架构</h2><p>调度平台经 VDA 5050 接入各品牌 AGV,与 WMS 对接。</p>",
    "implementation_plan": "<h2>实施计划</h2><p>先试点一个库区,再全仓推广。</p>",
    "service_commitments": "<h2>服务承诺</h2><p>上线首月驻场。</p>",
}
AGV_LINES = [
    _line("hardware", "调度服务器 Dispatch server", "2U 双路,双机热备", "2", "台", "36000", "50000"),
    _line(
        "software", "AGV 调度平台许可 Dispatching licence", "60台 AGV,VDA 5050", "1", "套", "150000", "238000"
    ),
    _line("service", "实施服务 Implementation", "对接 WMS 与三品牌 AGV", "50", "人天", "1500", "2400"),
    _line("service", "培训 Training", "调度员培训", "1", "期", "5000", "8000"),
]


def build_demo_feedback_missing(ctx, opportunity, customer, contacts) -> None:
    author = opportunity.presales_owner
    rows = _requirements(author, opportunity, AGV_NEEDS)
    _confirm_by_link(author, opportunity, contacts[1], rows)
    opportunity = _move(author, opportunity, "start_solution")
    version = _write(author, opportunity, "多品牌 AGV 统一调度方案", AGV_SECTIONS, AGV_LINES)
    solutions.version_submit(actor=author, version=version)
    opportunity = _move(author, opportunity, "submit_for_review")
    _decide(version)
    opportunity = _move(author, opportunity, "start_demo")
    demo = _held_demo(
        ctx,
        opportunity,
        version,
        contacts,
        title="AGV 统一调度演示 Dispatching demo",
        agenda=[("三品牌 AGV 混合调度 Mixed-fleet dispatching", [rows[0]])],
    )
    # Held two days ago: the 24-hour feedback limit has passed (the sweep escalates it).
    _backdate_demo(demo, days=2)


# --- demos and trials ------------------------------------------------------------------------


def _held_demo(ctx, opportunity, version, contacts, *, title: str, agenda) -> Demo:
    """A demo scheduled, its checklist completed, started and marked done (R-DEMO-1)."""
    author = opportunity.presales_owner
    demo = demos.demo_create(
        actor=author,
        opportunity=opportunity,
        data={
            "solution_version": version,
            "title": title,
            "starts_at": timezone.now() + timedelta(minutes=30),
            "duration_minutes": 60,
            "location": "客户现场 Customer site",
        },
        our_attendees=[author, ctx.users["rd_head"]],
        customer_attendees=contacts,
        agenda=[{"text": text, "requirements": reqs} for text, reqs in agenda],
    )
    demos.demo_move(actor=author, demo=demo, move="schedule")
    for item in demo.checklist.all():
        demos.demo_checklist_set(actor=author, item=item, done=True)
    demo = demos.demo_move(actor=author, demo=demo, move="start")
    return demos.demo_move(actor=author, demo=demo, move="finish")


def _backdate_demo(demo: Demo, *, days: int) -> None:
    """Move a held demo, its feedback (if any) and its feedback deadline ``days`` back
    (timestamps only, as the other builders backdate)."""
    shift = timedelta(days=days)
    demo.refresh_from_db()
    Demo.objects.filter(pk=demo.pk).update(
        starts_at=demo.starts_at - shift,
        ends_at=demo.ends_at - shift,
        started_at=demo.started_at - shift,
        ended_at=demo.ended_at - shift,
        feedback_at=(demo.feedback_at - shift) if demo.feedback_at else None,
    )
    timers = Timer.objects.filter(
        kind=DEMO_FEEDBACK, subject_type=ContentType.objects.get_for_model(Demo), subject_id=demo.pk
    )
    for timer in timers:
        Timer.objects.filter(pk=timer.pk).update(
            **{
                name: getattr(timer, name) - shift
                for name in ("started_at", "due_at", "next_action_at", "satisfied_at")
                if getattr(timer, name) is not None
            }
        )


def _trial(ctx, opportunity, *, kind: str, items: str, purpose: str, returned: bool) -> TrialRequest:
    """A trial, POC or loan approved by the presales manager (R-DEMO-3): a returned one ran
    over the past three weeks and is back today; an open one starts today."""
    author = opportunity.presales_owner
    today = timezone.localdate()
    start = today - timedelta(days=20) if returned else today
    trial = demos.trial_create(
        actor=author,
        opportunity=opportunity,
        data={
            "kind": kind,
            "items": items,
            "purpose": purpose,
            "period_start": start,
            "period_end": start + timedelta(days=14),
            "return_date": today if returned else start + timedelta(days=16),
        },
    )
    demos.trial_submit(actor=author, trial=trial)
    review = Review.objects.filter(kind=demos.TRIAL_REVIEW_KIND, object_id=trial.pk).latest("id")
    review_decide(
        actor=ctx.users["presales_manager"],
        review=review,
        decision=Decision.APPROVE,
        comment="同意借用。Approved.",
    )
    trial.refresh_from_db()
    if returned:
        trial = demos.trial_mark_returned(
            actor=author, trial=trial, note="设备完好归还 Returned in good order."
        )
    return trial


SCENARIOS = [
    Scenario(
        "产线能耗在线监测 Line energy monitoring",
        SUZHOU,
        Decimal("860000"),
        "engineer",
        14,
        build_needs_in_progress,
    ),
    Scenario(
        "SMT 物料追溯 SMT material traceability",
        NINGBO,
        Decimal("1350000"),
        "engineer2",
        24,
        build_draft_with_writers,
    ),
    Scenario(
        "电机装配线 OEE Motor assembly OEE",
        NINGBO,
        Decimal("520000"),
        "engineer2",
        30,
        build_review_finance_pending,
    ),
    Scenario(
        "门诊自助服务终端 Outpatient self-service kiosks",
        HOSPITAL,
        Decimal("760000"),
        "engineer",
        33,
        build_rejected_and_next,
    ),
    Scenario(
        "冷库温湿度监控 Cold-store monitoring",
        YUNFAN,
        Decimal("240000"),
        "engineer2",
        36,
        build_feedback_revision,
    ),
    Scenario(
        "Machining OEE and MES",
        HARBOUR,
        Decimal("96000"),
        "engineer",
        48,
        build_accepted_usd,
        currency=("USD", Decimal("7.1012")),
    ),
    Scenario(
        "焊装车间数字孪生 Welding-shop digital twin",
        SUZHOU,
        Decimal("1080000"),
        "engineer",
        40,
        build_demo_scheduled,
    ),
    Scenario(
        "多品牌 AGV 统一调度 Mixed-fleet AGV dispatching",
        YUNFAN,
        Decimal("620000"),
        "engineer2",
        42,
        build_demo_feedback_missing,
    ),
]


def build(ctx) -> None:
    created = 0
    for scenario in SCENARIOS:
        if Opportunity.objects.filter(title=scenario.title).exists():
            continue
        opportunity, customer, contacts = _open(ctx, scenario)
        scenario.build(ctx, opportunity, customer, contacts)
        opportunity.refresh_from_db()
        lifecycle._backdate(opportunity, scenario.days_ago)
        created += 1
    ctx.log.append(
        f"Demo needs, solutions, reviews and demos: {created} opportunities created, "
        f"{len(SCENARIOS) - created} already there."
    )


__all__ = ["SCENARIOS", "build"]

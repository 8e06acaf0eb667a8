"""Demo solutions (R-SOL-1..5): each opportunity that reaches the review stage has a solution
version written in Chinese with a costed quote, submitted through the services; those that
reach the demo have it approved by the review chain (presales manager, then a department
head, with scores), as users would."""

from __future__ import annotations

from decimal import Decimal

from opportunities.models import Opportunity
from proposals.models import SolutionVersion
from proposals.solutions import services
from reviews.choices import Decision
from reviews.models import Review, ReviewTask
from reviews.services import review_decide

SECTIONS = {
    "background": "<h2>项目背景</h2><p>{customer}计划对现有系统进行升级，提升生产效率并降低能耗。</p>",
    "needs_analysis": "<h2>需求分析</h2><ul><li>降低生产线能耗30%</li><li>提供操作培训，员工掌握率100%</li></ul>",
    "architecture": (
        "<h2>系统架构</h2><p>边缘采集层、平台层、应用层三层架构。</p>"
        "<table><tr><th>层级</th><th>组件</th></tr><tr><td>采集</td><td>智能电表、网关</td></tr>"
        "<tr><td>平台</td><td>能源管理平台</td></tr></table>"
    ),
    "implementation_plan": "<h2>实施计划</h2><ol><li>调研与设计（2周）</li><li>部署与联调（4周）</li><li>培训与验收（2周）</li></ol>",
    "service_commitments": "<h2>服务承诺</h2><p>7×24小时响应，关键故障4小时到场。</p>",
}

LINES = [
    (
        "hardware",
        "智能电表 Smart meter",
        "三相，RS485",
        Decimal("40"),
        "台",
        Decimal("1800"),
        Decimal("2600"),
    ),
    ("hardware", "边缘网关 Edge gateway", "4G/以太网", Decimal("4"), "台", Decimal("6500"), Decimal("9800")),
    (
        "software",
        "能源管理平台 Energy platform",
        "50点位许可",
        Decimal("1"),
        "套",
        Decimal("120000"),
        Decimal("198000"),
    ),
    (
        "service",
        "实施与培训 Rollout and training",
        "8周",
        Decimal("1"),
        "项",
        Decimal("60000"),
        Decimal("95400"),
    ),
]


def write_and_submit(opportunity: Opportunity, author) -> SolutionVersion:
    """A version with sections and a quote (tax 13% or 6%, prices without tax), submitted."""
    solution = services.solution_create(
        actor=author, opportunity=opportunity, title=f"{opportunity.title} 解决方案 Solution"
    )
    version = solution.versions.get()
    for kind, body in SECTIONS.items():
        services.section_create(
            actor=author,
            version=version,
            kind=kind,
            data={"body_html": body.format(customer=opportunity.customer)},
        )
    for kind, item, spec, quantity, unit, cost, price in LINES:
        services.line_create(
            actor=author,
            version=version,
            data={
                "kind": kind,
                "item": item,
                "specification": spec,
                "quantity": quantity,
                "unit": unit,
                "unit_cost": cost,
                "unit_price": price,
                "tax_rate": Decimal("6") if kind == "service" else Decimal("13"),
                "tax_inclusive": False,
            },
        )
    section = version.sections.get(kind="needs_analysis")
    for requirement in opportunity.requirements.filter(kind="rigid"):
        services.answer_create(
            actor=author, version=version, data={"requirement": requirement, "section": section}
        )
    return services.version_submit(actor=author, version=version)


def approve(version: SolutionVersion) -> None:
    """Every step of the version's review approves, each by its first pending approver."""
    review = Review.objects.filter(kind="solution_version", object_id=version.pk).latest("id")
    for _step in range(10):
        review.refresh_from_db()
        if review.status != "in_progress":
            return
        task = ReviewTask.objects.filter(review=review, state="pending").select_related("approver").first()
        if task is None:
            return
        scores = {c["code"]: 4 for c in review.score_criteria}
        # R-REV-2: an approval ticks every check item of the approver's step.
        checks = {code: {"ok": True, "comment": ""} for code, _label in task.check_item_labels}
        review_decide(
            actor=task.approver,
            review=review,
            decision=Decision.APPROVE,
            comment="同意。Approved.",
            scores=scores,
            checks=checks,
        )

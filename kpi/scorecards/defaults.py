"""The seed's scorecard templates (R-KPI-2, 绩效考核评分表): plain data, read by the data
migration and by ``services.ensure_default_scorecard_templates``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpi.periods import PeriodKind

KEY_SECTION = "key_indicators"
TEMPLATE_NAMES = {
    PeriodKind.MONTH: "月度绩效考核评分表",
    PeriodKind.QUARTER: "季度绩效考核评分表",
    PeriodKind.YEAR: "年度绩效考核评分表",
}
WORK_ITEMS = (
    ("attitude", "工作态度", "责任心、主动性、纪律"),
    ("teamwork", "团队协作", "与销售、研发、交付的配合"),
    ("execution", "执行力", "按时保质完成任务"),
    ("growth", "学习成长", "学习新产品与新技能"),
)
# indicator, label, weight (month and quarter: 80 in all), weight in a year (70 in all),
# target that scores 100 (None: hours per kind of period)
KEY_ITEMS = (
    ("success_rate", "成功率", 30, 25, "40"),
    ("customer_satisfaction", "客户满意度", 15, 15, "5"),
    ("solution_quality", "方案质量", 15, 15, "5"),
    ("collaboration", "协作评价", 10, 8, "5"),
    ("training", "培训", 10, 7, None),
)
TRAINING_TARGET = {PeriodKind.MONTH: "8", PeriodKind.QUARTER: "24", PeriodKind.YEAR: "96"}


def default_template_items(period_kind: str) -> list[dict[str, Any]]:
    """Key indicators 80 %, work performance 20 %; a year: key indicators 70 %, work
    performance 20 %, ability 能力素質 5 %, development 職業發展 5 %."""
    annual = period_kind == PeriodKind.YEAR
    items: list[dict[str, Any]] = []
    for key, label, weight, annual_weight, target in KEY_ITEMS:
        items.append(
            {
                "section": KEY_SECTION,
                "code": key,
                "label": label,
                "indicator_key": key,
                "weight": Decimal(annual_weight if annual else weight),
                "target": Decimal(target or TRAINING_TARGET[PeriodKind(period_kind)]),
            }
        )
    for code, label, description in WORK_ITEMS:
        items.append(
            {
                "section": "work_performance",
                "code": code,
                "label": label,
                "description": description,
                "weight": Decimal(5),
                "scale": "score5",
            }
        )
    if annual:
        items.append(
            {
                "section": "ability",
                "code": "ability",
                "label": "能力素質",
                "weight": Decimal(5),
                "scale": "score5",
            }
        )
        items.append(
            {
                "section": "development",
                "code": "development",
                "label": "職業發展",
                "weight": Decimal(5),
                "scale": "score5",
            }
        )
    return items

"""The default survey templates (R-POST-1, R-POST-4, R-KPI-1), seeded by a data migration and
by the test fixtures (transactional tests flush migration data): one default template per
purpose, created only where the purpose has none, so an admin's edits are never overwritten."""

from __future__ import annotations

from typing import Any

from kpi.models.surveys import Measure, QuestionKind, SurveyPurpose

SATISFACTION = {
    "code": "satisfaction",
    "kind": QuestionKind.SCORE,
    "measure": Measure.SATISFACTION,
    "required": True,
    "text_en": "Are you satisfied with the quality of our service?",
    "text_zh_hans": "您对服务质量是否满意?",
    "text_zh_hant": "您對服務質量是否滿意?",
}
RESPONSIVENESS = {
    "code": "responsiveness",
    "kind": QuestionKind.SCORE,
    "measure": Measure.COLLABORATION,
    "required": True,
    "text_en": "How responsive was our presales engineer?",
    "text_zh_hans": "售前工程师的响应是否及时?",
    "text_zh_hant": "售前工程師的響應是否及時?",
}
QUALITY = {
    "code": "solution_quality",
    "kind": QuestionKind.SCORE,
    "measure": Measure.QUALITY,
    "required": True,
    "text_en": "How well did the solution meet your needs?",
    "text_zh_hans": "解决方案是否满足您的需求?",
    "text_zh_hant": "解決方案是否滿足您的需求?",
}
SUGGESTIONS = {
    "code": "suggestions",
    "kind": QuestionKind.TEXT,
    "measure": Measure.OTHER,
    "required": False,
    "text_en": "What could we improve?",
    "text_zh_hans": "有哪些改进建议?",
    "text_zh_hant": "有哪些改進建議?",
}
COLLABORATION = {
    "code": "collaboration",
    "kind": QuestionKind.SCORE,
    "measure": Measure.COLLABORATION,
    "required": True,
    "text_en": "How well did the presales engineer work with you on this opportunity?",
    "text_zh_hans": "售前工程师在本项目中的协作如何?",
    "text_zh_hant": "售前工程師在本項目中的協作如何?",
}
COMMENT = {
    "code": "comment",
    "kind": QuestionKind.TEXT,
    "measure": Measure.OTHER,
    "required": False,
    "text_en": "Comment",
    "text_zh_hans": "评语",
    "text_zh_hant": "評語",
}

DEFAULTS: list[dict[str, Any]] = [
    {
        "name": "Customer satisfaction after acceptance",
        "purpose": SurveyPurpose.AFTER_ACCEPTANCE,
        "intro_en": "Thank you for working with us. Please rate our service (1 = poor, 5 = excellent).",
        "intro_zh_hans": "感谢您的合作。请为我们的服务评分(1 = 很差,5 = 很好)。",
        "intro_zh_hant": "感謝您的合作。請為我們的服務評分(1 = 很差,5 = 很好)。",
        "questions": [SATISFACTION, RESPONSIVENESS, QUALITY, SUGGESTIONS],
    },
    {
        "name": "Presales service rating",
        "purpose": SurveyPurpose.PRESALES_SERVICE,
        "intro_en": "Please rate the presales service you received (1 = poor, 5 = excellent).",
        "intro_zh_hans": "请为您获得的售前服务评分(1 = 很差,5 = 很好)。",
        "intro_zh_hant": "請為您獲得的售前服務評分(1 = 很差,5 = 很好)。",
        "questions": [SATISFACTION, RESPONSIVENESS, QUALITY, SUGGESTIONS],
    },
    {
        "name": "Internal collaboration rating",
        "purpose": SurveyPurpose.INTERNAL,
        "intro_en": "Rate the presales engineer's collaboration on this opportunity.",
        "intro_zh_hans": "请为售前工程师在本商机中的协作评分。",
        "intro_zh_hant": "請為售前工程師在本商機中的協作評分。",
        "questions": [COLLABORATION, COMMENT],
    },
]


def ensure_default_templates(apps: Any = None) -> int:
    """Create the default template of every purpose that has none (idempotent). ``apps`` is
    the migration's app registry, or None for the current models. Returns how many were made."""
    template_model: Any
    question_model: Any
    if apps is None:
        from kpi.models import SurveyQuestion, SurveyTemplate

        template_model, question_model = SurveyTemplate, SurveyQuestion
    else:
        template_model = apps.get_model("kpi", "SurveyTemplate")
        question_model = apps.get_model("kpi", "SurveyQuestion")
    made = 0
    for spec in DEFAULTS:
        if template_model.objects.filter(purpose=spec["purpose"], is_default=True).exists():
            continue
        template = template_model.objects.create(
            name=spec["name"],
            purpose=str(spec["purpose"]),
            is_default=True,
            is_active=True,
            intro_en=spec["intro_en"],
            intro_zh_hans=spec["intro_zh_hans"],
            intro_zh_hant=spec["intro_zh_hant"],
        )
        for order, question in enumerate(spec["questions"], start=1):
            question_model.objects.create(
                template=template,
                order=order,
                **{k: (str(v) if k in ("kind", "measure") else v) for k, v in question.items()},
            )
        made += 1
    return made

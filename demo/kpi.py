"""The demo's performance data (R-KPI-1..4, R-POST-1..4), all through the kpi services:

- training: each presales engineer's plan for the year, courses taken (an exam score, a
  reflection) and a training given to the sales team;
- surveys: the surveys the close and sign hooks sent are answered, the customer ones through
  the link or from a phone interview (one with a low score, which opens an improvement
  action), the internal ones by the sales owner in the application;
- retrospectives of the closed deals held with presales attending (one left due);
- sales targets of the sales reps and the East China team for this and last month and quarter;
- last month's scorecard of every presales engineer: created, rated, shared, one signed off;
- last month's team reports: East China's submitted, North China's a draft;
- the analytics summary refreshed, so the dashboards have data.

Idempotent: each step looks at the state its own first run left (an answered survey, a held
retrospective, an existing target, a scorecard's status, an existing report) and does nothing
the second time. The surveys and retrospectives chosen are the first ones by id.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from kpi.analytics.summary import refresh_summary
from kpi.models import (
    Retrospective,
    SalesTarget,
    Scorecard,
    ScorecardTemplate,
    Survey,
    TeamReport,
    TrainingPlan,
    TrainingRecord,
)
from kpi.models.reports import ReportStatus
from kpi.models.retrospectives import RetrospectiveStatus
from kpi.models.scorecards import RatingScale, ScorecardAudience, ScorecardStatus
from kpi.models.surveys import AnswerChannel, QuestionKind, SurveyPurpose, SurveyStatus
from kpi.models.targets import TargetMetric
from kpi.periods import Period, PeriodKind
from kpi.reports import services as reports
from kpi.retrospectives import services as retrospectives
from kpi.scorecards import services as scorecards
from kpi.surveys import services as surveys
from kpi.targets import services as targets
from kpi.training import services as training
from presales.accounts.models import Team

ENGINEERS = ("engineer", "engineer2", "engineer_north")

# person: (plan title, planned hours, courses)
PLANS = {
    "engineer": ("2026 年度培训计划 王工", Decimal("60"), "MES 6.0 认证；工业网关选型；投标文件编写"),
    "engineer2": ("2026 年度培训计划 陈工", Decimal("48"), "金融信创方案；等保三级；演示技巧"),
    "engineer_north": ("2026 年度培训计划 赵工", Decimal("40"), "能源行业安全生产；SPIN 销售法"),
}

# (person, course, provider, days ago, hours, direction, result, score, reflection, audience, attendees)
RECORDS: list[tuple[str, str, str, int, str, str, str, str | None, str, str, int | None]] = [
    (
        "engineer",
        "MES 6.0 产品认证 MES 6.0 certification",
        "产品部",
        40,
        "16",
        "taken",
        "exam",
        "88",
        "",
        "",
        None,
    ),
    (
        "engineer2",
        "等保 2.0 与金融数据安全 MLPS 2.0 and financial data security",
        "中国信息安全测评中心",
        25,
        "8",
        "taken",
        "reflection",
        None,
        "等保三级的测评项要在方案阶段就对齐，投标时可直接引用测评结论。",
        "",
        None,
    ),
    (
        "engineer_north",
        "SPIN 顾问式销售 SPIN selling",
        "外部讲师",
        15,
        "12",
        "taken",
        "exam",
        "76",
        "",
        "",
        None,
    ),
    (
        "engineer",
        "MES 产品培训（面向销售）MES product training for sales",
        "",
        10,
        "3",
        "given",
        "reflection",
        None,
        "销售最关心报价口径与典型案例，下次增加案例演练。",
        "华东区销售团队 East China sales",
        8,
    ),
]

CUSTOMER_ANSWERS = {
    "good": ("5", "响应及时，方案贴合我们的产线。Quick, and the solution fits our lines."),
    "fair": ("4", "整体满意，演示环境准备可以更充分。Good overall; the demo could be better prepared."),
    "low": ("2", "方案交付延迟两周，沟通不够。The proposal was two weeks late."),
}

RETRO_CONTENT = {
    "reasons": "价格高于中标方；客户对本地化服务更看重。Our price was higher; local service mattered more.",
    "went_well": "需求调研充分，技术评分第一。A thorough survey; first on the technical score.",
    "lessons": "提前了解评分办法中的价格分计算；尽早引入渠道伙伴。Learn the price formula early.",
    "improvements": "建立标准报价模型，投标前做价格敏感度分析。A price model and a sensitivity check.",
}

REPORT_SECTIONS = {
    "east": {
        "summary": "本月签约两单，回款进度正常；冷链项目进入投标。Two deals signed; the cold-chain bid is under way.",
        "pipeline_commentary": "商机 12 个，其中投标阶段 2 个。12 opportunities, 2 in bidding.",
        "next_month_plan": "完成冷链项目投标；SMT 项目 ERP 接口评审。Submit the cold-chain bid; ERP interface review.",
    },
    "north": {
        "summary": "电厂安全监控项目需求分析中，华宇数科参与竞争。Plant safety in needs analysis against Huayu.",
        "next_month_plan": "安排方案交流会。A solution workshop.",
    },
}


def _year_day(days_ago: int) -> date:
    """``days_ago`` before today, kept inside this year (the plan's year)."""
    today = timezone.localdate()
    return max(today - timedelta(days=days_ago), date(today.year, 1, 1))


def _training(ctx) -> int:
    year = timezone.localdate().year
    made = 0
    for key, (title, planned, courses) in PLANS.items():
        person = ctx.users[key]
        if not TrainingPlan.objects.filter(person=person, year=year).exists():
            training.training_plan_create(
                actor=person,
                data={"year": year, "title": title, "planned_hours": planned, "courses": courses},
            )
    for key, course, provider, days, hours, direction, result, score, reflection, audience, count in RECORDS:
        person = ctx.users[key]
        if TrainingRecord.objects.filter(person=person, course=course).exists():
            continue
        training.training_record_create(
            actor=person,
            data={
                "direction": direction,
                "plan": TrainingPlan.objects.filter(person=person, year=year).first(),
                "course": course,
                "provider": provider,
                "held_on": _year_day(days),
                "hours": Decimal(hours),
                "result": result,
                "exam_score": Decimal(score) if score else None,
                "reflection": reflection,
                "audience": audience,
                "attendee_count": count,
            },
        )
        made += 1
    return made


def _answers(survey: Survey, tone: str) -> dict[str, Any]:
    score, text = CUSTOMER_ANSWERS[tone]
    answers: dict[str, Any] = {}
    for index, question in enumerate(survey.questions):
        if question["kind"] == QuestionKind.SCORE:
            # the low tone marks the first question only; the rest are middling
            answers[question["code"]] = score if (tone != "low" or index == 0) else "3"
        else:
            answers[question["code"]] = text
    return answers


def _surveys(ctx) -> int:
    """The first customer surveys (by id) answered: by link, a low score by phone, by link;
    the first internal ratings answered by their respondent."""
    answered = 0
    customer = list(Survey.objects.filter(purpose=SurveyPurpose.PRESALES_SERVICE).order_by("pk")[:3])
    for index, survey in enumerate(customer):
        if survey.status != SurveyStatus.SENT:
            continue
        if index == 1:
            actor = survey.opportunity.presales_owner or survey.opportunity.sales_owner
            surveys.survey_answer(
                survey=survey,
                answers=_answers(survey, "low"),
                channel=AnswerChannel.PHONE,
                actor=actor,
                comment="电话回访 / phone interview",
            )
        else:
            surveys.survey_answer_by_token(
                token=surveys.survey_token(survey), answers=_answers(survey, "good" if index == 0 else "fair")
            )
        answered += 1
    internal = Survey.objects.filter(purpose=SurveyPurpose.INTERNAL, respondent__isnull=False).order_by("pk")[
        :2
    ]
    for survey in internal:
        if survey.status != SurveyStatus.SENT:
            continue
        surveys.survey_answer(
            survey=survey,
            answers=_answers(survey, "fair"),
            channel=AnswerChannel.IN_APP,
            actor=survey.respondent,
        )
        answered += 1
    return answered


def _retrospectives() -> int:
    """Every retrospective but the last (by id) held, the presales owner and the sales owner
    attending; the last stays due (its timer runs)."""
    held = 0
    rows = list(Retrospective.objects.select_related("opportunity").order_by("pk"))
    for retrospective in rows[:-1]:
        if retrospective.status == RetrospectiveStatus.HELD:
            continue
        opportunity = retrospective.opportunity
        actor = opportunity.presales_owner or opportunity.sales_owner
        attendees = [u for u in (opportunity.presales_owner, opportunity.sales_owner) if u is not None]
        data = dict(RETRO_CONTENT)
        if opportunity.winner is not None:
            data["competitor_name"] = opportunity.winner.name
        if retrospective.outcome == "won":
            data["reasons"] = "方案贴合、案例有说服力，价格合理。A fitting solution, convincing cases."
        retrospective = retrospectives.retrospective_update(
            actor=actor, retrospective=retrospective, data=data, attendees=attendees
        )
        retrospectives.retrospective_hold(actor=actor, retrospective=retrospective)
        held += 1
    return held


def _targets(ctx) -> int:
    gm = ctx.users["gm"]
    today = timezone.localdate()
    made = 0
    subjects: list[tuple[Any, Any, dict[str, Decimal]]] = [
        (
            ctx.users["sales"],
            None,
            {
                TargetMetric.AMOUNT_SIGNED: Decimal("1500000"),
                TargetMetric.PAYMENTS_COLLECTED: Decimal("1000000"),
                TargetMetric.NEW_CUSTOMERS: Decimal("3"),
            },
        ),
        (
            ctx.users["sales_manager"],
            None,
            {TargetMetric.AMOUNT_SIGNED: Decimal("2000000"), TargetMetric.NEW_CUSTOMERS: Decimal("2")},
        ),
        (
            None,
            ctx.teams["east"],
            {
                TargetMetric.AMOUNT_SIGNED: Decimal("5000000"),
                TargetMetric.PAYMENTS_COLLECTED: Decimal("3500000"),
                TargetMetric.NEW_CUSTOMERS: Decimal("6"),
                TargetMetric.SATISFACTION: Decimal("4.5"),
            },
        ),
    ]
    for kind, factor in ((PeriodKind.MONTH, 1), (PeriodKind.QUARTER, 3)):
        current = Period.containing(today, kind)
        for period in (current.previous(), current):
            for person, team, values in subjects:
                for metric, value in values.items():
                    if SalesTarget.objects.filter(
                        period_kind=period.kind,
                        period_start=period.start,
                        person=person,
                        team=team,
                        metric=metric,
                    ).exists():
                        continue
                    scaled = value if metric == TargetMetric.SATISFACTION else value * factor
                    targets.target_create(
                        actor=gm, period=period, metric=metric, target=scaled, person=person, team=team
                    )
                    made += 1
    return made


def _rate_all(scorecard: Scorecard) -> dict[str, str]:
    ratings = {}
    for index, item in enumerate(scorecard.items):
        if item["section"] == "key_indicators":
            continue
        five = item.get("scale", RatingScale.SCORE5) == RatingScale.SCORE5
        ratings[item["code"]] = ("4" if index % 2 else "5") if five else ("85" if index % 2 else "92")
    return ratings


def _scorecards(ctx) -> int:
    scorecards.ensure_default_scorecard_templates()
    template = ScorecardTemplate.objects.get(
        audience=ScorecardAudience.PRESALES_ENGINEER,
        period_kind=PeriodKind.MONTH,
        name=scorecards.TEMPLATE_NAMES[PeriodKind.MONTH],
    )
    period = Period.containing(timezone.localdate()).previous()
    appraisers = {"engineer": "presales_manager", "engineer2": "presales_manager", "engineer_north": "gm"}
    signed = 0
    for key in ENGINEERS:
        person, appraiser = ctx.users[key], ctx.users[appraisers[key]]
        card = Scorecard.objects.filter(person=person, template=template, period=period.key).first()
        if card is None:
            card = scorecards.scorecard_create(
                actor=appraiser, person=person, template=template, period=period.key
            )
        if card.status == ScorecardStatus.DRAFT:
            card = scorecards.scorecard_rate(
                actor=appraiser,
                scorecard=card,
                ratings=_rate_all(card),
                manager_comment="工作积极，方案质量稳定；下月加强投标文件的时效。Solid work; faster bid documents next month.",
            )
        if card.status == ScorecardStatus.RATED:
            card = scorecards.scorecard_share(actor=appraiser, scorecard=card)
            if key == "engineer2":
                scorecards.scorecard_comment(
                    actor=person, scorecard=card, body="谢谢反馈，下月会提前准备演示环境。Thanks, noted."
                )
        # Signing freezes the figures, computed in PostgreSQL's SQL (kpi/scorecards/indicators.py):
        # on SQLite (``make run``) the cards stay shared.
        if key == "engineer" and card.status == ScorecardStatus.SHARED and connection.vendor == "postgresql":
            scorecards.scorecard_sign(actor=appraiser, scorecard=card)
            signed += 1
    return signed


def _reports(ctx) -> None:
    month = Period.containing(timezone.localdate()).previous()
    for team_key, actor_key, submit in (("east", "presales_manager", True), ("north", "gm", False)):
        team = Team.objects.get(pk=ctx.teams[team_key].pk)  # its manager was set after ctx was filled
        if TeamReport.objects.filter(team=team, month=month.start).exists():
            continue
        actor = ctx.users[actor_key]
        report = reports.report_generate(team=team, month=month, actor=actor)
        report = reports.report_update(actor=actor, report=report, data=REPORT_SECTIONS[team_key])
        if submit and report.status == ReportStatus.DRAFT:
            reports.report_submit(actor=actor, report=report)


def build(ctx) -> None:
    records = _training(ctx)
    answered = _surveys(ctx)
    held = _retrospectives()
    made = _targets(ctx)
    signed = _scorecards(ctx)
    _reports(ctx)
    # The summary's SQL is PostgreSQL's; on SQLite (``make run``) the charts are computed live.
    rows = refresh_summary() if connection.vendor == "postgresql" else 0
    ctx.log.append(
        f"Demo KPI: {records} training records, {answered} surveys answered, {held} retrospectives held, "
        f"{made} targets set, {signed} scorecard signed, team reports made, {rows} summary rows."
    )

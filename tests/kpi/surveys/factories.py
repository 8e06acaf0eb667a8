"""Record builders of the surveys area for the API contract and query-count tests:
``(admin, team, n) -> n records`` the admin sees (R-POST-1, R-POST-3, R-POST-4). Rows are
written directly (the services are tested in tests/kpi/surveys)."""

from __future__ import annotations

from django.utils import timezone

from kpi.models import ImprovementAction, Survey, SurveyAnswer, SurveyQuestion, SurveyTemplate
from tests.factories import CustomerFactory, OpportunityFactory


def _template(purpose: str = "presales_service") -> SurveyTemplate:
    template = SurveyTemplate.objects.filter(purpose=purpose).first()
    if template is None:
        template = SurveyTemplate.objects.create(name="T", purpose=purpose)
        SurveyQuestion.objects.create(
            template=template, code="satisfaction", text_en="Q", text_zh_hans="Q", text_zh_hant="Q"
        )
    return template


def surveys(admin, team, n):
    """``n`` answered presales-service surveys, one per opportunity of ``team``."""
    template = _template()
    customer = CustomerFactory(team=team)
    now = timezone.now()
    made = []
    for i in range(n):
        opportunity = OpportunityFactory(
            team=team, customer=customer, sales_owner=admin, presales_owner=admin
        )
        survey = Survey.objects.create(
            template=template,
            purpose="presales_service",
            opportunity=opportunity,
            rated_user=admin,
            team=team,
            questions=[q.as_snapshot() for q in template.questions.all()],
            nonce=f"n{i}",
            sent_at=now,
            status="answered",
            answered_at=now,
            channel="link",
        )
        SurveyAnswer.objects.create(
            survey=survey,
            code="satisfaction",
            measure="satisfaction",
            score=2,
            rated_user=admin,
            team=team,
            answered_at=now,
        )
        made.append(survey)
    return made


def templates(admin, team, n):
    """``n`` templates and only them (the seeded defaults, which a flush of an earlier
    transactional test may have removed, are replaced): the same rows whatever ran before."""
    SurveyTemplate.objects.filter(surveys__isnull=True).delete()
    return [
        SurveyTemplate.objects.create(name=f"Template {i}", purpose="after_acceptance", is_active=False)
        for i in range(n)
    ]


def improvement_actions(admin, team, n):
    today = timezone.localdate()
    return [
        ImprovementAction.objects.create(survey=s, owner=admin, due_on=today, description="Improve")
        for s in surveys(admin, team, n)
    ]


SURVEY_BUILDERS = {
    "kpi.survey": surveys,
    "kpi.surveytemplate": templates,
    "kpi.improvementaction": improvement_actions,
}

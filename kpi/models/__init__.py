"""The kpi app's models, one module per area: surveys and improvement actions (R-POST-1, 3, 4),
training (R-KPI-1); retrospectives (R-POST-2), scorecards and sales targets (R-KPI-2, R-KPI-4)
and the monthly team report (R-KPI-3) beside them. Gathered here so that Django registers them
under the app label ``kpi``."""

from kpi.models.analytics import AnalyticsChange, AnalyticsSummary, SummaryMeasure
from kpi.models.reports import TeamReport
from kpi.models.retrospectives import (
    CustomerConsent,
    Retrospective,
    RetrospectiveOutcome,
    RetrospectiveStatus,
)
from kpi.models.scorecards import (
    Scorecard,
    ScorecardComment,
    ScorecardTemplate,
    ScorecardTemplateItem,
)
from kpi.models.surveys import ImprovementAction, Survey, SurveyAnswer, SurveyQuestion, SurveyTemplate
from kpi.models.targets import SalesTarget
from kpi.models.training import TrainingPlan, TrainingRecord

__all__ = [
    "AnalyticsChange",
    "AnalyticsSummary",
    "CustomerConsent",
    "ImprovementAction",
    "Retrospective",
    "RetrospectiveOutcome",
    "RetrospectiveStatus",
    "SalesTarget",
    "Scorecard",
    "ScorecardComment",
    "ScorecardTemplate",
    "ScorecardTemplateItem",
    "SummaryMeasure",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyTemplate",
    "TeamReport",
    "TrainingPlan",
    "TrainingRecord",
]

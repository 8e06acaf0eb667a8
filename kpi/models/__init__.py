"""The kpi app's models, one module per area: surveys and improvement actions (R-POST-1, 3, 4),
training (R-KPI-1); retrospectives (R-POST-2), scorecards and sales targets (R-KPI-2, R-KPI-4)
and the monthly team report (R-KPI-3) beside them. Gathered here so that Django registers them
under the app label ``kpi``."""

from kpi.models.analytics import AnalyticsSummary, SummaryMeasure
from kpi.models.surveys import ImprovementAction, Survey, SurveyAnswer, SurveyQuestion, SurveyTemplate
from kpi.models.training import TrainingPlan, TrainingRecord

__all__ = [
    "AnalyticsSummary",
    "ImprovementAction",
    "SummaryMeasure",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyTemplate",
    "TrainingPlan",
    "TrainingRecord",
]

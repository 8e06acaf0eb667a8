"""Reads of surveys: the scoped list, one survey with its answers and actions, an
opportunity's surveys for the desk (select_related / prefetch decided once here)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from kpi.models import ImprovementAction, Survey, SurveyAnswer

LIST_RELATED = ("opportunity", "contact", "rated_user", "respondent", "template")


def surveys_for(user: Any) -> QuerySet[Survey]:
    return Survey.objects.visible_to(user).select_related(*LIST_RELATED)


def survey_detail(user: Any, pk: int) -> Survey | None:
    return (
        surveys_for(user)
        .select_related("entered_by", "revoked_by", "opportunity__customer")
        .prefetch_related(
            Prefetch("answers", queryset=SurveyAnswer.objects.order_by("pk")),
            Prefetch(
                "improvement_actions",
                queryset=ImprovementAction.objects.select_related("owner", "closed_by").order_by("pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def opportunity_surveys(opportunity: Any) -> list[Survey]:
    """The desk's list: the opportunity's surveys with their improvement actions (2 queries)."""
    return list(
        Survey.objects.filter(opportunity=opportunity)
        .select_related("contact", "rated_user", "respondent")
        .prefetch_related(
            Prefetch(
                "improvement_actions",
                queryset=ImprovementAction.objects.select_related("owner").order_by("pk"),
            )
        )
        .order_by("-sent_at", "-pk")
    )


def answer_rows(survey: Survey, language: str | None = None) -> list[dict[str, Any]]:
    """The questions as sent with their answers, for the detail pages."""
    from kpi.models.surveys import localized

    answers = {a.code: a for a in survey.answers.all()}
    return [
        {
            "question": localized(q, language),
            "kind": q["kind"],
            "measure": q["measure"],
            "answer": answers.get(q["code"]),
        }
        for q in survey.questions
    ]

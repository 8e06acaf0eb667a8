"""Reads of scorecards (R-KPI-1, R-KPI-2): the caller's scorecards, a team's people with their
live indicators (one query per indicator, whatever the number of people), the dashboard card."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kpi.indicators import PRESALES, Value, compute_all, indicators
from kpi.models.scorecards import Scorecard, ScorecardStatus, ScorecardTemplate, appraised_team_ids
from kpi.periods import Period
from presales.accounts.models import User
from presales.core.roles import PRESALES_ROLES, Role


def visible_scorecards(user: Any):
    return Scorecard.objects.visible_to(user).select_related("template", "team")


def my_scorecards(user: Any):
    """The caller's own scorecards, once shared."""
    return visible_scorecards(user).filter(person_id=user.pk)


def appraised_people(user: Any):
    """The people whose scorecards ``user`` makes (the teams they appraise; everyone with a
    presales or sales role for the general manager and admins), never themselves."""
    teams = appraised_team_ids(user)
    people = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if teams is None:
        people = people.filter(
            groups__name__in=[*PRESALES_ROLES, Role.SALES_REP, Role.SALES_MANAGER]
        ).distinct()
    else:
        people = people.filter(team_id__in=sorted(teams))
    return people.select_related("team").order_by("team__name", "display_name", "username")


def may_appraise_anyone(user: Any) -> bool:
    teams = appraised_team_ids(user)
    return teams is None or bool(teams)


def team_overview(user: Any, period: Period) -> dict[str, Any]:
    """The appraised people with their live presales indicators for ``period``: one query for
    the people, one per indicator, one for their scorecards of the period."""
    people = list(appraised_people(user))
    ids = [p.pk for p in people]
    shown = indicators(PRESALES)
    values = compute_all([i.key for i in shown], ids, period)
    cards = {
        (c.person_id): c
        for c in Scorecard.objects.visible_to(user)
        .filter(person_id__in=ids, period=period.key)
        .order_by("id")
    }
    rows = []
    for person in people:
        rows.append(
            {
                "person": person,
                "scorecard": cards.get(person.pk),
                "cells": [
                    {
                        "indicator": indicator,
                        "value": values.get(indicator.key, {}).get(person.pk, Value(None)),
                        "url": indicator.records_url(person.pk, period),
                    }
                    for indicator in shown
                ],
            }
        )
    return {"indicators": shown, "rows": rows}


def templates_for(period: Period):
    return ScorecardTemplate.objects.filter(is_active=True, period_kind=period.kind).order_by(
        "audience", "name"
    )


def latest_scorecard_panel(user: Any) -> dict[str, Any] | None:
    """Dashboard card for presales engineers: their latest shared or signed scorecard (one query)."""
    if not getattr(user, "is_authenticated", False) or Role.PRESALES_ENGINEER not in user.roles:
        return None
    latest = (
        Scorecard.objects.filter(
            person_id=user.pk, status__in=[ScorecardStatus.SHARED, ScorecardStatus.SIGNED]
        )
        .order_by("-period", "-id")
        .first()
    )
    return {
        "key": "scorecard",
        "title": _("My latest scorecard"),
        "icon": "clipboard-data",
        "template": "kpi/scorecards/partials/dashboard_panel.html",
        "scorecard": latest,
    }

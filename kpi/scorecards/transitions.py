"""The scorecard's allowed moves (R-KPI-2): draft → rated (the manager rated every work item)
→ shared (the person sees it and comments) → signed (frozen). One table; services check it on
the locked row; signed is final."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi.models.scorecards import Scorecard, ScorecardStatus, appraised_team_ids
from presales.core.statemachine import Machine, Move


def may_appraise(actor: Any, scorecard: Scorecard) -> bool:
    """The manager of the card's team (or a manager role over it), the general manager or an
    admin; never the appraised person."""
    if actor.pk == scorecard.person_id:
        return False
    teams = appraised_team_ids(actor)
    return teams is None or scorecard.team_id in teams


def unrated_items(scorecard: Scorecard, actor: Any = None, **context: Any) -> list[str]:
    ratings = scorecard.ratings or {}
    missing = [
        item["label"]
        for item in scorecard.items
        if item["section"] != "key_indicators" and ratings.get(item["code"]) is None
    ]
    if missing:
        return [_("Rate every work item first: %(items)s.") % {"items": ", ".join(missing)}]
    return []


MACHINE = Machine(
    [
        Move(
            "rate",
            frozenset({ScorecardStatus.DRAFT, ScorecardStatus.RATED}),
            ScorecardStatus.RATED,
            cast(str, gettext_lazy("Rate")),
            permission=may_appraise,
        ),
        Move(
            "share",
            frozenset({ScorecardStatus.RATED}),
            ScorecardStatus.SHARED,
            cast(str, gettext_lazy("Share with the person")),
            guards=(unrated_items,),
            permission=may_appraise,
        ),
        Move(
            "sign",
            frozenset({ScorecardStatus.SHARED}),
            ScorecardStatus.SIGNED,
            cast(str, gettext_lazy("Sign off")),
            guards=(unrated_items,),
            permission=may_appraise,
            style="success",
        ),
    ]
)

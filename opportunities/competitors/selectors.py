"""Reads of the competitor records (R-COMP-1): the list with its win/loss counts, a
competitor's profile, intelligence timeline, opportunities in play and win/loss against them
per quarter. Every opportunity-side figure is scoped by the viewer's opportunity visibility."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncQuarter

from opportunities.choices import OPEN_STAGES, Stage
from opportunities.models import (
    Competitor,
    CompetitorIntel,
    Opportunity,
    OpportunityCompetitor,
    opportunity_visibility_q,
)
from presales.core.roles import Actor

LINKS = "opportunity_links__"


def _visible_links(user: Actor, prefix: str = "") -> Q:
    # A filter that is never empty (an all-scope viewer's predicate is ``Q()``), so that it
    # can stand as an aggregate's FILTER.
    return Q(**{f"{prefix}pk__isnull": False}) & opportunity_visibility_q(
        user, prefix=f"{prefix}opportunity__"
    )


def competitors_with_counts(user: Actor) -> QuerySet[Competitor]:
    """Competitor records (all staff) with the visible open opportunities each is in play on,
    the closed ones won by us (handoff) and lost to them: one query."""
    visible = _visible_links(user, LINKS)
    return (
        Competitor.objects.visible_to(user)
        .annotate(
            in_play_count=Count(
                "opportunity_links",
                filter=visible
                & Q(opportunity_links__in_play=True, opportunity_links__opportunity__stage__in=OPEN_STAGES),
            ),
            won_count=Count(
                "opportunity_links", filter=visible & Q(opportunity_links__opportunity__stage=Stage.HANDOFF)
            ),
            lost_count=Count(
                "opportunity_links",
                filter=visible
                & Q(
                    opportunity_links__opportunity__stage=Stage.LOST,
                    opportunity_links__opportunity__winner_id=F("pk"),
                ),
            ),
        )
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class QuarterRow:
    """Win/loss against one competitor in one quarter (by the day the opportunity closed)."""

    quarter: str  # "2026-Q4"
    won: int  # we won (handoff) where they were in play
    lost_to_them: int  # lost, with them as the winner
    lost_to_others: int  # lost to someone else (or no winner named)

    @property
    def total(self) -> int:
        return self.won + self.lost_to_them + self.lost_to_others

    def share(self, value: int) -> int:
        """``value``'s share of the quarter rounded to a quarter (0, 25, 50, 75, 100): the
        bars' width classes (Bootstrap ``w-*``; no inline style under the CSP)."""
        if not self.total:
            return 0
        return round(value * 4 / self.total) * 25

    @property
    def won_share(self) -> int:
        return self.share(self.won)

    @property
    def lost_to_them_share(self) -> int:
        return self.share(self.lost_to_them)

    @property
    def lost_to_others_share(self) -> int:
        return self.share(self.lost_to_others)


def win_loss_by_quarter(user: Actor, competitor: Competitor) -> list[QuarterRow]:
    """R-COMP-1: per quarter of closing, the visible opportunities where ``competitor`` was on
    the opportunity, won by us vs lost to them vs lost to others. One aggregate query."""
    lost = Q(opportunity__stage=Stage.LOST)
    to_them = Q(opportunity__winner_id=competitor.pk)
    rows = (
        OpportunityCompetitor.objects.filter(competitor=competitor)
        .filter(opportunity_visibility_q(user, prefix="opportunity__"))
        .filter(opportunity__stage__in=[Stage.HANDOFF, Stage.LOST], opportunity__closed_at__isnull=False)
        .annotate(quarter=TruncQuarter("opportunity__closed_at"))
        .values("quarter")
        .annotate(
            won=Count("pk", filter=Q(opportunity__stage=Stage.HANDOFF)),
            lost_to_them=Count("pk", filter=lost & to_them),
            lost_to_others=Count("pk", filter=lost & (Q(opportunity__winner__isnull=True) | ~to_them)),
        )
        .order_by("quarter")
    )
    return [
        QuarterRow(
            quarter=f"{row['quarter'].year}-Q{(row['quarter'].month - 1) // 3 + 1}",
            won=row["won"],
            lost_to_them=row["lost_to_them"],
            lost_to_others=row["lost_to_others"],
        )
        for row in rows
    ]


def intel_of(competitor: Competitor, limit: int = 50) -> list[CompetitorIntel]:
    """The competitor's intelligence timeline, newest observation first."""
    return list(
        CompetitorIntel.objects.filter(competitor=competitor).select_related("recorded_by", "opportunity")[
            :limit
        ]
    )


def opportunities_in_play(
    user: Actor, competitor: Competitor, limit: int = 50
) -> list[OpportunityCompetitor]:
    """The visible open opportunities where ``competitor`` is in play, with their offers."""
    return list(
        OpportunityCompetitor.objects.filter(competitor=competitor, in_play=True)
        .filter(opportunity_visibility_q(user, prefix="opportunity__"))
        .filter(opportunity__stage__in=OPEN_STAGES)
        .select_related("opportunity", "opportunity__customer")
        .order_by("-opportunity__updated_at", "-pk")[:limit]
    )


def links_of(opportunity: Opportunity) -> list[OpportunityCompetitor]:
    """The competitors on one opportunity (in play first), with their records: one query."""
    return list(
        OpportunityCompetitor.objects.filter(opportunity=opportunity)
        .select_related("competitor")
        .order_by("-in_play", "competitor__name", "pk")
    )


def with_competitors_in_play(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Prefetch the competitors in play of each opportunity (the API's ``competitors_in_play``)."""
    return queryset.prefetch_related(
        Prefetch(
            "competitor_links",
            queryset=OpportunityCompetitor.objects.filter(in_play=True)
            .select_related("competitor")
            .order_by("pk"),
            to_attr="competitors_in_play",
        )
    )

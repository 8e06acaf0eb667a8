"""Reads of the opportunity lifecycle across relations, with their fetches decided once.

The board costs the same few queries however many cards it shows: one aggregate for the
column counts and totals, one query for the cards (capped per column with a window
function), one prefetch of the project teams the move menus need. A column's "load more"
(issue 9) reads the next window of one stage by keyset on the card order
``(stage_entered_at, pk)``, never by OFFSET, in the same constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from opportunities.choices import LIFECYCLE, OPEN_STAGES, Stage
from opportunities.desk import desk_review_sources, desk_timer_sources
from opportunities.models import (
    InitiationStatusChange,
    Opportunity,
    OpportunityQuerySet,
    ProjectInitiation,
    ProjectMember,
    StageChange,
)
from opportunities.permissions import can_work_opportunity
from opportunities.transitions import MACHINE
from presales.accounts.models import User
from presales.core.roles import scope_of
from presales.core.statemachine import MoveOption
from presales.sla.models import Timer
from reviews.models import Review
from reviews.selectors import reviews_for_subject

# Columns of the board: the lifecycle path, then the two ways out.
BOARD_STAGES = (*LIFECYCLE, Stage.LOST, Stage.ABANDONED)
# The first window of each column (issue 8: the board must not grow 7,000 px tall); "load
# more" fetches the next windows of one column.
CARDS_PER_COLUMN = 20
MAX_CARDS_PER_WINDOW = 100


@dataclass
class Card:
    opportunity: Opportunity
    options: list[MoveOption]
    # Whether the viewer may work the opportunity: only then is the card draggable and its
    # "Move to…" menu shown (issue 8: no control that fails only on submit).
    can_work: bool = False

    @property
    def json_id(self) -> str:
        return f"moves-{self.opportunity.pk}"

    @property
    def moves(self) -> list[dict[str, Any]]:
        """The card's moves for drag and drop: where each leads, whether it asks for
        input, and why it is blocked now."""
        return [
            {
                "name": o.move.name,
                "target": o.move.target,
                "label": str(o.move.label),
                "needs_input": o.move.needs_input,
                "reasons": o.reasons,
                "url": reverse("opportunities:move", args=[self.opportunity.pk, o.move.name]),
            }
            for o in self.options
        ]


@dataclass
class Column:
    stage: str
    label: str
    count: int = 0
    totals: list[tuple[str, Decimal]] = field(default_factory=list)  # (currency, sum) pairs
    cards: list[Card] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        """Cards beyond the ones shown ("load more" fetches them)."""
        return self.count - len(self.cards)

    @property
    def after(self) -> str:
        """Where the next window starts: the position of the last card shown."""
        return card_position(self.cards[-1].opportunity) if self.cards else ""

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


def pipeline_board(
    queryset: OpportunityQuerySet, user: User, *, per_column: int = CARDS_PER_COLUMN
) -> list[Column]:
    """The kanban of ``queryset`` (already scoped and filtered) for ``user``: per stage the
    count, the amount total per currency and the oldest-in-stage cards with their moves."""
    columns: dict[str, Column] = {
        stage: Column(stage=stage, label=str(Stage(stage).label)) for stage in BOARD_STAGES
    }
    sums: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for row in (
        queryset.order_by()
        .values("stage", "currency")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("stage", "currency")
    ):
        columns[row["stage"]].count += row["count"]
        sums[row["stage"]].append((row["currency"], row["total"] or Decimal(0)))
    for stage, totals in sums.items():
        columns[stage].totals = totals
    cards = queryset.for_cards().filter(pk__in=list(first_card_ids(queryset, per_column)))
    cards = cards.order_by("stage_entered_at", "pk")
    for opportunity in cards:
        columns[opportunity.stage].cards.append(_card(opportunity, user))
    return list(columns.values())


def first_card_ids(queryset: OpportunityQuerySet, per_column: int) -> QuerySet[Opportunity, int]:
    """The ids of each column's first ``per_column`` cards (oldest in stage first).

    Issue 9: on PostgreSQL one ``UNION ALL`` of one ``LIMIT``-ed part per stage, each walking
    the ``(stage, stage_entered_at, id)`` index until its window is full: the cost follows the
    cards shown, not the rows the user sees (a ``ROW_NUMBER()`` over every visible row sorted
    100k rows for a team at 1M: 2 s). Databases that cannot order and limit the parts of a
    compound query (SQLite, ``make run``) number the rows with a window function instead."""
    base = queryset.order_by()
    if connection.features.supports_slicing_ordering_in_compound:
        first, *others = (
            base.filter(stage=stage)
            .order_by("stage_entered_at", "pk")
            .values_list("pk", flat=True)[:per_column]
            for stage in BOARD_STAGES
        )
        return first.union(*others, all=True)
    numbered = base.annotate(
        position=Window(
            RowNumber(), partition_by=[F("stage")], order_by=[F("stage_entered_at").asc(), F("pk").asc()]
        )
    )
    return numbered.filter(position__lte=per_column).values_list("pk", flat=True)


def _card(opportunity: Opportunity, user: User) -> Card:
    can_work = can_work_opportunity(user, opportunity)
    options = MACHINE.options(opportunity, user) if can_work else []
    return Card(opportunity, options, can_work)


def card_position(opportunity: Opportunity) -> str:
    """A card's place in its column's order, as the ``after`` of the next window."""
    return f"{opportunity.stage_entered_at.isoformat()}~{opportunity.pk}"


def parse_card_position(value: str) -> tuple[datetime, int] | None:
    """The ``(stage_entered_at, pk)`` of ``card_position``; None when it is not one."""
    moment, _sep, pk = value.partition("~")
    try:
        parsed = parse_datetime(moment)
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None or not pk.isdigit():
        return None
    return parsed, int(pk)


@dataclass
class CardWindow:
    cards: list[Card]
    more: bool

    @property
    def after(self) -> str:
        return card_position(self.cards[-1].opportunity) if self.cards else ""


def board_column_window(
    queryset: OpportunityQuerySet,
    user: User,
    *,
    stage: str,
    after: tuple[datetime, int] | None,
    size: int = CARDS_PER_COLUMN,
) -> CardWindow:
    """The next ``size`` cards of one column of the board of ``queryset`` (already scoped and
    filtered), after the card at ``after``: keyset on ``(stage_entered_at, pk)``, the board's
    order, so a window costs the same however deep it is; ``more`` says whether cards follow."""
    size = max(1, min(size, MAX_CARDS_PER_WINDOW))
    cards = queryset.filter(stage=stage)
    if after is not None:
        moment, pk = after
        cards = cards.filter(Q(stage_entered_at__gt=moment) | Q(stage_entered_at=moment, pk__gt=pk))
    rows = list(cards.for_cards().order_by("stage_entered_at", "pk")[: size + 1])
    return CardWindow([_card(o, user) for o in rows[:size]], more=len(rows) > size)


def my_open_by_stage(user: User) -> list[dict[str, Any]]:
    """Dashboard: the user's own open opportunities (owner or on the team), counted per stage.

    Issue 9: the ids come from three index-backed lookups (sales owner, presales owner,
    project member) united, not from an OR over the whole table; a person on a record sees
    it (R-CUST-6), so no visibility filter is needed besides holding a role."""
    if scope_of(user) is None:
        return []
    # No ORDER BY in the parts (the models' default orderings): SQLite refuses it there.
    mine = (
        Opportunity.objects.filter(sales_owner_id=user.pk)
        .order_by()
        .values("pk")
        .union(
            Opportunity.objects.filter(presales_owner_id=user.pk).order_by().values("pk"),
            ProjectMember.objects.filter(user_id=user.pk).order_by().values("opportunity_id"),
        )
    )
    counts = dict(
        Opportunity.objects.filter(pk__in=mine)
        .open()
        .order_by()
        .values_list("stage")
        .annotate(count=Count("pk"))
    )
    return [{"stage": s, "label": Stage(s).label, "count": counts[s]} for s in LIFECYCLE if s in counts]


def stage_history(opportunity: Opportunity) -> QuerySet[StageChange]:
    """The opportunity's stage changes, newest first, with who made them (R-OPP-3)."""
    return opportunity.stage_changes.select_related("actor")


def initiation_status_history(initiation: ProjectInitiation) -> QuerySet[InitiationStatusChange]:
    """The initiation request's status changes, newest first, with who made them (R-OPP-2)."""
    return initiation.status_changes.select_related("actor")


def stage_path(opportunity: Opportunity) -> list[dict[str, Any]]:
    """The lifecycle path with this opportunity's position: done, current or ahead."""
    visited = set(opportunity.stage_changes.values_list("from_stage", flat=True))
    current = opportunity.stage
    index = LIFECYCLE.index(current) if current in LIFECYCLE else None
    path = []
    for i, stage in enumerate(LIFECYCLE):
        if stage == current:
            state = "current"
        elif index is not None and i < index:
            state = "skipped" if stage == Stage.BID and stage not in visited else "done"
        elif index is None and stage in visited:
            state = "done"
        else:
            state = "ahead"
        path.append({"stage": stage, "label": Stage(stage).label, "state": state})
    return path


def initiation_reviews(initiation: ProjectInitiation) -> QuerySet[Review]:
    """The reviews of the initiation request, newest first, with their decisions (R-REV-6)."""
    return reviews_for_subject(initiation)


# The desk's Reviews and Timers tabs show the newest rows (issue 10: a page never grows
# with an opportunity's age); the review inbox and the deadlines pages list everything.
DESK_REVIEWS = 20
DESK_TIMERS = 30


def _subject_q(record: Any, *, type_field: str, id_field: str) -> Q:
    if record is None:
        return Q(pk__in=[])
    return Q(
        **{type_field: ContentType.objects.get_for_model(record), id_field: record.pk},
    )


def opportunity_reviews(opportunity: Opportunity, *, limit: int = DESK_REVIEWS) -> list[Review]:
    """The reviews of every subject of the opportunity (its initiation request, and what the
    apps above register with ``register_desk_reviews``), newest first, in one query plus the
    tasks' prefetch however many subjects there are (R-REV-6, issue 10)."""
    where = _subject_q(opportunity.initiation_or_none, type_field="content_type", id_field="object_id")
    for source in desk_review_sources():
        where |= source(opportunity)
    return list(Review.objects.filter(where).with_tasks().order_by("-started_at", "-id")[:limit])


def opportunity_timers(opportunity: Opportunity, *, limit: int = DESK_TIMERS) -> list[Timer]:
    """The timers of the opportunity, its initiation request and the records the apps above
    register with ``register_desk_timers``, newest first (as ``presales.sla.selectors.timers_for``
    orders a record's timers); one query."""
    where = _subject_q(opportunity, type_field="subject_type", id_field="subject_id")
    where |= _subject_q(opportunity.initiation_or_none, type_field="subject_type", id_field="subject_id")
    for source in desk_timer_sources():
        where |= source(opportunity)
    return list(Timer.objects.filter(where).select_related("owner").order_by("-started_at", "-id")[:limit])


def pipeline_panel(user: User) -> dict[str, Any] | None:
    """Dashboard: my open opportunities by stage."""
    if scope_of(user) is None:
        return None
    return {
        "key": "pipeline",
        "title": _("My open opportunities"),
        "icon": "kanban",
        "template": "opportunities/partials/dashboard_panel.html",
        "rows": my_open_by_stage(user),
    }

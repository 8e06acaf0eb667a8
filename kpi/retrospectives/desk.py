"""The retrospective section of the opportunity desk (order 92, R-POST-2): the minutes, who
attended, what still stops it being held, the success case and its consent; its timer in the
desk's Timers tab."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpi.models import Retrospective, RetrospectiveStatus
from kpi.retrospectives import selectors, services
from opportunities.desk import DeskSection, register_desk_section, register_desk_timers


def desk_context(request: Any, opportunity: Any) -> dict[str, Any]:
    retrospective = selectors.retrospective_of(opportunity)
    context: dict[str, Any] = {"opportunity": opportunity, "retrospective": retrospective}
    if retrospective is None:
        return context
    retrospective.opportunity = opportunity
    attendees = list(retrospective.attendees.all())
    context.update(
        {
            "attendees": attendees,
            "can_change": services.can_work_retrospective(request.user, retrospective),
            "hold_reasons": (
                services.hold_reasons(retrospective, [p.pk for p in attendees])
                if retrospective.status == RetrospectiveStatus.DUE
                else []
            ),
        }
    )
    return context


def retrospective_timers(opportunity: Any) -> Q:
    return Q(
        subject_type=ContentType.objects.get_for_model(Retrospective),
        subject_id__in=Retrospective.objects.filter(opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_timers(retrospective_timers)
    register_desk_section(
        DeskSection(
            key="retrospective",
            label=_("Retrospective"),
            order=92,
            template="kpi/retrospectives/desk.html",
            context=desk_context,
        )
    )

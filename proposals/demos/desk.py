"""The demos section of the opportunity desk (order 50): demos and trial requests."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opportunities.desk import DeskSection, register_desk_section
from opportunities.permissions import can_work_opportunity
from proposals.demos import selectors


def desk_context(request, opportunity) -> dict[str, Any]:
    return {
        "demos": selectors.demos_of(opportunity),
        "trials": selectors.trials_of(opportunity),
        "can_work": can_work_opportunity(request.user, opportunity),
        "opportunity": opportunity,
    }


def register() -> None:
    register_desk_section(
        DeskSection(
            key="demos",
            label=_("Demos and trials"),
            order=50,
            template="proposals/demos/desk.html",
            context=desk_context,
        )
    )

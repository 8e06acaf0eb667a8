"""What the needs analysis plugs into the layers below it, from ``ProposalsConfig.ready``:
the R-NEED-4 gate and its card facts, the opportunity desk's needs section."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opportunities.desk import DeskSection, register_desk_section
from proposals.needs import gates
from proposals.needs.selectors import needs_badge, needs_desk_context


def register() -> None:
    gates.register()
    register_desk_section(
        DeskSection(
            key="needs",
            label=_("Needs"),
            order=20,
            template="proposals/needs/desk.html",
            context=needs_desk_context,
            badge=needs_badge,
        )
    )

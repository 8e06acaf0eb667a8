"""What the needs analysis plugs into the layers below it, from ``ProposalsConfig.ready``:
the R-NEED-4 gate and its card facts, the opportunity desk's needs section."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opportunities.desk import DeskSection, register_desk_section
from proposals.needs import gates
from proposals.needs.selectors import needs_badge
from proposals.needs.views import section_context


def register() -> None:
    gates.register()
    register_desk_section(
        DeskSection(
            key="needs",
            label=_("Needs"),
            order=20,
            template="proposals/needs/desk.html",
            # the section's rows and its forms (the same as the standalone page)
            context=section_context,
            badge=needs_badge,
        )
    )

"""Everything the risk register (R-RISK-1) plugs into, called once from ``BidsConfig.ready()``:
the contract's checks (bids/hooks.py: no open high risk at submission and approval, a valid
credit assessment at submission), the handoff package's section of the open risks, the
review timer and its subject, the close hook, the desk tab and the navigation entry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PACKAGE_SECTION = "open_risks"


def package_section(contract: Any) -> dict[str, Any]:
    """The live risks (open or accepted) as the handoff package freezes them (R-HAND-1)."""
    from bids.models import Risk

    risks = (
        Risk.objects.filter(opportunity_id=contract.opportunity_id)
        .live()
        .select_related("owner")
        .order_by("-score", "pk")
    )
    return {
        "columns": [
            _("Risk"),
            _("Category"),
            _("Score"),
            _("Level"),
            _("Status"),
            _("Response"),
            _("Owner"),
            _("Next review"),
        ],
        "rows": [
            [
                risk.title,
                str(risk.get_category_display()),
                str(risk.score),
                risk.get_level_display(),
                str(risk.get_status_display()),
                f"{risk.get_response_display()}: {risk.response_plan}".strip(": "),
                str(risk.owner),
                str(risk.review_on),
            ]
            for risk in risks
        ],
    }


def register() -> None:
    from bids import hooks
    from bids.risks import desk, services, timers
    from opportunities.hooks import register_on_closed
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    hooks.register_submit_check(services.credit_reasons)
    hooks.register_submit_check(services.risk_reasons)
    hooks.register_approve_check(services.risk_reasons)
    hooks.register_package_section(
        hooks.PackageSection(
            key=PACKAGE_SECTION, label=gettext_lazy("Open risks"), order=50, build=package_section
        )
    )
    timers.register()
    register_on_closed(services.risks_on_opportunity_closed)
    desk.register()
    register_nav(
        NavItem(
            key="risks",
            label=gettext_lazy("Risk register"),
            url_name="bids:risk-register",
            icon="exclamation-triangle",
            order=72,
            roles=frozenset(Role.values),
        )
    )

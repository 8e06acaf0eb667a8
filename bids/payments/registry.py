"""Everything payment collection (R-PAY-1) plugs into, called once from ``BidsConfig.ready()``:
the contract's hooks (bids/hooks.py: the plan follows the amount, submit and sign checks,
due dates at signing and acceptance, the handoff package's section), the timer kind and
subject, the close hook, the desk tab and the navigation entry of the receivables page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.core.money import format_money

PACKAGE_SECTION = "payment_plan"


def package_section(contract: Any) -> dict[str, Any]:
    """The payment plan as the handoff package freezes it (R-HAND-1)."""
    from bids.payments import selectors

    plan = selectors.plan_of(contract)
    rows = []
    for instalment in selectors.instalments_of(plan) if plan is not None else []:
        share = f"{instalment.percentage}%" if instalment.percentage is not None else ""
        if instalment.trigger == "fixed_date":
            when = str(instalment.fixed_date)
        else:
            when = _("%(event)s + %(days)s days") % {
                "event": instalment.get_trigger_display(),
                "days": instalment.offset_days,
            }
        rows.append(
            [
                instalment.label,
                share,
                format_money(instalment.amount_due, contract.currency),
                str(when),
                str(instalment.due_on or ""),
                format_money(instalment.received_total, contract.currency),
            ]
        )
    return {
        "columns": [_("Instalment"), _("Share"), _("Amount"), _("Due"), _("Due date"), _("Received")],
        "rows": rows,
    }


def register() -> None:
    from bids import hooks
    from bids.payments import desk, services, timers
    from opportunities.hooks import register_on_closed
    from presales.core.navigation import NavItem, register_nav
    from presales.core.roles import Role

    hooks.register_on_amount_set(services.plan_on_amount_set)
    hooks.register_submit_check(services.plan_reasons)
    hooks.register_sign_check(services.plan_reasons)
    hooks.register_on_signed(services.plan_on_signed)
    hooks.register_on_accepted(services.plan_on_accepted)
    hooks.register_package_section(
        hooks.PackageSection(
            key=PACKAGE_SECTION, label=gettext_lazy("Payment plan"), order=40, build=package_section
        )
    )
    timers.register()
    register_on_closed(services.payments_on_opportunity_closed)
    desk.register()
    register_nav(
        NavItem(
            key="receivables",
            label=gettext_lazy("Receivables"),
            url_name="bids:receivables",
            icon="cash-coin",
            order=70,
            roles=frozenset(Role.values),
        )
    )

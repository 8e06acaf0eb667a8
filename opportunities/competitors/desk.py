"""The competitors tab of the opportunity desk (order 25, R-COMP-1): the competitors on the
opportunity with their offer, price and our differentiators, and the forms to add, change
and remove them (for who may work the opportunity, while it is open)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opportunities.competitors import selectors
from opportunities.competitors.forms import LinkAddForm, LinkForm
from opportunities.desk import DeskSection, register_desk_section
from opportunities.permissions import can_work_opportunity


def desk_context(request: Any, opportunity: Any) -> dict[str, Any]:
    """One query: the opportunity's competitor rows with their records."""
    links = selectors.links_of(opportunity)
    editable = opportunity.is_open and can_work_opportunity(request.user, opportunity)
    rows = [
        (
            link,
            LinkForm(
                initial={
                    "offer": link.offer,
                    "price": link.price,
                    "differentiators": link.differentiators,
                    "in_play": link.in_play,
                    "version": link.version,
                },
                auto_id=f"link{link.pk}_%s",
            )
            if editable
            else None,
        )
        for link in links
    ]
    return {
        "opportunity": opportunity,
        "rows": rows,
        "editable": editable,
        "add_form": LinkAddForm() if editable else None,
    }


def register() -> None:
    register_desk_section(
        DeskSection(
            key="competitors",
            label=_("Competitors"),
            order=25,
            template="opportunities/competitors/desk.html",
            context=desk_context,
        )
    )

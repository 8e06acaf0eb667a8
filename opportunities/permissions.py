"""Who may do what with an opportunity (R-OPP-3, R-CUST-6).

Visibility is the queryset predicate (``Opportunity.objects.visible_to``); these say who may
change what they see. The move tables (transitions.py) use them as the moves' permission,
the services call the ``require_*`` forms, and the pages ask them to show or hide actions.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from presales.core.errors import NotAllowed
from presales.core.roles import WRITER_ROLES


def can_work_opportunity(actor, opportunity) -> bool:
    """Writers who own the opportunity, are on its team (or manage it), or on its project team."""
    if not actor.is_authenticated or not actor.has_role(*WRITER_ROLES):
        return False
    return (
        actor.is_superuser
        or opportunity.team_id in actor.team_ids
        or actor.pk in (opportunity.sales_owner_id, opportunity.presales_owner_id)
        or actor.pk in opportunity.member_ids()
    )


def can_work_initiation(actor, initiation) -> bool:
    """The initiation request is worked by whoever may work its opportunity."""
    return can_work_opportunity(actor, initiation.opportunity)


def require_writer(actor) -> None:
    """Only the writer roles create or change opportunities."""
    if not actor.has_role(*WRITER_ROLES):
        raise NotAllowed(_("Your role cannot create or change opportunities."))


def require_work(actor, opportunity) -> None:
    if not can_work_opportunity(actor, opportunity):
        raise NotAllowed(_("You cannot change this opportunity."))

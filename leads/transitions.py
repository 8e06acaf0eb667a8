"""The lead's allowed moves and their gates (R-LEAD-3, R-LEAD-4, R-LEAD-2).

new ──record first contact──▶ contacted ──qualify──▶ qualified
 │                               │
 ├──────────disqualify───────────┴──▶ disqualified
 └──────────merge────────────────┴──▶ merged

Every status write goes through ``leads.services`` ``_lead_move``: it checks the move here,
writes the status and its ``LeadStatusChange`` row (who, when, from, to, move, note).
The first contact a merge takes over from its duplicate moves the surviving lead with
``record_first_contact`` too.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.choices import LeadStatus
from presales.core.i18n import join_list
from presales.core.roles import WRITER_ROLES
from presales.core.statemachine import Machine, Move

OPEN = frozenset({LeadStatus.NEW, LeadStatus.CONTACTED})


def can_work_lead(actor, lead) -> bool:
    """Writers on the lead's team, its owners, and managers of the team."""
    if not actor.has_role(*WRITER_ROLES):
        return False
    return (
        actor.is_superuser
        or lead.team_id in actor.team_ids
        or actor.pk in (lead.owner_id, lead.presales_owner_id)
    )


def first_contact_recorded(lead, actor, **context) -> list[str]:
    """R-LEAD-3: qualification starts from a recorded first contact."""
    if lead.first_contacted_at is None:
        return [_("Record the first contact before qualifying the lead.")]
    return []


def evaluation_complete(lead, actor, evaluation: dict | None = None, **context) -> list[str]:
    """R-LEAD-4: background, needs, budget, competition and timeline are all assessed."""
    values = (
        evaluation
        if evaluation is not None
        else {
            "background": lead.eval_background,
            "needs": lead.eval_needs,
            "budget": lead.eval_budget,
            "competition": lead.eval_competition,
            "timeline": lead.eval_timeline,
        }
    )
    labels = {
        "background": _("background"),
        "needs": _("needs"),
        "budget": _("budget"),
        "competition": _("competition"),
        "timeline": _("timeline"),
    }
    missing = [labels[k] for k in labels if not str(values.get(k) or "").strip()]
    if missing:
        return [_("Assess the lead's %(aspects)s before qualifying it.") % {"aspects": join_list(missing)}]
    return []


def reason_given(lead, actor, reason: str = "", **context) -> list[str]:
    if not reason:
        return [_("Give the reason for disqualifying the lead.")]
    return []


def merge_target_open(lead, actor, into=None, **context) -> list[str]:
    """R-LEAD-2: a duplicate is merged into another lead that is still open."""
    if into is None or into.pk == lead.pk:
        return [_("Choose the lead this one duplicates.")]
    if not into.is_open:
        return [_("Leads can only be merged into an open lead.")]
    return []


LEAD_MACHINE = Machine(
    [
        Move(
            "record_first_contact",
            frozenset({LeadStatus.NEW}),
            LeadStatus.CONTACTED,
            gettext_lazy("Record contact"),
            permission=can_work_lead,
        ),
        Move(
            "qualify",
            # From "new" too, so the gate can say what is missing (the first contact).
            OPEN,
            LeadStatus.QUALIFIED,
            gettext_lazy("Qualify"),
            guards=(first_contact_recorded,),
            input_guards=(evaluation_complete,),
            input_fields=("evaluation",),
            permission=can_work_lead,
            style="success",
        ),
        Move(
            "disqualify",
            OPEN,
            LeadStatus.DISQUALIFIED,
            gettext_lazy("Disqualify"),
            input_guards=(reason_given,),
            input_fields=("reason",),
            permission=can_work_lead,
            style="outline-danger",
        ),
        Move(
            "merge",
            OPEN,
            LeadStatus.MERGED,
            gettext_lazy("Merge"),
            input_guards=(merge_target_open,),
            input_fields=("into",),
            permission=can_work_lead,
            style="outline-secondary",
        ),
    ]
)

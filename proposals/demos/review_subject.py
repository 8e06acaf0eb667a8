"""The trial request as a review subject (R-DEMO-3): approved at the level an admin
configures as the review chain of kind ``trial`` (a default chain, the team's presales
manager: ``proposals.demos.defaults.ensure_trial_chain``, run by the demo seed). The engine
reaches the request only through these callables; its decisions move the request's status
through the trial services, in the transaction of the deciding vote."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opportunities.models import opportunity_visibility_q
from proposals.demos.locks import lock_trial
from proposals.demos.services import (
    TRIAL_REVIEW_KIND,
    trial_on_approved,
    trial_on_cancelled,
    trial_on_rejected,
)
from proposals.models import TrialRequest
from reviews.registry import ContentItem, SubjectType, register_subject_type


def _summary_of(trial: TrialRequest) -> str:
    return str(
        _("%(kind)s · %(opportunity)s · %(start)s – %(end)s, return by %(return)s")
        % {
            "kind": trial.get_kind_display(),
            "opportunity": trial.opportunity.title,
            "start": trial.period_start,
            "end": trial.period_end,
            "return": trial.return_date,
        }
    )


def _authors_of(trial: TrialRequest) -> set[int]:
    """Whoever asked for it and the opportunity's owners do not approve it."""
    opportunity = trial.opportunity
    return {
        pk
        for pk in (trial.requested_by_id, opportunity.sales_owner_id, opportunity.presales_owner_id)
        if pk is not None
    }


def _describe(trial: TrialRequest) -> list[ContentItem]:
    return [
        ContentItem(label=str(_("Kind")), text=str(trial.get_kind_display())),
        ContentItem(label=str(_("Items and equipment")), text=trial.items),
        ContentItem(label=str(_("Purpose")), text=trial.purpose),
        ContentItem(
            label=str(_("Period and return")),
            text=str(
                _("%(start)s – %(end)s, return by %(return)s")
                % {"start": trial.period_start, "end": trial.period_end, "return": trial.return_date}
            ),
        ),
    ]


def register() -> None:
    register_subject_type(
        SubjectType(
            kind=TRIAL_REVIEW_KIND,
            model="proposals.TrialRequest",
            label=_("Trial, POC or loan"),
            team_of=lambda trial: trial.opportunity.team,
            author_of=lambda trial: trial.requested_by,
            summary_of=_summary_of,
            url_of=lambda trial: trial.get_absolute_url(),
            on_approved=trial_on_approved,
            on_rejected=trial_on_rejected,
            on_cancelled=trial_on_cancelled,
            lock=lock_trial,
            authors_of=_authors_of,
            visible_to=lambda user: TrialRequest.objects.filter(
                opportunity_visibility_q(user, prefix="opportunity__")
            ),
            edit_url_of=lambda trial: trial.get_absolute_url(),
            describe=_describe,
            content_queryset=lambda: TrialRequest.objects.select_related("opportunity", "requested_by"),
        )
    )

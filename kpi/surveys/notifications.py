"""Who hears of a survey (R-POST-1, R-POST-3, R-POST-4): bell, e-mail by preference, team
robot (``presales.sla.notifications``), each in their language. Called inside the writing
transaction; deliveries go out after it commits. Keys name the event and the recipient, so a
retried call sends nothing twice."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.sla.notifications import NotificationKind, notify_people, register_notification_kind

SURVEY = register_notification_kind(
    NotificationKind("survey", gettext_lazy("Satisfaction surveys and improvement actions"))
).kind


# One message per person concerned, in their language (see ``notify_people``).
_send = partial(notify_people, kind=SURVEY)


def survey_url(survey: Any) -> str:
    return reverse("kpi:surveys:detail", args=[survey.pk])


def survey_answered(survey: Any) -> None:
    """The presales owner (and the sales owner) hear a survey was answered."""
    opportunity = survey.opportunity
    _send(
        [survey.rated_user, opportunity.presales_owner],
        key=f"survey:{survey.pk}:answered",
        url=survey_url(survey),
        title=lambda: _("Survey answered: %(title)s") % {"title": opportunity.title},
        body=lambda: str(survey.get_channel_display()),
    )


def survey_without_contact(survey: Any) -> None:
    """No customer contact with an e-mail: the presales owner enters a phone interview."""
    opportunity = survey.opportunity
    _send(
        [opportunity.presales_owner or opportunity.sales_owner],
        key=f"survey:{survey.pk}:no-contact",
        url=survey_url(survey),
        title=lambda: _("Survey not e-mailed: %(title)s") % {"title": opportunity.title},
        body=lambda: _(
            "The customer has no contact with an e-mail address: call them and enter the answers "
            "from the phone interview."
        ),
    )


def internal_survey_asked(survey: Any) -> None:
    """The sales owner is asked to rate the presales engineer's collaboration (R-KPI-1)."""
    opportunity = survey.opportunity
    _send(
        [survey.respondent],
        key=f"survey:{survey.pk}:asked",
        url=reverse("kpi:surveys:respond", args=[survey.pk]),
        title=lambda: _("Rate the presales collaboration: %(title)s") % {"title": opportunity.title},
    )


def improvement_action_opened(action: Any) -> None:
    """R-POST-3: the action's owner is told."""
    opportunity = action.survey.opportunity
    _send(
        [action.owner],
        key=f"improvement-action:{action.pk}:opened",
        url=survey_url(action.survey),
        title=lambda: (
            _("Improvement action after a low survey score: %(title)s") % {"title": opportunity.title}
        ),
        body=lambda: action.description,
    )

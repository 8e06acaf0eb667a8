"""Forms of the retrospective (R-POST-2); the rules are the services'. The attendees are
picked among the project's people (its owners, its project team and its team's members: a
bounded set, shown as checkboxes); others are named as text."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpi.models import CustomerConsent, Retrospective
from opportunities.choices import CloseReason
from presales.accounts.models import User
from presales.web.forms import bootstrap

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


def attendee_choices(retrospective: Retrospective):
    """The people who may be named as attendees: the owners, the project team, the active
    members of the opportunity's team, and whoever is already named."""
    opportunity = retrospective.opportunity
    owners = [pk for pk in (opportunity.presales_owner_id, opportunity.sales_owner_id) if pk]
    query = Q(pk__in=owners) | Q(project_memberships__opportunity=opportunity)
    if retrospective.pk:
        query |= Q(retrospectives_attended=retrospective)
    if opportunity.team_id:
        query |= Q(team_id=opportunity.team_id, is_active=True)
    ids = User.objects.filter(query).values("pk")
    return User.objects.filter(pk__in=ids).order_by("username")


class RetrospectiveForm(forms.ModelForm):
    """The minutes: why won or lost, the competitor, what went well, lessons, improvements,
    who attended."""

    close_reason = forms.ChoiceField(
        label=_("main reason"), choices=[("", "—"), *CloseReason.choices], required=False
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Retrospective
        fields = [
            "close_reason",
            "reasons",
            "competitor_name",
            "went_well",
            "lessons",
            "improvements",
            "attendees",
            "other_attendees",
            "success_case_summary",
        ]
        widgets = dict.fromkeys(
            ("reasons", "went_well", "lessons", "improvements", "success_case_summary"), TEXT
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["attendees"]).queryset = attendee_choices(
            self.instance
        )
        if not self.instance.success_case_proposed:
            del self.fields["success_case_summary"]
        bootstrap(self)

    def _post_clean(self) -> None:
        # The service validates and saves (no ModelForm construction of the instance).
        pass


class HoldForm(forms.Form):
    """R-POST-2: the meeting was held on this date."""

    held_on = forms.DateField(label=_("held on"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ConsentForm(forms.Form):
    """R-POST-2: the customer's answer to publishing the success case."""

    consent = forms.ChoiceField(label=_("customer's consent"), choices=CustomerConsent.choices)
    note = forms.CharField(label=_("consent note"), required=False, max_length=300)
    summary = forms.CharField(label=_("success case summary"), required=False, widget=TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

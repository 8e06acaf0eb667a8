"""The analytics' filter bar (R-KPI-3): period, team, person, industry; the pages, the CSV
exports and the API read it the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi.analytics.selectors import Filters
from kpi.periods import Period
from leads.choices import Industry
from presales.accounts.models import Team, User
from presales.accounts.selectors import filter_people, filter_teams
from presales.core.errors import DomainError
from presales.web.autocomplete import AutocompleteSelect


class AnalyticsFilterForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        required=False,
        help_text=_("2026-11 (month), 2026-Q4 (quarter) or 2026 (year)"),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "2026-11"}),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label=_("Team"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Sales or presales owner"),
        widget=AutocompleteSelect("autocomplete-people", attrs={"class": "form-select form-select-sm"}),
    )
    industry = forms.ChoiceField(
        choices=[("", "---------"), *Industry.choices],
        required=False,
        label=_("Industry"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, data: Any = None, *, request: Any) -> None:
        super().__init__(data)
        self.fields["team"].queryset = filter_teams(request).order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = filter_people(request)  # type: ignore[attr-defined]

    def clean_period(self) -> Period:
        text = self.cleaned_data.get("period") or ""
        if not text:
            return Period.current()
        try:
            return Period.parse(text)
        except DomainError as error:
            raise forms.ValidationError(error.fields["period"]) from None

    def filters(self) -> Filters:
        """The valid form's filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return Filters(
            period=data["period"],
            team_id=data["team"].pk if data.get("team") else None,
            owner_id=data["owner"].pk if data.get("owner") else None,
            industry=data.get("industry") or "",
        )


def filters_from(params: Any, request: Any) -> Filters:
    """The filters of a query string; a bad value is a DomainError with the form's messages
    (400 in the API)."""
    form = AnalyticsFilterForm(params, request=request)
    if not form.is_valid():
        raise DomainError(fields={name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form.filters()

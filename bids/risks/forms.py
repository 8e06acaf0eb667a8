"""Forms of the risk register and the credit assessment (R-RISK-1); the rules are the
services' (bids/risks/services.py)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bids.models import Risk
from bids.models.risks import level_q
from bids.risks.choices import CreditRating, RiskCategory, RiskLevel, RiskResponse, RiskStatus
from presales.accounts.models import User
from presales.accounts.selectors import filter_people
from presales.core.filters import ChoicesFilter
from presales.web.autocomplete import AutocompleteSelect
from presales.web.forms import BootstrapMixin

DATE = {"type": "date"}
SCALE = [(n, str(n)) for n in range(1, 6)]


class RiskForm(BootstrapMixin, forms.Form):
    """A risk: what, how likely, how bad, the response, who, when to review."""

    category = forms.ChoiceField(label=_("category"), choices=RiskCategory.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    likelihood = forms.TypedChoiceField(label=_("likelihood (1-5)"), choices=SCALE, coerce=int)
    impact = forms.TypedChoiceField(label=_("impact (1-5)"), choices=SCALE, coerce=int)
    response = forms.ChoiceField(label=_("response"), choices=RiskResponse.choices)
    response_plan = forms.CharField(
        label=_("response plan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=_("owner"),
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        widget=AutocompleteSelect("autocomplete-people"),
    )
    review_on = forms.DateField(label=_("next review on"), widget=forms.DateInput(attrs=DATE))


class ReviewForm(BootstrapMixin, forms.Form):
    next_review_on = forms.DateField(label=_("next review on"), widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label=_("review note"), required=False, max_length=2000)


class AcceptForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("why it is accepted"), max_length=2000)


class CloseForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("closing note"), required=False, max_length=2000)


class CreditAssessmentForm(BootstrapMixin, forms.Form):
    rating = forms.ChoiceField(label=_("rating"), choices=CreditRating.choices)
    credit_limit = forms.DecimalField(
        label=_("credit limit (CNY)"), max_digits=16, decimal_places=2, min_value=0
    )
    payment_history = forms.CharField(
        label=_("payment history"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assessed_on = forms.DateField(label=_("assessed on"), widget=forms.DateInput(attrs=DATE))
    valid_until = forms.DateField(label=_("valid until"), widget=forms.DateInput(attrs=DATE))


class RiskFilter(django_filters.FilterSet):
    """The risk register's filters, shared by the page and /api/v1/risks/."""

    category = ChoicesFilter(choices=RiskCategory.choices, label=_("Category"))
    status = ChoicesFilter(choices=RiskStatus.choices, label=_("Status"))
    level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label=_("Level"), method="by_level")
    owner = django_filters.ModelChoiceFilter(
        queryset=filter_people, label=_("Owner"), widget=AutocompleteSelect("autocomplete-people")
    )
    opportunity = django_filters.NumberFilter(field_name="opportunity", label=_("Opportunity"))

    class Meta:
        model = Risk
        fields = ["category", "status", "level", "owner", "opportunity"]

    def by_level(self, queryset, name, value):
        return queryset.filter(level_q(value)) if value else queryset

"""Forms of payment collection (R-PAY-1); the rules are the services' (bids/payments/services.py)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bids.models import PaymentInstalment
from bids.payments.choices import EVENT_TRIGGERS, PaymentMethod, ReceivablesGroup, Trigger
from presales.accounts.selectors import filter_people, filter_teams
from presales.web.autocomplete import AutocompleteSelect

DATE = {"type": "date"}


class InstalmentForm(forms.Form):
    """An instalment of an unsigned contract's plan: a percentage or a fixed amount."""

    label = forms.CharField(label=_("label"), max_length=120)
    percentage = forms.DecimalField(
        label=_("percentage"), max_digits=5, decimal_places=2, required=False, min_value=0
    )
    fixed_amount = forms.DecimalField(
        label=_("or fixed amount"), max_digits=16, decimal_places=2, required=False, min_value=0
    )
    trigger = forms.ChoiceField(label=_("due"), choices=Trigger.choices)
    offset_days = forms.IntegerField(label=_("days after the event"), min_value=0, max_value=3650, initial=0)
    fixed_date = forms.DateField(
        label=_("fixed due date"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        # An empty box means "not this one": the other one is given.
        if data.get("percentage") is None:
            data["percentage"] = None
        if data.get("fixed_amount") is None:
            data["fixed_amount"] = None
        return data


class DueDateForm(forms.Form):
    due_on = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs=DATE))


class EventForm(forms.Form):
    """The delivery (or acceptance) happened: instalments waiting for it become due."""

    trigger = forms.ChoiceField(
        label=_("event"), choices=[(t.value, t.label) for t in Trigger if t in EVENT_TRIGGERS]
    )
    occurred_on = forms.DateField(label=_("on"), widget=forms.DateInput(attrs=DATE))


class ReceiptForm(forms.Form):
    amount = forms.DecimalField(label=_("amount"), max_digits=16, decimal_places=2, min_value=0)
    received_on = forms.DateField(label=_("received on"), widget=forms.DateInput(attrs=DATE))
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class ReceivablesFilter(django_filters.FilterSet):
    """The receivables' filters, shared by the page and /api/v1/receivables/."""

    group = django_filters.ChoiceFilter(
        label=_("Group by"), choices=ReceivablesGroup.choices, method="keep", empty_label=None
    )
    team = django_filters.ModelChoiceFilter(
        queryset=filter_teams, field_name="plan__contract__opportunity__team", label=_("Team")
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=filter_people,
        field_name="plan__contract__opportunity__sales_owner",
        label=_("Sales owner"),
        widget=AutocompleteSelect("autocomplete-people"),
    )

    class Meta:
        model = PaymentInstalment
        fields = ["group", "team", "owner"]

    def keep(self, queryset, name, value):
        return queryset  # the grouping is the selector's, not a filter

    @property
    def grouping(self) -> str:
        value = self.form.cleaned_data.get("group") if self.form.is_valid() else None
        return value or ReceivablesGroup.CONTRACT

"""Forms of the competitor pages and the opportunity desk's competitors tab (R-COMP-1).
Pickers search as the user types (``opportunities:competitors:autocomplete``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opportunities.competitors.services import COMPETITOR_FIELDS, PRODUCT_FIELDS
from opportunities.models import Competitor, CompetitorProduct, Opportunity
from presales.web.autocomplete import AutocompleteSelect
from presales.web.forms import BootstrapMixin

PICKER = "opportunities:competitors:autocomplete"


class CompetitorForm(BootstrapMixin, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Competitor
        fields = list(COMPETITOR_FIELDS)
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "strengths": forms.Textarea(attrs={"rows": 3}),
            "weaknesses": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ProductForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = CompetitorProduct
        fields = list(PRODUCT_FIELDS)
        widgets = {"notes": forms.TextInput()}


class IntelForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("What was learned"), widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.CharField(label=_("Source"), max_length=200)
    observed_on = forms.DateField(label=_("Observed on"), widget=forms.DateInput(attrs={"type": "date"}))
    opportunity = forms.ModelChoiceField(
        label=_("Opportunity"),
        queryset=Opportunity.objects.none(),
        required=False,
        widget=AutocompleteSelect("opportunities:autocomplete"),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["opportunity"]
        field.queryset = (
            Opportunity.objects.visible_to(user) if user is not None else Opportunity.objects.none()
        )  # type: ignore[attr-defined]
        field.widget.choices = field.choices  # type: ignore[attr-defined]


class MergeForm(BootstrapMixin, forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("Duplicate to fold into this competitor"),
        queryset=Competitor.objects.all(),
        widget=AutocompleteSelect(PICKER),
    )


class LinkAddForm(BootstrapMixin, forms.Form):
    """A competitor put in play on an opportunity: picked, or named (created when new)."""

    competitor = forms.ModelChoiceField(
        label=_("Competitor"),
        queryset=Competitor.objects.all(),
        required=False,
        widget=AutocompleteSelect(PICKER),
    )
    name = forms.CharField(label=_("Or a new competitor's name"), max_length=200, required=False)
    offer = forms.CharField(label=_("Their offer"), required=False)
    price = forms.DecimalField(
        label=_("Their price"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    differentiators = forms.CharField(label=_("Our differentiators"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("competitor") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose or name the competitor."))
        return data


class LinkForm(BootstrapMixin, forms.Form):
    offer = forms.CharField(label=_("Their offer"), required=False)
    price = forms.DecimalField(
        label=_("Their price"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    differentiators = forms.CharField(label=_("Our differentiators"), required=False)
    in_play = forms.BooleanField(label=_("In play"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

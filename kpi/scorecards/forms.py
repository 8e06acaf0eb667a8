"""Forms of the scorecard pages (R-KPI-2): create, rate (one field per rated item, on its
scale), comment. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi.models.scorecards import ItemSection, RatingScale, Scorecard
from presales.web.forms import BootstrapMixin


class CreateForm(BootstrapMixin, forms.Form):
    person = forms.IntegerField(label=_("Person"), widget=forms.HiddenInput)
    template = forms.IntegerField(label=_("Template"))
    period = forms.CharField(label=_("Appraisal period"), max_length=7)


class RateForm(BootstrapMixin, forms.Form):
    manager_comment = forms.CharField(
        label=_("Manager's comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, scorecard: Scorecard, **kwargs: Any) -> None:
        initial = {"manager_comment": scorecard.manager_comment, "version": scorecard.version}
        initial.update({f"item_{code}": value for code, value in (scorecard.ratings or {}).items()})
        kwargs.setdefault("initial", initial)
        self.codes: list[str] = []
        super().__init__(*args, **kwargs)
        for item in scorecard.items:
            if item["section"] == ItemSection.KEY_INDICATORS:
                continue
            five = item.get("scale", RatingScale.SCORE5) == RatingScale.SCORE5
            self.fields[f"item_{item['code']}"] = forms.DecimalField(
                label=item["label"],
                required=False,
                min_value=1 if five else 0,
                max_value=5 if five else 100,
                decimal_places=1,
                help_text=_("1 to 5") if five else _("0 to 100"),
            )
            self.codes.append(item["code"])
        self.order_fields([f"item_{code}" for code in self.codes] + ["manager_comment", "version"])

    def ratings(self) -> dict[str, Any]:
        return {code: self.cleaned_data.get(f"item_{code}") for code in self.codes}


class CommentForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

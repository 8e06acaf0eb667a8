"""Web forms of the review engine. They only type the input; reviews/services.py decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from presales.web.forms import BootstrapMixin
from reviews.choices import SCORE_MAX, SCORE_MIN, Decision

SCORE_CHOICES = [(i, str(i)) for i in range(SCORE_MIN, SCORE_MAX + 1)]


class DecisionForm(BootstrapMixin, forms.Form):
    """Approve or reject (the clicked button carries ``decision``), a comment, and a 1–5
    score per criterion of the review's chain (R-REV-2)."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject: the author revises from your comments."),
    )

    def __init__(self, *args, review, **kwargs):
        kwargs.setdefault("prefix", f"r{review.pk}")
        super().__init__(*args, **kwargs)
        self.review = review
        self.criteria = review.criteria
        for code, label in self.criteria:
            self.fields[f"score_{code}"] = forms.TypedChoiceField(
                label=label,
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )

    def score_fields(self) -> list:
        return [self[f"score_{code}"] for code, _label in self.criteria]

    def scores(self) -> dict[str, int]:
        data = self.cleaned_data
        return {
            code: data[f"score_{code}"]
            for code, _label in self.criteria
            if data.get(f"score_{code}") is not None
        }


class CancelForm(BootstrapMixin, forms.Form):
    """Withdraw a review in progress, with the reason (R-REV-5)."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. the subject changed and needs a new review."),
    )

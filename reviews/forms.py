"""Web forms of the review engine. They only type the input; reviews/services.py decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from presales.web.forms import BootstrapMixin
from reviews.choices import SCORE_MAX, SCORE_MIN, Decision

SCORE_CHOICES = [(i, str(i)) for i in range(SCORE_MIN, SCORE_MAX + 1)]


class DecisionForm(BootstrapMixin, forms.Form):
    """Approve or reject (the clicked button carries ``decision``), a comment, a 1–5 score
    per criterion of the review's chain, and a tick or a comment per check item of the
    approver's step (``task``, R-REV-2). The service decides what is required."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject: the author revises from your comments."),
    )

    def __init__(self, *args, review, task=None, **kwargs):
        kwargs.setdefault("prefix", f"r{review.pk}")
        super().__init__(*args, **kwargs)
        self.review = review
        self.task = task
        self.criteria = review.criteria
        self.check_items = task.check_item_labels if task is not None else []
        for code, label in self.check_items:
            self.fields[f"check_{code}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"check_{code}_comment"] = forms.CharField(
                label=_("Comment on %(item)s") % {"item": label},
                required=False,
                max_length=2000,
                widget=forms.TextInput(attrs={"placeholder": _("What is wrong with it?")}),
            )
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

    def check_fields(self) -> list[tuple]:
        """(tick, comment) bound fields per check item."""
        return [(self[f"check_{code}"], self[f"check_{code}_comment"]) for code, _label in self.check_items]

    def checks(self) -> dict[str, dict]:
        """Ticked items are ok; an unticked item with a comment is not ok; an item neither
        ticked nor commented is left out (the service refuses an approval without it)."""
        data = self.cleaned_data
        results: dict[str, dict] = {}
        for code, _label in self.check_items:
            comment = (data.get(f"check_{code}_comment") or "").strip()
            if data.get(f"check_{code}"):
                results[code] = {"ok": True, "comment": comment}
            elif comment:
                results[code] = {"ok": False, "comment": comment}
        return results

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

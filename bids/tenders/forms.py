"""The desk's forms of the tenders area: input checks only; the rules are in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bids.models import Tender
from bids.tenders.choices import Decision
from opportunities.choices import CloseReason

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecisionForm(forms.Form):
    analysis = forms.CharField(label=_("Tender analysis"), widget=forms.Textarea(attrs={"rows": 3}))
    strategy = forms.CharField(label=_("Bid focus and strategy"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Decision.BID, Decision.BID.label), (Decision.NO_BID, Decision.NO_BID.label)],
    )
    reason = forms.ChoiceField(
        label=_("Reason (no bid)"), choices=[("", "—"), *CloseReason.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class TenderForm(forms.ModelForm):
    class Meta:
        model = Tender
        fields = [
            "issuer",
            "number",
            "documents_purchase_at",
            "questions_until",
            "submission_deadline",
            "opening_at",
            "bond_amount",
            "bond_paid_on",
            "bond_returned_on",
        ]
        widgets = {
            "documents_purchase_at": DATETIME,
            "questions_until": DATETIME,
            "submission_deadline": DATETIME,
            "opening_at": DATETIME,
            "bond_paid_on": DATE,
            "bond_returned_on": DATE,
        }


class DocumentForm(forms.Form):
    name = forms.CharField(label=_("Required document"), max_length=200)


class BidForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(forms.Form):
    won = forms.TypedChoiceField(
        label=_("Result"), choices=[("1", _("Won")), ("0", _("Lost"))], coerce=lambda v: v == "1"
    )
    winning_vendor = forms.CharField(label=_("Winning vendor"), required=False, max_length=200)
    winning_price = forms.DecimalField(
        label=_("Winning price"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    reason = forms.ChoiceField(
        label=_("Reason (lost)"), choices=CloseReason.choices, initial=CloseReason.PRICE
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

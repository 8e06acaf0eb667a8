"""The desk's forms of the tenders area: input checks only; the rules are in the services."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.utils import timezone
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


TENDER_DATETIMES = ("documents_purchase_at", "questions_until", "submission_deadline", "opening_at")


class TenderForm(forms.ModelForm):
    """The tender's dates are typed and shown in the tender's own time zone (a tender in Hong
    Kong is read in Hong Kong time whatever the user's zone); they are stored in UTC."""

    class Meta:
        model = Tender
        fields = [
            "issuer",
            "number",
            "time_zone",
            "documents_purchase_at",
            "documents_purchased_on",
            "questions_until",
            "questions_sent_on",
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
            "documents_purchased_on": DATE,
            "questions_sent_on": DATE,
            "time_zone": forms.TextInput(attrs={"placeholder": "Asia/Shanghai", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].required = False  # blank keeps the tender's (or the default) zone
        if self.instance.pk and not self.is_bound:
            zone = self.instance.zone
            for name in TENDER_DATETIMES:
                value = getattr(self.instance, name)
                if value is not None:
                    # Naive in the tender's zone: the widget shows it as it is.
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        data = super().clean()
        name = data.get("time_zone") or self.instance.time_zone or settings.TIME_ZONE
        data["time_zone"] = name
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            self.add_error("time_zone", _("Enter a time zone name such as Asia/Shanghai or Europe/Berlin."))
            return data
        for field in TENDER_DATETIMES:
            value = data.get(field)
            if value is not None:
                # The field read the typed time in the user's zone; it meant the tender's.
                naive = timezone.make_naive(value) if timezone.is_aware(value) else value
                data[field] = naive.replace(tzinfo=zone)
        return data


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

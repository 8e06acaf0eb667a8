"""Forms of the needs page; they only shape input, the services decide (R-NEED-1..7)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import CommunicationRecord, Contact
from presales.accounts.models import User
from presales.web.autocomplete import autocomplete
from presales.web.forms import BootstrapMixin
from proposals.choices import ConfirmationMethod, ConfirmationStatus
from proposals.models import NeedsAnalysis, OpportunityCommunication, Requirement
from proposals.needs.services import CONFIRMATION_DAYS, MAX_CONFIRMATION_DAYS, REQUIREMENT_FIELDS, SPIN_FIELDS


class SpinForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = NeedsAnalysis
        fields = SPIN_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in SPIN_FIELDS}


class RequirementForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Requirement
        fields = REQUIREMENT_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "feasibility_note": forms.Textarea(attrs={"rows": 1}),
            "alternative": forms.Textarea(attrs={"rows": 1}),
        }


def _customer_contacts(opportunity) -> Any:
    return Contact.objects.filter(customer_id=opportunity.customer_id).order_by("name", "pk")


class ConfirmationRequestForm(BootstrapMixin, forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Customer contact"))
    days = forms.IntegerField(
        label=_("Link valid for (days)"),
        min_value=1,
        max_value=MAX_CONFIRMATION_DAYS,
        initial=CONFIRMATION_DAYS,
    )

    def __init__(self, *args: Any, opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = _customer_contacts(opportunity)
        autocomplete(self.fields["contact"], "leads:autocomplete-contacts", customer=opportunity.customer_id)


class RecordConfirmationForm(BootstrapMixin, forms.Form):
    """R-NEED-3: a confirmation received by e-mail or as a signed scan, with its evidence."""

    requirement = forms.ModelChoiceField(queryset=Requirement.objects.none(), label=_("Requirement"))
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (ConfirmationStatus.CONFIRMED, ConfirmationStatus.CONFIRMED.label),
            (ConfirmationStatus.COMMENTED, ConfirmationStatus.COMMENTED.label),
        ],
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (ConfirmationMethod.EMAIL, ConfirmationMethod.EMAIL.label),
            (ConfirmationMethod.SCAN, ConfirmationMethod.SCAN.label),
        ],
    )
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Contact"), required=False)
    confirmer_name = forms.CharField(label=_("Confirmed by"), max_length=100, required=False)
    confirmed_at = forms.DateTimeField(
        label=_("Confirmed at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("E-mail or signed scan"))

    def __init__(self, *args: Any, opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = Requirement.objects.filter(opportunity=opportunity).order_by(
            "position", "number"
        )
        self.fields["requirement"].label_from_instance = lambda r: f"{r.code} {r.description[:40]}"
        self.fields["contact"].queryset = _customer_contacts(opportunity)
        autocomplete(self.fields["contact"], "leads:autocomplete-contacts", customer=opportunity.customer_id)


class RDRequestForm(BootstrapMixin, forms.Form):
    requirement = forms.ModelChoiceField(queryset=Requirement.objects.none(), label=_("Requirement"))
    assignee = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), label=_("Ask"))
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = Requirement.objects.filter(
            opportunity=opportunity, feasibility="needs_rd"
        ).order_by("position", "number")
        self.fields["requirement"].label_from_instance = lambda r: f"{r.code} {r.description[:40]}"
        autocomplete(self.fields["assignee"], "autocomplete-people")


class RDAnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))


class CommunicationLinkForm(BootstrapMixin, forms.Form):
    """R-NEED-1: link one of the customer's recent communication records (the 50 newest)."""

    communication = forms.ModelChoiceField(
        queryset=CommunicationRecord.objects.none(), label=_("Communication record")
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=OpportunityCommunication.Purpose.choices)

    def __init__(self, *args: Any, opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recent = CommunicationRecord.objects.filter(customer_id=opportunity.customer_id).order_by(
            "-occurred_at", "-id"
        )
        ids = list(recent.values_list("pk", flat=True)[:50])
        self.fields["communication"].queryset = CommunicationRecord.objects.filter(pk__in=ids).order_by(
            "-occurred_at", "-id"
        )
        self.fields["communication"].label_from_instance = lambda c: (
            f"{c.occurred_at:%Y-%m-%d} {c.get_channel_display()} · {c.key_points[:40]}"
        )


class PasteForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Paste rows from Excel (tab-separated, first row the headings)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))

"""Forms of the contract's desk actions; the rules are the services' (bids/contracts/services.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bids.contracts.choices import SignatoryCapacity, SigningMethod
from bids.contracts.services import CLAUSE_FIELDS, LINE_FIELDS, NEGOTIATED_FIELDS, SCAN_MAX_BYTES, TERM_FIELDS
from bids.models import Contract, ContractLine


class SignForm(forms.Form):
    """R-CON-3: who signed, with what authority, how and when."""

    customer_signatory_name = forms.CharField(label=_("customer signatory"), max_length=120)
    customer_signatory_title = forms.CharField(
        label=_("customer signatory's title"), max_length=120, required=False
    )
    customer_authorisation_ref = forms.CharField(
        label=_("authorisation document (授權委託書)"), max_length=200
    )
    our_signatory_name = forms.CharField(label=_("our signatory"), max_length=120)
    our_signatory_capacity = forms.ChoiceField(
        label=_("our signatory's capacity"), choices=SignatoryCapacity.choices
    )
    signing_method = forms.ChoiceField(label=_("signing method"), choices=SigningMethod.choices)
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs={"type": "date"}))


class ScanForm(forms.Form):
    """R-CON-4: the signed scan and where the paper original is kept."""

    signed_scan = forms.FileField(
        label=_("signed scan"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=_("PDF, JPEG or PNG, at most %(mb)s MB.") % {"mb": SCAN_MAX_BYTES // (1024 * 1024)},
    )
    archive_location = forms.CharField(label=_("paper archive location"), max_length=200)


class TermsForm(forms.ModelForm):
    """R-CON-1: the contract's terms, one field each (the hidden version guards a stale edit)."""

    class Meta:
        model = Contract
        fields = list(TERM_FIELDS)
        widgets = {
            "fx_rate_date": forms.DateInput(attrs={"type": "date"}),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in CLAUSE_FIELDS},
            "scope": forms.Textarea(attrs={"rows": 3}),
        }

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in TERM_FIELDS if name in self.changed_data}


class LineForm(forms.ModelForm):
    """A contract line (R-CON-2): its figures, and the explanation of a difference from the quote."""

    class Meta:
        model = ContractLine
        fields = list(LINE_FIELDS)
        widgets = {
            "specification": forms.Textarea(attrs={"rows": 2}),
            "explanation": forms.Textarea(attrs={"rows": 2}),
        }

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in LINE_FIELDS}


class LineDeleteForm(forms.Form):
    """R-CON-2: why a line of the accepted quote is dropped (not asked for an added line)."""

    explanation = forms.CharField(
        label=_("why the line is dropped"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MinuteForm(forms.Form):
    """R-CON-5: a negotiation's minutes; the terms it changed are edited with it."""

    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}))
    our_attendees = forms.CharField(label=_("our attendees"), widget=forms.Textarea(attrs={"rows": 2}))
    customer_attendees = forms.CharField(
        label=_("customer's attendees"), widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        for name in NEGOTIATED_FIELDS:
            model_field = Contract._meta.get_field(name)
            field = model_field.formfield()
            field.required = False
            field.initial = getattr(contract, name)
            field.help_text = _(
                "Changed here, the term is changed on the contract and listed on the minutes."
            )
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2
            self.fields[f"term_{name}"] = field

    def minute_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("held_on", "our_attendees", "customer_attendees", "summary")
        }

    def terms(self) -> dict:
        return {
            name: self.cleaned_data[f"term_{name}"]
            for name in NEGOTIATED_FIELDS
            if f"term_{name}" in self.changed_data
        }


class ConfirmChangeForm(forms.Form):
    """R-CON-5: who on the customer's side confirmed a term changed during approval, and when."""

    customer_confirmed_by = forms.CharField(label=_("confirmed by (customer)"), max_length=120)
    customer_confirmed_on = forms.DateField(
        label=_("confirmed on"), widget=forms.DateInput(attrs={"type": "date"})
    )

"""Forms of the contract's desk actions; the rules are the services' (bids/contracts/services.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bids.contracts.choices import SignatoryCapacity, SigningMethod
from bids.contracts.services import SCAN_MAX_BYTES


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

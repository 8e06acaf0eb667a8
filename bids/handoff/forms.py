"""Forms of the handoff's desk actions; the rules are the services' (bids/handoff/services.py).
Pickers search as the user types (no unbounded <select>); the posted id is checked against
the field's queryset and the service checks the rest (the receiving team, the customer)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bids.handoff.choices import AcceptanceKind, AcceptanceResult
from bids.handoff.services import SCAN_MAX_BYTES
from leads.models import Contact
from presales.accounts.models import Team, User
from presales.web.autocomplete import AutocompleteSelect

DATE = forms.DateInput(attrs={"type": "date"})


class AcknowledgeForm(forms.Form):
    """R-HAND-2: the receiving team acknowledges and names the after-sales owner."""

    after_sales_owner = forms.ModelChoiceField(
        label=_("after-sales owner"),
        queryset=User.objects.filter(is_active=True),
        widget=AutocompleteSelect("autocomplete-people"),
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RouteForm(forms.Form):
    """Send the handoff to another receiving team (a few teams: a plain choice)."""

    receiving_team = forms.ModelChoiceField(label=_("receiving team"), queryset=Team.objects.all())


class InformForm(forms.Form):
    """R-HAND-2: the contact told of the after-sales owner, and the guide's language."""

    contact = forms.ModelChoiceField(
        label=_("contact informed"), queryset=Contact.objects.all(), required=False
    )
    contact_name = forms.CharField(label=_("or the name of who was told"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("language of the service guide"), choices=User.Language.choices)

    def __init__(self, *args: Any, customer_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        assert isinstance(field, forms.ModelChoiceField)
        if customer_id is not None:
            field.queryset = Contact.objects.filter(customer_id=customer_id)
        field.widget = AutocompleteSelect("leads:autocomplete-contacts", {"customer": customer_id or ""})


class ReceiveForm(forms.Form):
    """R-HAND-3: the goods were received (the product acceptance is due in 3 working days)."""

    received_on = forms.DateField(label=_("goods received on"), widget=DATE)


class AcceptanceForm(forms.Form):
    """R-HAND-3: the acceptance's date, result, notes and signed scan; on a failure, what is
    to be rectified and by whom."""

    kind = forms.ChoiceField(label=_("kind"), choices=AcceptanceKind.choices)
    result = forms.ChoiceField(
        label=_("result"),
        choices=[(AcceptanceResult.PASSED, _("Passed")), (AcceptanceResult.FAILED, _("Failed"))],
    )
    accepted_on = forms.DateField(label=_("acceptance date (the meeting's, for a service)"), widget=DATE)
    received_on = forms.DateField(
        label=_("goods received on (product, if not recorded yet)"), widget=DATE, required=False
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signed_scan = forms.FileField(
        label=_("signed acceptance form"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=_("PDF, JPEG or PNG, at most %(mb)s MB; required when it passed.")
        % {"mb": SCAN_MAX_BYTES // (1024 * 1024)},
    )
    items = forms.CharField(
        label=_("items to rectify (when it failed)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=_("rectification owner"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=AutocompleteSelect("autocomplete-people"),
        help_text=_("Empty: the after-sales owner."),
    )


class RectificationCloseForm(forms.Form):
    note = forms.CharField(label=_("what was rectified"), widget=forms.Textarea(attrs={"rows": 2}))

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from presales.accounts.models import User


class ProfileForm(forms.ModelForm):
    """What a user edits about themselves: name, phone, language."""

    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "language"]
        labels = {"language": _("Interface language")}


class ApiTokenForm(forms.Form):
    """A new API token: a name to recognise it by, and how long it lives."""

    EXPIRY_CHOICES = [
        ("30", _("30 days")),
        ("90", _("90 days")),
        ("365", _("1 year")),
        ("", _("Never")),
    ]

    name = forms.CharField(
        label=pgettext_lazy("api token", "Name"),
        max_length=100,
        help_text=_("The tool or purpose, e.g. “CRM sync on the sales laptop”."),
        widget=forms.TextInput(attrs={"class": "form-control", "autofocus": True}),
    )
    expires_in = forms.ChoiceField(
        label=_("Expires after"),
        choices=EXPIRY_CHOICES,
        initial="90",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def expires_at(self):
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + timedelta(days=int(days)) if days else None

from django import forms
from django.utils.translation import gettext_lazy as _

from presales.accounts.models import User


class ProfileForm(forms.ModelForm):
    """What a user edits about themselves: name, phone, language."""

    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "language"]
        labels = {"language": _("Interface language")}

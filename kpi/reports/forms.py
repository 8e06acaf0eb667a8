"""Forms of the monthly team report (R-KPI-3): the written sections (with the version they
were read at) and the generate form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi.models.reports import SECTION_FIELDS, TeamReport
from presales.accounts.models import Team
from presales.web.forms import BootstrapMixin


class SectionsForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TeamReport
        fields = list(SECTION_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in SECTION_FIELDS}


class GenerateForm(BootstrapMixin, forms.Form):
    team: forms.ModelChoiceField = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    month = forms.CharField(label=_("Month"), max_length=7, help_text=_("e.g. 2026-11"))

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]

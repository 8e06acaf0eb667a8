"""Forms of the SLA pages: input only; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from presales.sla.models import CalendarDayKind, SlaPolicy, TeamWebhook
from presales.sla.notifications import notification_kinds
from presales.sla.services import POLICY_FIELDS


class SlaPolicyForm(forms.ModelForm):
    """An admin edits a kind's policy; reminders are typed as "24, 4"."""

    reminder_hours = forms.CharField(
        label=_("Reminders (hours before due)"),
        required=False,
        help_text=_("Separate several values with commas, e.g. 72, 24, 4."),
    )

    class Meta:
        model = SlaPolicy
        fields = list(POLICY_FIELDS)

    def __init__(self, *args, fixed_due: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["reminder_hours"] = ", ".join(str(h) for h in self.instance.reminder_hours or [])
        if fixed_due:
            # The event gives the date: the limit cannot be edited.
            for name in ("limit_value", "limit_unit"):
                self.fields.pop(name)

    def _post_clean(self):
        # The service validates the model (it knows the kind); the form only parses input.
        pass


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=pgettext_lazy("calendar day", "Name"), max_length=100, required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("Source"), max_length=200, required=False)


class TeamWebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("Robot URL"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("Notification kinds"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TeamWebhook
        fields = ["flavor", "url", "kinds", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(k.kind, k.label) for k in notification_kinds()]

    def _post_clean(self):
        pass


class NotificationPreferencesForm(forms.Form):
    """One "also by email" box per notification kind."""

    def __init__(self, *args, current: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in notification_kinds():
            self.fields[kind.kind] = forms.BooleanField(
                label=kind.label, required=False, initial=current.get(kind.kind, kind.email_default)
            )

    def email_kinds(self) -> set[str]:
        return {name for name, value in self.cleaned_data.items() if value}

"""Forms of the demo and trial pages. They only shape input: every rule (R-SOL-5, the
customer's contacts only, the opportunity's requirements only) is the services' and comes
back as form errors (``ServiceFormMixin``)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import Contact
from presales.accounts.models import User
from presales.web.autocomplete import AutocompleteSelect
from presales.web.forms import bootstrap, humanize_errors
from proposals.demos.choices import DemoOutcome
from proposals.models import Demo, Requirement, SolutionVersion, TrialRequest

CODE_RE = re.compile(r"REQ-(\d{1,6})", re.IGNORECASE)


class AutocompleteSelectMultiple(AutocompleteSelect, forms.SelectMultiple):
    """The search-as-you-type picker for several records (Tom Select reads ``multiple``)."""


def _multi_autocomplete(field: forms.ModelMultipleChoiceField, url_name: str, **params: Any) -> None:
    widget = AutocompleteSelectMultiple(url_name, params, attrs=dict(field.widget.attrs))
    widget.choices = field.choices  # type: ignore[attr-defined]
    widget.is_required = field.required
    field.widget = widget


class DemoForm(forms.ModelForm):
    """Schedule or change a demo. Only approved versions of this opportunity are offered
    (R-SOL-5; the service refuses any other, whatever is posted)."""

    our_attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, label=_("Our attendees")
    )
    customer_attendees = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), required=False, label=_("Customer attendees")
    )
    online_link = forms.URLField(
        label=_("Online meeting link"), required=False, max_length=500, assume_scheme="https"
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One item per line; name the requirements it shows by their codes, e.g. “Energy dashboard REQ-001 REQ-004”."
        ),
    )

    class Meta:
        model = Demo
        # online_link is declared above (https assumed for a link typed without a scheme).
        fields = ["solution_version", "title", "starts_at", "duration_minutes", "location"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        }

    def __init__(self, *args: Any, opportunity: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        # R-SOL-5: only approved versions are offered (the services refuse any other).
        self.fields["solution_version"].queryset = (
            SolutionVersion.objects.filter(solution__opportunity=opportunity)
            .approved()
            .select_related("solution")
        )
        self.fields["our_attendees"].queryset = User.objects.filter(is_active=True)
        self.fields["customer_attendees"].queryset = Contact.objects.filter(
            customer_id=opportunity.customer_id
        )
        _multi_autocomplete(self.fields["our_attendees"], "autocomplete-people")
        _multi_autocomplete(
            self.fields["customer_attendees"], "leads:autocomplete-contacts", customer=opportunity.customer_id
        )
        if self.instance.pk:
            self.fields["our_attendees"].initial = list(
                self.instance.our_attendees.values_list("pk", flat=True)
            )
            self.fields["customer_attendees"].initial = list(
                self.instance.customer_attendees.values_list("pk", flat=True)
            )
            self.fields["agenda"].initial = "\n".join(
                " ".join([item.text, *(r.code for r in item.requirements.all())])
                for item in self.instance.agenda.prefetch_related("requirements")
            )
        humanize_errors(self)
        bootstrap(self)

    def clean_agenda(self) -> list[dict[str, Any]]:
        """Lines into items; requirement codes into the opportunity's requirements."""
        lines = [
            line.strip() for line in (self.cleaned_data.get("agenda") or "").splitlines() if line.strip()
        ]
        numbers = {int(m) for line in lines for m in CODE_RE.findall(line)}
        found = {
            r.number: r for r in Requirement.objects.filter(opportunity=self.opportunity, number__in=numbers)
        }
        missing = sorted(numbers - set(found))
        if missing:
            raise forms.ValidationError(
                _("No requirement %(codes)s on this opportunity.")
                % {"codes": ", ".join(f"REQ-{n:03d}" for n in missing)}
            )
        items = []
        for line in lines:
            codes = [int(m) for m in CODE_RE.findall(line)]
            text = CODE_RE.sub("", line).strip(" ,;") or line
            items.append({"text": text, "requirements": [found[n] for n in dict.fromkeys(codes)]})
        return items

    def service_kwargs(self) -> dict[str, Any]:
        names = [*self.Meta.fields, "online_link"]
        data = {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}
        if data.get("duration_minutes") is None:
            data.pop("duration_minutes", None)
        return {
            "data": data,
            "our_attendees": list(self.cleaned_data["our_attendees"]),
            "customer_attendees": list(self.cleaned_data["customer_attendees"]),
            "agenda": self.cleaned_data["agenda"],
        }


class FeedbackForm(forms.ModelForm):
    """R-DEMO-2: what the customer said and what comes next."""

    class Meta:
        model = Demo
        fields = ["outcome", "outcome_note", "questions", "objections", "next_step", "next_step_date"]
        widgets = {"next_step_date": forms.DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "---------"), *DemoOutcome.choices]
        humanize_errors(self)
        bootstrap(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChecklistAddForm(forms.Form):
    label = forms.CharField(label=_("Item"), max_length=200)


class TrialForm(forms.ModelForm):
    """R-DEMO-3: a trial, POC or loan: items, period, return date."""

    class Meta:
        model = TrialRequest
        fields = ["kind", "items", "purpose", "period_start", "period_end", "return_date"]
        widgets = {
            "period_start": forms.DateInput(),
            "period_end": forms.DateInput(),
            "return_date": forms.DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        humanize_errors(self)
        bootstrap(self)

"""Forms of the solution pages: they parse input; the services decide (R-SOL-1, R-SOL-2, R-SOL-6)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from leads.models import Contact
from presales.web.autocomplete import autocomplete
from presales.web.forms import bootstrap
from proposals.models import Acceptance, Feedback, QuoteLine, SolutionSection, SolutionTemplate
from proposals.solutions.choices import SectionKind


class _Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        bootstrap(self)


class SolutionCreateForm(_Styled, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=SolutionTemplate.objects.filter(is_active=True), required=False
    )


class SectionForm(_Styled, forms.ModelForm):
    kind = forms.ChoiceField(label=_("Section"), choices=SectionKind.choices)

    class Meta:
        model = SolutionSection
        fields = ["body_html", "writer", "due_date"]
        widgets = {
            # static/js/richtext.js puts a rich text editor over it (Quill, vendored).
            "body_html": forms.Textarea(
                attrs={
                    "rows": 8,
                    "class": "font-monospace",
                    "data-richtext": "",
                    "data-image-prompt": _("Image address (https://… or a path on this site)"),
                    "data-table-label": _("Insert a table"),
                }
            ),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "body_html": _(
                "Headings, lists, tables, links and images (https) are kept; anything else is removed on save."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["writer"].queryset = get_user_model().objects.filter(is_active=True)
        autocomplete(self.fields["writer"], "autocomplete-people", roles="presales")
        if self.instance.pk and self.instance.writer_id and not self.is_bound:
            # The writer was fetched with the section: the picker shows it without a query
            # per section (the editor lists every section's form).
            self.fields["writer"].widget.choices = [
                ("", ""),
                (self.instance.writer_id, str(self.instance.writer)),
            ]

    def _post_clean(self):
        # The service validates the section with its version; the form only parses.
        pass


class QuoteLineForm(_Styled, forms.ModelForm):
    class Meta:
        model = QuoteLine
        fields = [
            "kind",
            "item",
            "specification",
            "quantity",
            "unit",
            "unit_cost",
            "unit_price",
            "tax_rate",
            "tax_inclusive",
        ]
        widgets = {"specification": forms.TextInput()}

    def _post_clean(self):
        # The services validate the row on every route (web, API, admin); the form only parses.
        pass


class AnswerForm(forms.Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    target = forms.CharField(label=_("Answered by"))  # "section:<id>" or "line:<id>"
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AcceptanceForm(_Styled, forms.ModelForm):
    class Meta:
        model = Acceptance
        fields = ["contact", "contact_name", "method", "accepted_at", "evidence", "note"]
        widgets = {"accepted_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(customer=customer)
        self.fields["contact"].required = False

    def _post_clean(self):
        # The services validate the row on every route (web, API, admin); the form only parses.
        pass


class FeedbackForm(_Styled, forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["received_at", "contact_name", "content"]
        widgets = {"received_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
        help_texts = {"received_at": _("Empty: now. The revised version is due 48 hours after it.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].required = False

    def _post_clean(self):
        # The services validate the row on every route (web, API, admin); the form only parses.
        pass


class ReasonForm(_Styled, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

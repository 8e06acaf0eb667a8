"""The desk's forms of the bid document and defence (R-BID-1, R-BID-3): input checks only;
the rules are in bids/biddocs/services.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from leads.choices import Industry
from presales.web.autocomplete import autocomplete


class PartForm(forms.Form):
    content = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace", "data-richtext": ""}),
        help_text=_(
            "Headings, lists, tables, links and images (https) are kept; anything else is removed on save."
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, JPEG or PNG."))


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    answer = forms.CharField(
        label=_("Prepared answer"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=8000
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True)
        autocomplete(self.fields["owner"], "autocomplete-people")


class UseAnswerForm(forms.Form):
    answer = forms.IntegerField(label=_("Library answer"), min_value=1, widget=forms.HiddenInput)


class PickForm(forms.Form):
    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Question, answer or product"),
                "type": "search",
                "class": "form-control form-control-sm",
            }
        ),
    )


class ToLibraryForm(forms.Form):
    product = forms.CharField(label=_("Product"), required=False, max_length=200)
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", "—"), *Industry.choices], required=False)
    update_original = forms.BooleanField(
        label=_("Update the library answer it was copied from"), required=False
    )

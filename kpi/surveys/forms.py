"""Forms of surveys: the answer form built from a survey's questions (the public page, the
phone interview, the in-app rating), resend and the improvement action's close."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi.models.surveys import QuestionKind, localized
from leads.models import Contact
from presales.core.errors import DomainError

SCORES = [(str(i), str(i)) for i in range(1, 6)]


class SurveyAnswerForm(forms.Form):
    """One field per question, named by its code: scores as 1–5 radio buttons, texts as a
    text area. Requiredness is the service's to check (its messages land on the fields)."""

    def __init__(
        self,
        *args: Any,
        questions: list[dict],
        language: str | None = None,
        comment: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        for question in questions:
            label = localized(question, language)
            if question["kind"] == QuestionKind.SCORE:
                field: forms.Field = forms.ChoiceField(
                    label=label, choices=SCORES, widget=forms.RadioSelect, required=False
                )
            else:
                field = forms.CharField(
                    label=label, widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
                )
            field.question = question  # type: ignore[attr-defined]
            field.is_score = question["kind"] == QuestionKind.SCORE  # type: ignore[attr-defined]
            field.required_answer = question.get("required", True)  # type: ignore[attr-defined]
            self.fields[question["code"]] = field
        if comment:
            self.fields["interview_note"] = forms.CharField(
                label=_("Interview note (who was called, when)"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=4000,
            )

    def answers(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "interview_note"}

    def add_domain_error(self, exc: DomainError) -> None:
        for name, messages in exc.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not exc.fields:
            self.add_error(None, exc.message)


class ResendForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)

    def __init__(self, *args: Any, customer_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Contact.objects.filter(customer_id=customer_id).exclude(email="").order_by("name", "pk")
        )


class ActionCloseForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

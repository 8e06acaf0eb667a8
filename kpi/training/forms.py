"""Forms of training (R-KPI-1); the rules are the services'. The person is picked among the
people the user may record for (themselves; a manager's teams; an administrator anyone, as
the user types)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi.models import TrainingPlan, TrainingRecord
from kpi.training.selectors import people_for, plans_for
from presales.web.autocomplete import AutocompleteSelect
from presales.web.forms import bootstrap

DATE = forms.DateInput(attrs={"type": "date"})


class _TrainingForm(forms.ModelForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people_for(user)
        self.fields["person"].widget = AutocompleteSelect("autocomplete-people")
        self.fields["person"].required = False
        self.fields["person"].help_text = _("Empty: yourself.")
        bootstrap(self)

    def _post_clean(self) -> None:
        # The service applies, checks and saves.
        pass


class TrainingPlanForm(_TrainingForm):
    person = forms.ModelChoiceField(label=_("person"), queryset=TrainingPlan.objects.none())

    class Meta:
        model = TrainingPlan
        fields = ["person", "year", "title", "planned_hours", "courses"]
        widgets = {"courses": forms.Textarea(attrs={"rows": 3})}


class TrainingRecordForm(_TrainingForm):
    person = forms.ModelChoiceField(label=_("person"), queryset=TrainingRecord.objects.none())

    class Meta:
        model = TrainingRecord
        fields = [
            "person",
            "direction",
            "plan",
            "course",
            "provider",
            "held_on",
            "hours",
            "result",
            "exam_score",
            "reflection",
            "audience",
            "attendee_count",
        ]
        widgets = {"held_on": DATE, "reflection": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = plans_for(user).order_by(
            "-year", "title"
        )

from django import forms
from django.utils.translation import gettext_lazy as _

from collaboration.choices import RequestKind, RequestStatus
from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute
from opportunities.models import Opportunity
from presales.accounts.models import User
from presales.web.forms import BootstrapMixin

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _opportunities(user):
    return Opportunity.objects.visible_to(user).order_by("-id")


def _staff():
    return User.objects.filter(is_active=True).order_by("username")


class RequestForm(BootstrapMixin, forms.ModelForm):
    file = forms.FileField(label=_("Attachment"), required=False)

    class Meta:
        model = CollaborationRequest
        fields = [
            "kind",
            "item",
            "description",
            "target_department",
            "opportunity",
            "due_at",
            "expected_result",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "expected_result": forms.Textarea(attrs={"rows": 3}),
            "due_at": DATETIME,
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = _opportunities(user)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MoveForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    rating = forms.IntegerField(label=_("Rating (1–5)"), required=False, min_value=1, max_value=5)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequestFilterForm(BootstrapMixin, forms.Form):
    box = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All I can see")), ("mine", _("Mine")), ("department", _("To my department"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *RequestStatus.choices]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *RequestKind.choices])


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("File"))


class MinuteForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = MeetingMinute
        fields = ["title", "held_at", "place", "opportunity", "attendees", "external_attendees", "decisions"]
        widgets = {
            "held_at": DATETIME,
            "external_attendees": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = _opportunities(user)
        self.fields["attendees"].queryset = _staff()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "attendees"}


class ActionItemForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff()


ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=3, max_num=30)

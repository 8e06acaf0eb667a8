"""Forms of the opportunity pages. They collect input only: the services validate the
rules, and none of them has a field for the stage or the initiation status."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from leads.models import Customer
from opportunities import services
from opportunities.choices import CloseReason, ProjectRole
from opportunities.models import Opportunity, ProjectInitiation
from presales.accounts import selectors as people
from presales.accounts.models import Team, User
from presales.core.money import BASE_CURRENCY
from presales.core.roles import Scope, scope_of
from presales.core.statemachine import Move
from presales.web.autocomplete import AutocompleteSelect, autocomplete
from presales.web.forms import BootstrapMixin


class OpportunityForm(BootstrapMixin, forms.ModelForm):
    """Create or edit an opportunity's facts (R-OPP-1)."""

    competitors = forms.CharField(
        label=_("Competitors"),
        required=False,
        help_text=_("Separate names with commas."),
        widget=forms.TextInput(),
    )

    class Meta:
        model = Opportunity
        fields = list(services.OPPORTUNITY_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_close": forms.DateInput(attrs={"type": "date"}),
            "fx_rate_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["competitors"] = ", ".join(self.instance.competitors or [])
        self.fields["customer"].queryset = Customer.objects.visible_to(user).active().order_by("name")
        if scope_of(user) != Scope.ALL:
            self.fields["team"].queryset = Team.objects.filter(pk__in=user.team_ids)
        self.fields["team"].required = False
        self.fields["team"].help_text = _("Defaults to the customer's team.")
        self.fields["sales_owner"].queryset = people.sales_people()
        self.fields["sales_owner"].required = False
        self.fields["sales_owner"].help_text = _("Defaults to the customer's owner.")
        self.fields["presales_owner"].queryset = people.presales_people()
        self.fields["presales_owner"].help_text = _("Defaults to the customer's primary presales engineer.")
        autocomplete(self.fields["customer"], "leads:autocomplete-customers")
        autocomplete(self.fields["sales_owner"], "autocomplete-people", roles="sales")
        autocomplete(self.fields["presales_owner"], "autocomplete-people", roles="presales")

    def _post_clean(self):
        # The service validates the model (with the defaults it fills in); the form only
        # collects input, so nothing here runs the model's rules on a half-built instance.
        pass

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        for name in ("team", "sales_owner"):
            if data.get(name) is None:
                data.pop(name, None)
        if data.get("currency") == BASE_CURRENCY:
            # A CNY amount takes no rate: a rate left in the field from another currency is
            # dropped rather than refused (the service clears the stored one, R-REV-4).
            data.pop("fx_rate_to_cny", None)
            data.pop("fx_rate_date", None)
        return data


class MoveForm(BootstrapMixin, forms.Form):
    """What a lifecycle move asks for: a note, and for some moves a reason (R-OPP-3)."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "---------"), *CloseReason.choices], required=False
    )
    winning_competitor = forms.CharField(
        label=_("Winning competitor"),
        required=False,
        max_length=200,
        help_text=_("Who won the deal, when known."),
    )
    bid_skip_reason = forms.CharField(
        label=_("Why the bid stage is skipped"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: direct purchase after quotation and negotiation, no tender."),
    )

    field_order = ["reason", "winning_competitor", "bid_skip_reason", "note"]

    def __init__(self, *args, move: Move, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"note", *move.input_fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if move.extra.get("note_required"):
            self.fields["note"].label = _("Why (required)")

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return {"note": data.pop("note", ""), **data}


class InitiationForm(BootstrapMixin, forms.ModelForm):
    """The project initiation request (項目立項申請表, R-OPP-2)."""

    class Meta:
        model = ProjectInitiation
        fields = ["background", "sales_strategy", "expected_goals"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}

    def _post_clean(self):
        pass


PROPOSED_ROLES = [
    (value, label) for value, label in ProjectRole.choices if value not in ("sales_owner", "presales_owner")
]


class ProposedMemberForm(BootstrapMixin, forms.Form):
    """One person proposed for the project team, with a role."""

    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        required=False,
        widget=AutocompleteSelect("autocomplete-people"),
    )
    role = forms.ChoiceField(
        label=_("Role in the project"),
        choices=[("", "---------"), *PROPOSED_ROLES],
        required=False,
    )
    responsibility = forms.CharField(
        label=pgettext_lazy("project team", "Responsibility"),
        max_length=200,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("user") and not data.get("role"):
            self.add_error("role", _("Choose the role."))
        return data


ProposedTeamFormSet = forms.formset_factory(ProposedMemberForm, extra=2, can_delete=True, max_num=30)


def team_rows(formset) -> list[dict]:
    return [
        {
            "user": f.cleaned_data["user"],
            "role": f.cleaned_data["role"],
            "responsibility": f.cleaned_data["responsibility"],
        }
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get("user") and not f.cleaned_data.get("DELETE")
    ]


class WithdrawForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is the request withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

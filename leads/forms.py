"""Web forms for customers, contacts, leads and communications.

Forms only collect and shape input (``service_data``); the services decide and write.
No form exposes a status, stage, grade date or merge field.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads import selectors
from leads.choices import LAWFUL_CONTACT_SOURCES, Channel, ContactSource, DisqualifyReason, Grade, SizeClass
from leads.models import OVERRIDE_REASON_MAX, CommunicationRecord, Contact, Customer, Lead, VisitPlan
from leads.services import (
    COMMUNICATION_FIELDS,
    CONTACT_FIELDS,
    CUSTOMER_DERIVED_FIELDS,
    CUSTOMER_FIELDS,
    EVALUATION_KEYS,
    LEAD_CONTACT_FIELDS,
    LEAD_FIELDS,
    PARTICIPANT_FIELDS,
    grade_for,
    has_contact_access,
)
from presales.accounts.models import User
from presales.core.roles import Role
from presales.core.scoping import mask_email, mask_phone
from presales.core.validators import validate_phone
from presales.web.autocomplete import autocomplete, autocomplete_multiple
from presales.web.forms import BootstrapMixin

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def not_negative(field: forms.Field) -> None:
    """Report a negative amount on its field (the database constraint would say it on top)."""
    field.validators.append(MinValueValidator(0))
    field.widget.attrs["min"] = 0


def _fieldsets(form: forms.BaseForm, layout: list[tuple[str, list[str]]]) -> list[tuple[str, list]]:
    """Bound fields grouped for display; names the form does not have are skipped."""
    return [(legend, [form[n] for n in names if n in form.fields]) for legend, names in layout]


class MaskedContactDetailsMixin:
    """R-CUST-6: for a user who may not read the record's phone and email, the form shows them
    masked and read-only (a disabled field is never taken from the request), so neither the
    page nor a save reveals or overwrites them with the masked text."""

    CONTACT_DETAIL_MASKS = (("phone", mask_phone), ("email", mask_email))

    def mask_contact_details(self, *, user, record) -> None:
        self._hidden_details = {}
        if user is None or record is None or has_contact_access(user, record):
            return
        for name, mask in self.CONTACT_DETAIL_MASKS:
            field = self.fields.get(name)
            if field is None:
                continue
            value = getattr(record, name) or ""
            self._hidden_details[name] = value
            self.initial[name] = mask(value) if value else value
            field.disabled = True
            # The masked text is shown, not validated: it never reaches the record.
            field.validators = []
            field.help_text = _("Hidden: you are not on this record's team.")

    def clean(self):
        data = super().clean()
        # The stored value stands in for the masked text, so the model's own validation
        # (a model form) sees the record unchanged.
        data.update(getattr(self, "_hidden_details", {}))
        return data

    def without_hidden_details(self, data: dict) -> dict:
        return {name: value for name, value in data.items() if not self.fields[name].disabled}


class LeadForm(MaskedContactDetailsMixin, BootstrapMixin, forms.ModelForm):
    """R-LEAD-1 intake and edit: the facts of a lead, never its status."""

    class Meta:
        model = Lead
        # The customer is linked when the lead is qualified (R-LEAD-4), not on this form.
        fields = [name for name in LEAD_FIELDS if name != "customer"]
        widgets = {"received_at": datetime_input()}
        help_texts = {"phone": _("Give a phone number or an email address.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.teams_for(user)
        self.fields["owner"].queryset = selectors.writers()
        self.fields["presales_owner"].queryset = selectors.presales_people()
        autocomplete(self.fields["owner"], "autocomplete-people", roles="writers")
        autocomplete(self.fields["presales_owner"], "autocomplete-people", roles="presales")
        self.fields["received_at"].input_formats = [DATETIME_FORMAT]
        not_negative(self.fields["budget"])
        self.mask_contact_details(user=user, record=self.instance)
        if self.instance.pk:
            # R-LEAD-3: the receipt time is fixed at intake; shown, never sent back.
            self.fields["received_at"].disabled = True
            self.fields["received_at"].help_text = _(
                "Fixed at intake: the first-contact limit counts from it."
            )
        if not self.instance.pk:
            self.initial.setdefault("team", user.team_id)
            self.initial.setdefault("owner", user.pk)
            if user.has_role(Role.PRESALES_ENGINEER):
                self.initial.setdefault("presales_owner", user.pk)
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))

    def fieldsets(self) -> list[tuple[str, list]]:
        return _fieldsets(
            self,
            [
                (_("Source"), ["source", "received_at"]),
                (
                    _("Company and contact"),
                    ["company_name", "industry", "contact_name", "contact_title", "phone", "email"],
                ),
                (_("Project"), ["background", "initial_needs", "budget", "timing"]),
                (_("Responsibility"), ["team", "owner", "presales_owner"]),
            ],
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if not self.fields[name].disabled}


class DuplicateDecisionForm(forms.Form):
    """What the user chose after the duplicate warning (R-LEAD-2): merge, or create anyway
    saying why."""

    merge_into = forms.ModelChoiceField(queryset=Lead.objects.none(), required=False)
    allow_duplicate = forms.BooleanField(required=False)
    duplicate_override_reason = forms.CharField(required=False, max_length=OVERRIDE_REASON_MAX)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merge_into"].queryset = Lead.objects.open().visible_to(user)
        self.fields["merge_into"].error_messages["invalid_choice"] = _(
            "That lead cannot be merged into: it is closed or outside what you may see."
        )


class FirstContactForm(MaskedContactDetailsMixin, BootstrapMixin, forms.Form):
    """R-LEAD-3: who was reached and what was said, within 24 hours of receipt."""

    company_name = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Contact"), max_length=100)
    contact_title = forms.CharField(label=_("Contact title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False, validators=[validate_phone])
    email = forms.EmailField(label=_("Email"), required=False)
    initial_needs = forms.CharField(label=_("Initial need"), widget=forms.Textarea)
    concerns = forms.CharField(label=_("Concerns"), widget=forms.Textarea, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    occurred_at = forms.DateTimeField(
        label=_("Time"), widget=datetime_input(), input_formats=[DATETIME_FORMAT]
    )
    key_points = forms.CharField(label=_("Key points"), widget=forms.Textarea)
    next_step = forms.CharField(label=_("Next step"), widget=forms.Textarea, required=False)
    next_step_due_at = forms.DateTimeField(
        label=_("Next step due"), widget=datetime_input(), input_formats=[DATETIME_FORMAT], required=False
    )

    LEAD_FIELDS = LEAD_CONTACT_FIELDS

    def __init__(self, *args, lead: Lead, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.LEAD_FIELDS:
            self.initial.setdefault(name, getattr(lead, name))
        self.mask_contact_details(user=user, record=lead)
        self.initial.setdefault("channel", Channel.PHONE)
        self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))

    def fieldsets(self) -> list[tuple[str, list]]:
        interaction = [n for n in self.fields if n not in self.LEAD_FIELDS and n != "concerns"]
        return _fieldsets(
            self,
            [(_("Who was reached"), [*self.LEAD_FIELDS, "concerns"]), (_("The conversation"), interaction)],
        )

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Give a phone number or an email address."))
        return data

    def service_data(self) -> dict:
        return self.without_hidden_details(dict(self.cleaned_data))


class QualifyForm(BootstrapMixin, forms.Form):
    """R-LEAD-4: feasibility and potential value on five aspects, and the customer."""

    background = forms.CharField(label=_("Background"), widget=forms.Textarea)
    needs = forms.CharField(label=_("Needs"), widget=forms.Textarea)
    budget = forms.CharField(label=_("Budget"), widget=forms.Textarea)
    competition = forms.CharField(label=_("Competition"), widget=forms.Textarea)
    timeline = forms.CharField(label=_("Timeline"), widget=forms.Textarea)
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        help_text=_(
            "Leave empty to use the customer with the same company name, or to create one from the lead."
        ),
    )

    # R-OPP-1: the opportunity the lead becomes. The competition and timeline assessments
    # are also kept, as text, in the opportunity's description.
    title = forms.CharField(
        label=_("Opportunity title"),
        max_length=selectors.OPPORTUNITY_TITLE_MAX,
        required=False,
        help_text=_("Left empty: the company and the first line of the initial needs."),
    )
    expected_close = forms.DateField(
        label=_("Expected close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    competitors = forms.CharField(
        label=_("Competitors"),
        required=False,
        help_text=_("The competing vendors' names, separated by commas."),
    )

    def __init__(self, *args, lead: Lead, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.active().visible_to(user).order_by("name")
        autocomplete(self.fields["customer"], "leads:autocomplete-customers")
        if lead.customer_id:
            self.initial.setdefault("customer", lead.customer_id)
        self.initial.setdefault("background", lead.background)
        self.initial.setdefault("needs", lead.initial_needs)
        self.initial.setdefault("title", selectors.default_opportunity_title(lead))

    def evaluation(self) -> dict:
        return {k: self.cleaned_data[k] for k in EVALUATION_KEYS}

    def opportunity_data(self) -> dict:
        """What the qualifier chose for the opportunity; left-empty fields take the lead's defaults."""
        return {
            k: self.cleaned_data[k]
            for k in ("title", "expected_close", "competitors")
            if self.cleaned_data[k]
        }


class DisqualifyForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *DisqualifyReason.choices])
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)


class LeadMergeForm(BootstrapMixin, forms.Form):
    """R-LEAD-2: the open lead this duplicate is merged into."""

    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Lead.objects.none())

    def __init__(self, *args, lead: Lead, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        field.queryset = (
            Lead.objects.open()
            .visible_to(user)
            .exclude(pk=lead.pk)
            .select_related("team")
            .order_by("company_name")
        )
        field.label_from_instance = lambda x: f"{x.company_name} / {x.contact_name} ({x.team}, #{x.pk})"
        autocomplete(field, "leads:autocomplete-leads", open=1)


class CustomerForm(BootstrapMixin, forms.ModelForm):
    """R-CUST-1..5: facts, need tags, fit and value; the grade follows fit × value unless
    overridden with a reason. The primary presales owner is chosen at creation; later
    changes go through the presales panel of the customer page."""

    need_tags_text = forms.CharField(
        label=_("Need tags"),
        required=False,
        help_text=_("Separate with commas, e.g. cost reduction, efficiency"),
    )
    grade = forms.ChoiceField(
        label=_("Grade"),
        required=False,
        choices=[("", _("From fit × value")), *Grade.choices],
        help_text=_("Leave empty to grade from fit × value; a different grade needs a reason."),
    )
    size_class = forms.ChoiceField(
        label=_("Size class"),
        required=False,
        choices=[("", _("From employees and revenue")), *SizeClass.choices],
    )
    primary_presales = forms.ModelChoiceField(
        label=_("Primary presales engineer"), queryset=None, required=False
    )
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Customer
        # Grade and size class are this form's own "computed or explicit" choices (below).
        fields = [name for name in CUSTOMER_FIELDS if name not in CUSTOMER_DERIVED_FIELDS]

    field_order = [
        "name",
        "industry",
        "employees",
        "annual_revenue",
        "size_class",
        "region",
        "address",
        "website",
        "need_tags_text",
        "fit_score",
        "value_score",
        "grade",
        "grade_reason",
        "tier",
        "tier_override_reason",
        "team",
        "owner",
        "primary_presales",
        "notes",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.teams_for(user)
        self.fields["owner"].queryset = selectors.writers()
        autocomplete(self.fields["owner"], "autocomplete-people", roles="writers")
        not_negative(self.fields["annual_revenue"])
        customer = self.instance
        if customer.pk:
            del self.fields["primary_presales"]
            self.initial.setdefault("need_tags_text", ", ".join(t.name for t in customer.need_tags.all()))
            self.initial.setdefault("size_class", customer.size_class)
            if customer.grade != grade_for(fit=customer.fit_score, value=customer.value_score):
                self.initial.setdefault("grade", customer.grade)
        else:
            self.fields["primary_presales"].queryset = selectors.presales_people()
            autocomplete(self.fields["primary_presales"], "autocomplete-people", roles="presales")
            self.initial.setdefault("team", user.team_id)
            self.initial.setdefault("owner", user.pk)
            if user.has_role(Role.PRESALES_ENGINEER, Role.PRESALES_MANAGER):
                self.initial.setdefault("primary_presales", user.pk)

    def fieldsets(self) -> list[tuple[str, list]]:
        return _fieldsets(
            self,
            [
                (_("Company"), ["name", "industry", "region", "address", "website", "need_tags_text"]),
                (_("Size"), ["employees", "annual_revenue", "size_class"]),
                (
                    _("Grade and tier"),
                    ["fit_score", "value_score", "grade", "grade_reason", "tier", "tier_override_reason"],
                ),
                (_("Responsibility"), ["team", "owner", "primary_presales"]),
                (_("Notes"), ["notes"]),
            ],
        )

    def need_tags(self) -> list[str]:
        return [t.strip() for t in re.split(r"[,，;；、]", self.cleaned_data["need_tags_text"]) if t.strip()]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["grade"] = self.cleaned_data["grade"] or None
        if self.cleaned_data["size_class"]:
            data["size_class"] = self.cleaned_data["size_class"]
        return data


class CustomerMergeForm(BootstrapMixin, forms.Form):
    """R-LEAD-2: the customer this duplicate is merged into."""

    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Customer.objects.none())

    def __init__(self, *args, customer: Customer, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        field.queryset = (
            Customer.objects.active()
            .visible_to(user)
            .exclude(pk=customer.pk)
            .select_related("team")
            .order_by("name")
        )
        field.label_from_instance = lambda x: f"{x.name} ({x.team}, #{x.pk})"
        autocomplete(field, "leads:autocomplete-customers")


class PresalesForm(BootstrapMixin, forms.Form):
    """R-CUST-5: name the primary presales engineer, add or remove an assistant."""

    PRIMARY, ASSIST, REMOVE = "primary", "assist", "remove"
    ACTIONS = [(PRIMARY, _("Make primary")), (ASSIST, _("Add as assistant")), (REMOVE, _("Remove"))]

    user = forms.ModelChoiceField(label=_("Presales engineer"), queryset=None)
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.presales_people()
        autocomplete(self.fields["user"], "autocomplete-people", roles="presales")


class ContactForm(MaskedContactDetailsMixin, BootstrapMixin, forms.ModelForm):
    """R-CUST-1: a person at the customer, with title and decision role."""

    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # R-CUST-8: only lawful sources are offered; a contact from before the rule is asked.
        self.fields["source"].choices = [("", "---------"), *LAWFUL_CONTACT_SOURCES]
        self.fields["source"].required = True
        if self.instance.source == ContactSource.UNKNOWN:
            self.initial["source"] = ""
        if self.instance.pk:
            # An edit may leave a contact from before the rule as it was (the service keeps it).
            self.fields["source"].required = False
            self.mask_contact_details(user=user, record=self.instance)

    def service_data(self) -> dict:
        data = self.without_hidden_details({name: self.cleaned_data[name] for name in self.Meta.fields})
        if not data.get("source"):
            data.pop("source", None)
        return data


class CommunicationForm(BootstrapMixin, forms.ModelForm):
    """R-COMM-1: time, place/channel, participants, key points, feedback, next step and date.
    R-COMM-2: the participants are people (our users, the customer's contacts), picked."""

    class Meta:
        model = CommunicationRecord
        fields = [*COMMUNICATION_FIELDS[:4], *PARTICIPANT_FIELDS, *COMMUNICATION_FIELDS[4:]]
        widgets = {"occurred_at": datetime_input(), "next_step_due_at": datetime_input()}
        help_texts = {"next_step_due_at": _("A promised follow-up becomes a reminder on this date.")}

    def __init__(self, *args, customer: Customer | None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "next_step_due_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT]
        self.fields["participant_users"].queryset = User.objects.filter(is_active=True).order_by("pk")
        autocomplete_multiple(self.fields["participant_users"], "autocomplete-people")
        if customer is None:
            del self.fields["contact"]
            del self.fields["participant_contacts"]
        else:
            self.fields["contact"].queryset = Contact.objects.filter(customer=customer).order_by("name")
            autocomplete(self.fields["contact"], "leads:autocomplete-contacts", customer=customer.pk)
            self.fields["participant_contacts"].queryset = Contact.objects.filter(customer=customer).order_by(
                "name"
            )
            autocomplete_multiple(
                self.fields["participant_contacts"], "leads:autocomplete-contacts", customer=customer.pk
            )
        self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ContactEraseForm(BootstrapMixin, forms.Form):
    """R-CUST-8: erase a person's details on their request (administrators only)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    request_reference = forms.CharField(
        label=_("Request reference"),
        max_length=100,
        help_text=_("Where the person's request is filed (ticket, letter or e-mail reference)."),
    )

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class VisitPlanForm(BootstrapMixin, forms.ModelForm):
    """R-CUST-7: a planned visit: when, why, whom we meet, who goes."""

    class Meta:
        model = VisitPlan
        fields = ["planned_at", "purpose", "contacts", "participants"]
        widgets = {"planned_at": datetime_input()}

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_at"].input_formats = [DATETIME_FORMAT]
        self.fields["contacts"].queryset = Contact.objects.filter(
            customer=customer, erased_at__isnull=True
        ).order_by("name")
        autocomplete_multiple(self.fields["contacts"], "leads:autocomplete-contacts", customer=customer.pk)
        self.fields["participants"].queryset = User.objects.filter(is_active=True).order_by("pk")
        autocomplete_multiple(self.fields["participants"], "autocomplete-people")

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class VisitDoneForm(BootstrapMixin, forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class VisitCancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

"""One FilterSet per model, shared by the list pages and the API (search is ``q``).

Ordering is not part of the FilterSets: the API orders with DRF's OrderingFilter
(``?ordering=``, which cursor pagination follows) and the tables sort with ``?sort=``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.choices import (
    Channel,
    DecisionRole,
    FirstContactState,
    Grade,
    Industry,
    LeadSource,
    LeadStatus,
    SizeClass,
    Tier,
    VisitStatus,
)
from leads.models import CommunicationRecord, Contact, Customer, Lead, NeedTag, VisitPlan
from presales.accounts.selectors import filter_people, filter_teams
from presales.core.filters import ChoicesFilter, YesNoFilter
from presales.core.roles import scope_of
from presales.core.search import search
from presales.web.autocomplete import AutocompleteSelect

# Search-as-you-type pickers (issue 9): a filter form renders only the chosen option.
PEOPLE = "autocomplete-people"
CUSTOMERS = "leads:autocomplete-customers"


# R-CUST-6: each choice filter offers only what the requesting user sees (django-filter calls
# a callable queryset with the request). An id outside that answers 400 "Select a valid
# choice", exactly as an id that does not exist: no drop-down and no id is an oracle.
def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and scope_of(user) is not None else None


def visible_customers(request):
    user = _user(request)
    return Customer.objects.visible_to(user) if user else Customer.objects.none()


def visible_leads(request):
    user = _user(request)
    return Lead.objects.visible_to(user) if user else Lead.objects.none()


def need_tags(request):
    return NeedTag.objects.all() if _user(request) else NeedTag.objects.none()


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    industry = ChoicesFilter(choices=Industry.choices, label=_("Industry"))
    grade = ChoicesFilter(choices=Grade.choices, label=_("Grade"))
    tier = ChoicesFilter(choices=Tier.choices, label=_("Tier"))
    size_class = ChoicesFilter(choices=SizeClass.choices, label=_("Size class"))
    team = django_filters.ModelChoiceFilter(queryset=filter_teams, label=_("Team"))
    owner = django_filters.ModelChoiceFilter(
        queryset=filter_people, label=_("Sales owner"), widget=AutocompleteSelect(PEOPLE)
    )
    presales = django_filters.ModelChoiceFilter(
        queryset=filter_people,
        field_name="presales_assignments__user",
        label=_("Presales engineer"),
        widget=AutocompleteSelect(PEOPLE),
    )
    need_tag = django_filters.ModelChoiceFilter(
        queryset=need_tags, field_name="need_tags", label=_("Need tag")
    )
    # Contains, served by the region's search index (issue 9), as ``q`` is.
    region = django_filters.CharFilter(method="search_region", label=_("Region"))
    include_merged = YesNoFilter(method="merged", label=_("Include merged"))

    class Meta:
        model = Customer
        fields = [
            "q",
            "industry",
            "grade",
            "tier",
            "size_class",
            "team",
            "owner",
            "presales",
            "need_tag",
            "region",
        ]

    @property
    def qs(self):
        qs = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("include_merged"):
            qs = qs.filter(merged_into__isnull=True)
        return qs

    def search(self, queryset, name, value):
        """Issue 9: served by the search indexes (presales.core.search)."""
        return search(queryset, value, ("name", "region"))

    def search_region(self, queryset, name, value):
        return search(queryset, value, ("region",))

    def merged(self, queryset, name, value):
        return queryset


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = ChoicesFilter(choices=LeadStatus.choices, label=_("Status"))
    source = ChoicesFilter(choices=LeadSource.choices, label=_("Source channel"))
    industry = ChoicesFilter(choices=Industry.choices, label=_("Industry"))
    team = django_filters.ModelChoiceFilter(queryset=filter_teams, label=_("Team"))
    owner = django_filters.ModelChoiceFilter(
        queryset=filter_people, label=_("Sales owner"), widget=AutocompleteSelect(PEOPLE)
    )
    presales_owner = django_filters.ModelChoiceFilter(
        queryset=filter_people, label=_("Presales engineer"), widget=AutocompleteSelect(PEOPLE)
    )
    first_contact = django_filters.ChoiceFilter(
        choices=FirstContactState.choices, method="first_contact_state", label=_("First contact")
    )
    received_after = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label=_("Received from")
    )
    received_before = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label=_("Received until")
    )
    first_contact_late_entry = YesNoFilter(method="late_entry", label=_("First contact entered late"))
    mine = YesNoFilter(method="filter_mine", label=_("Only mine"))

    class Meta:
        model = Lead
        fields = [
            "q",
            "status",
            "source",
            "industry",
            "team",
            "owner",
            "presales_owner",
            "first_contact",
            "mine",
        ]

    def filter_mine(self, queryset, name, value):
        """Leads the requesting user owns, as sales owner or presales engineer: the set the
        dashboard counts as "my leads" (issue 8: a count and its link list the same rows)."""
        if value and self.request is not None and self.request.user.is_authenticated:
            user = self.request.user
            return queryset.filter(Q(owner=user) | Q(presales_owner=user))
        return queryset

    def late_entry(self, queryset, name, value):
        """R-LEAD-3 (a): leads whose first-contact record was entered more than 24 h late."""
        late = CommunicationRecord.objects.filter(
            lead=OuterRef("pk"), is_first_contact=True, entered_late=True
        )
        return queryset.filter(Exists(late)) if value else queryset.exclude(Exists(late))

    def search(self, queryset, name, value):
        """Issue 9: served by the search indexes (presales.core.search)."""
        return search(queryset, value, ("company_name", "contact_name"))

    def first_contact_state(self, queryset, name, value):
        """R-LEAD-3: due (inside 24 h), overdue (past it, no contact), done."""
        now = timezone.now()
        if value == FirstContactState.DUE:
            return queryset.first_contact_due(now)
        if value == FirstContactState.OVERDUE:
            return queryset.first_contact_overdue(now)
        return queryset.filter(first_contacted_at__isnull=False)


class ContactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(
        queryset=visible_customers, label=_("Customer"), widget=AutocompleteSelect(CUSTOMERS)
    )
    decision_role = ChoicesFilter(choices=DecisionRole.choices, label=_("Decision role"))

    class Meta:
        model = Contact
        fields = ["q", "customer", "decision_role"]

    def search(self, queryset, name, value):
        """Issue 9: served by the search indexes (presales.core.search)."""
        return search(queryset, value, ("name", "title"))


class CommunicationFilterSet(django_filters.FilterSet):
    customer = django_filters.ModelChoiceFilter(
        queryset=visible_customers, label=_("Customer"), widget=AutocompleteSelect(CUSTOMERS)
    )
    lead = django_filters.ModelChoiceFilter(
        queryset=visible_leads, label=_("Lead"), widget=AutocompleteSelect("leads:autocomplete-leads")
    )
    channel = ChoicesFilter(choices=Channel.choices, label=_("Channel"))
    occurred_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("From")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("Until")
    )
    follow_up_due = YesNoFilter(method="follow_up", label=_("Follow-up due"))
    entered_late = YesNoFilter(label=_("Late entry"))

    class Meta:
        model = CommunicationRecord
        fields = ["customer", "lead", "channel", "entered_late"]

    def follow_up(self, queryset, name, value):
        if value:
            return queryset.follow_ups_due()
        return queryset


class VisitPlanFilterSet(django_filters.FilterSet):
    """R-CUST-7: visit plans by customer, status, planner ("mine") and date."""

    customer = django_filters.ModelChoiceFilter(
        queryset=visible_customers, label=_("Customer"), widget=AutocompleteSelect(CUSTOMERS)
    )
    status = ChoicesFilter(choices=VisitStatus.choices, label=_("Status"))
    mine = YesNoFilter(method="filter_mine", label=_("My visits"))
    planned_after = django_filters.DateFilter(
        field_name="planned_at", lookup_expr="date__gte", label=_("From")
    )
    planned_before = django_filters.DateFilter(
        field_name="planned_at", lookup_expr="date__lte", label=_("Until")
    )

    class Meta:
        model = VisitPlan
        fields = ["customer", "status"]

    def filter_mine(self, queryset, name, value):
        user = self.request.user if self.request else None
        if value and user is not None:
            taking_part = VisitPlan.participants.through.objects.filter(
                visitplan_id=OuterRef("pk"), user_id=user.pk
            )
            return queryset.filter(Q(planner=user) | Exists(taking_part))
        return queryset

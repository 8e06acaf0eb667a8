"""The opportunity FilterSet, shared by the board, the list page and the API (search is ``q``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leads.choices import Grade, Industry
from leads.models import Customer
from opportunities.choices import Stage
from opportunities.models import Opportunity, ProjectMember
from presales.accounts.selectors import filter_people, filter_teams
from presales.core.filters import ChoicesFilter, YesNoFilter
from presales.core.search import search
from presales.web.autocomplete import AutocompleteSelect


def _visible_customers(request):
    """Customer names are confidential (R-CUST-6): offer only the ones the user sees."""
    if request is None:
        return Customer.objects.none()
    return Customer.objects.visible_to(request.user).active()


class OpportunityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = ChoicesFilter(choices=Stage.choices, label=_("Stage"))
    # Search-as-you-type pickers (issue 9): the form renders only the chosen option.
    owner = django_filters.ModelChoiceFilter(
        queryset=filter_people,
        field_name="sales_owner",
        label=_("Sales owner"),
        widget=AutocompleteSelect("autocomplete-people"),
    )
    presales_owner = django_filters.ModelChoiceFilter(
        queryset=filter_people, label=_("Presales owner"), widget=AutocompleteSelect("autocomplete-people")
    )
    team = django_filters.ModelChoiceFilter(queryset=filter_teams, label=_("Team"))
    customer = django_filters.ModelChoiceFilter(
        queryset=_visible_customers,
        label=_("Customer"),
        widget=AutocompleteSelect("leads:autocomplete-customers"),
    )
    customer_grade = ChoicesFilter(
        choices=Grade.choices, field_name="customer__grade", label=_("Customer grade")
    )
    expected_close_after = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="gte", label=_("Expected close from")
    )
    expected_close_before = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="lte", label=_("Expected close until")
    )
    has_tender = YesNoFilter(label=_("Public tender"))
    # The analytics' drill-downs (R-KPI-3): a chart's point opens the list of its records.
    industry = ChoicesFilter(choices=Industry.choices, field_name="customer__industry", label=_("Industry"))
    person = django_filters.ModelChoiceFilter(
        queryset=filter_people,
        field_name="sales_owner",  # the schema's type; the method reads both owners
        method="filter_person",
        label=_("Sales or presales owner"),
        widget=AutocompleteSelect("autocomplete-people"),
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )
    # The records behind the KPI's success rate (R-KPI-1): closed in a date range, followed by
    # a presales person (owner, or project member as presales owner or engineer).
    closed_after = django_filters.DateFilter(
        field_name="closed_at", lookup_expr="date__gte", label=_("Closed from")
    )
    closed_before = django_filters.DateFilter(
        field_name="closed_at", lookup_expr="date__lte", label=_("Closed until")
    )
    presales_person = django_filters.NumberFilter(method="filter_presales_person", label=_("Presales person"))
    mine = YesNoFilter(method="filter_mine", label=_("Only mine"))

    class Meta:
        model = Opportunity
        fields = [
            "q",
            "stage",
            "owner",
            "presales_owner",
            "team",
            "customer",
            "customer_grade",
            "expected_close_after",
            "expected_close_before",
            "has_tender",
            "mine",
            "closed_after",
            "closed_before",
            "presales_person",
            "industry",
            "person",
            "created_after",
            "created_before",
        ]

    @property
    def form(self):
        """The filter form with Bootstrap classes and date pickers (board and list pages)."""
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                widget = field.widget
                if isinstance(field, forms.DateField):
                    widget.input_type = "date"
                if isinstance(widget, forms.Select | forms.SelectMultiple):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
            form._styled = True
        return form

    def search(self, queryset, name, value):
        """Issue 9: the title's and the customer name's search indexes (presales.core.search)."""
        return search(queryset, value, ("title", "customer__name"))

    def filter_person(self, queryset, name, value):
        """Opportunities the person owns, as sales or as presales owner (R-KPI-3 drill-downs)."""
        if value:
            return queryset.filter(Q(sales_owner=value) | Q(presales_owner=value))
        return queryset

    def filter_mine(self, queryset, name, value):
        """Opportunities the requesting user owns or works on."""
        if value and self.request is not None:
            return queryset.involving(self.request.user)
        return queryset

    def filter_presales_person(self, queryset, name, value):
        """Opportunities the person followed as presales: owner, or presales member of the team."""
        members = ProjectMember.objects.filter(
            user_id=value, role__in=["presales_owner", "presales_engineer"]
        ).values("opportunity_id")
        return queryset.filter(Q(presales_owner_id=value) | Q(pk__in=members))

"""One FilterSet for reviews, shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from presales.accounts.selectors import filter_teams
from presales.core.filters import ChoicesFilter
from presales.core.search import search
from reviews.choices import ReviewStatus
from reviews.models import Review
from reviews.registry import kind_choices


class ReviewFilterSet(django_filters.FilterSet):
    status = ChoicesFilter(choices=ReviewStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=kind_choices, label=_("Kind"))
    team = django_filters.ModelChoiceFilter(queryset=filter_teams, label=_("Team"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Review
        fields = ["status", "kind", "team", "q"]

    def search(self, queryset, name, value):
        """Issue 9: served by the subject's search index (presales.core.search)."""
        return search(queryset, value, ("subject_summary",))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            select = getattr(field.widget, "allow_multiple_selected", None) is not None
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if select else "form-control form-control-sm"
            )

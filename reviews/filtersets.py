"""One FilterSet for reviews, shared by the list page and the API."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django.utils.translation import gettext_lazy as _

from presales.accounts.selectors import filter_teams
from presales.core.filters import ChoicesFilter, ModelChoicesFilter
from presales.core.scoping import AnyOf
from presales.core.search import search
from presales.sla.calendar import company_tz
from reviews.choices import ReviewStatus, TaskState
from reviews.models import Review, ReviewTask
from reviews.registry import kind_choices


class ReviewFilterSet(django_filters.FilterSet):
    status = ChoicesFilter(choices=ReviewStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=kind_choices, label=_("Kind"))
    # Several teams (?team=3&team=5): the review-turnaround point of a team-scoped manager
    # opens the decisions on the reviews of the teams it counts (R-KPI-3).
    team = ModelChoicesFilter(queryset=filter_teams, label=_("Team"))
    q = django_filters.CharFilter(method="search", label=_("Search"))
    # The review-turnaround chart's point (R-KPI-3): the reviews in which one approver decided
    # (approved or rejected) a task between two days; applied together in filter_queryset.
    decided_by = django_filters.NumberFilter(method="keep", label=_("Decided by (user id)"))
    decided_after = django_filters.DateFilter(method="keep", label=_("Decided on or after"))
    decided_before = django_filters.DateFilter(method="keep", label=_("Decided on or before"))

    class Meta:
        model = Review
        fields = ["status", "kind", "team", "q", "decided_by", "decided_after", "decided_before"]

    def keep(self, queryset, name, value):
        return queryset  # see filter_queryset: the three decision filters are one condition

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        approver, after, before = (
            data.get("decided_by"),
            data.get("decided_after"),
            data.get("decided_before"),
        )
        if approver is None and after is None and before is None:
            return queryset
        # Served by the task index (approver, state): the decisions' review ids first.
        decisions = ReviewTask.objects.filter(
            state__in=[TaskState.APPROVED, TaskState.REJECTED], opened_at__isnull=False
        )
        if approver is not None:
            decisions = decisions.filter(approver_id=int(approver))
        zone = company_tz()
        if after is not None:
            decisions = decisions.filter(decided_at__gte=datetime.combine(after, time.min, tzinfo=zone))
        if before is not None:
            decisions = decisions.filter(
                decided_at__lt=datetime.combine(before + timedelta(days=1), time.min, tzinfo=zone)
            )
        return queryset.filter(AnyOf("pk", decisions.values("review_id")))

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

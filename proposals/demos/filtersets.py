"""One FilterSet per list (demos, trial requests), shared by the desk and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from presales.core.filters import ChoicesFilter
from proposals.demos.choices import DemoStatus, TrialKind, TrialStatus
from proposals.models import Demo, TrialRequest


class DemoFilterSet(django_filters.FilterSet):
    status = ChoicesFilter(choices=DemoStatus.choices, label=_("Status"))
    opportunity = django_filters.NumberFilter(field_name="opportunity_id", label=_("Opportunity"))
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", label=_("Starts from")
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label=_("Starts before")
    )

    class Meta:
        model = Demo
        fields = ["status", "opportunity", "starts_after", "starts_before"]


class TrialFilterSet(django_filters.FilterSet):
    status = ChoicesFilter(choices=TrialStatus.choices, label=_("Status"))
    kind = ChoicesFilter(choices=TrialKind.choices, label=_("Kind"))
    opportunity = django_filters.NumberFilter(field_name="opportunity_id", label=_("Opportunity"))
    return_before = django_filters.DateFilter(
        field_name="return_date", lookup_expr="lte", label=_("Return by")
    )

    class Meta:
        model = TrialRequest
        fields = ["status", "kind", "opportunity", "return_before"]

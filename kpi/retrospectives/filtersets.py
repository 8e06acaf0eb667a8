"""One FilterSet for the retrospectives' list page and API (R-POST-2): outcome, status,
period (closing date), presales owner and closing dates (``closed_until`` exclusive, so a
scorecard's period links as ``closed_from=start&closed_until=end``)."""

from __future__ import annotations

from datetime import datetime, time

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kpi.models import CustomerConsent, Retrospective, RetrospectiveOutcome, RetrospectiveStatus
from kpi.periods import Period
from presales.core.errors import DomainError
from presales.core.filters import ChoicesFilter, YesNoFilter
from presales.sla.calendar import company_tz


class PeriodField(forms.CharField):
    """A period as text (2026-11, 2026-Q4, 2026), cleaned to a ``Period``: bad text is a form
    error (400 in the API), never a 500."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return Period.parse(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.fields.get("period") or [str(exc)]) from exc


class PeriodFilter(django_filters.Filter):
    field_class = PeriodField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(
            **{f"{self.field_name}__gte": value.start_at, f"{self.field_name}__lt": value.end_at}
        )


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=company_tz())


class RetrospectiveFilterSet(django_filters.FilterSet):
    outcome = ChoicesFilter(label=_("Outcome"), choices=RetrospectiveOutcome.choices)
    status = ChoicesFilter(label=_("Status"), choices=RetrospectiveStatus.choices)
    period = PeriodFilter(label=_("Period"), field_name="closed_at", help_text=_("2026-11, 2026-Q4 or 2026"))
    presales_owner = django_filters.NumberFilter(
        label=_("Presales owner (id)"), field_name="opportunity__presales_owner_id"
    )
    closed_from = django_filters.DateFilter(label=_("Closed from"), method="filter_closed_from")
    closed_until = django_filters.DateFilter(label=_("Closed before"), method="filter_closed_until")
    success_case_proposed = YesNoFilter(label=_("Proposed as a success case"))
    customer_consent = ChoicesFilter(label=_("Customer's consent"), choices=CustomerConsent.choices)

    class Meta:
        model = Retrospective
        fields: list[str] = []

    def filter_closed_from(self, queryset, name, value):
        return queryset.filter(closed_at__gte=_start_of(value)) if value else queryset

    def filter_closed_until(self, queryset, name, value):
        return queryset.filter(closed_at__lt=_start_of(value)) if value else queryset

"""The FilterSet of timers, shared by the deadlines API and pages."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from presales.accounts.selectors import filter_teams
from presales.core.filters import ChoicesFilter, YesNoFilter
from presales.sla.models import Timer, TimerState
from presales.sla.policies import timer_kinds


def _kind_choices():
    return [(k.kind, k.label) for k in timer_kinds()]


class TimerFilterSet(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(
        choices=[("mine", _("Mine")), ("team", _("Teams I manage"))],
        method="filter_scope",
        label=_("Whose"),
    )
    state = ChoicesFilter(choices=TimerState.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=_kind_choices, label=_("Kind"))
    team = django_filters.ModelChoiceFilter(queryset=filter_teams, label=_("Team"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner (user id)"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))
    due_soon = YesNoFilter(method="filter_due_soon", label=_("Due soon"))

    class Meta:
        model = Timer
        fields = ["scope", "state", "kind", "team", "owner", "overdue", "due_soon"]

    def filter_scope(self, queryset, name, value):
        user = self.request.user
        if value == "mine":
            return queryset.filter(owner_id=user.pk)
        if value == "team":
            return queryset.managed_by(user)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        if value:
            return queryset.overdue(now)
        return queryset.exclude(state=TimerState.OPEN, due_at__lte=now)

    def filter_due_soon(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.due_soon(timezone.now())

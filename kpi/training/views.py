"""Web pages of training (R-KPI-1): my training (the year's plans against the hours taken and
given), the team page for managers, the records' list (filtered by person and dates, what the
scorecards link to), and the create and edit forms. Every write calls
kpi/training/services.py; a plan or record outside the user's view is 404."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from kpi.models import TrainingPlan, TrainingRecord
from kpi.models.training import TrainingDirection
from kpi.training import services
from kpi.training.filtersets import TrainingRecordFilterSet
from kpi.training.forms import TrainingPlanForm, TrainingRecordForm
from kpi.training.selectors import hours_by_person, plans_for, records_for, sees_everyone
from kpi.training.tables import TrainingRecordTable
from presales.accounts.models import User
from presales.core.roles import PRESALES_ROLES, Role
from presales.web.views import (
    FilterFormMixin,
    ObjectFormView,
    RoleRequiredMixin,
    ScopedListView,
    ServiceFormMixin,
    VersionedFormMixin,
)

MANAGERS = frozenset({Role.PRESALES_MANAGER, Role.ADMIN, Role.GENERAL_MANAGER})
RECORDERS = frozenset({*PRESALES_ROLES, Role.ADMIN})


def _actor(request: Any) -> User:
    """The signed-in user (the base views and viewsets let no anonymous caller through)."""
    return cast(User, request.user)


def _year(request) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return timezone.localdate().year


class MyTrainingView(RoleRequiredMixin, TemplateView):
    """My plans for the year against the hours I took and gave (R-KPI-1)."""

    template_name = "kpi/training/my_training.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = _actor(self.request)
        year = _year(self.request)
        plans = list(TrainingPlan.objects.filter(person=user, year=year).order_by("title", "pk"))
        records = list(TrainingRecord.objects.filter(person=user, held_on__year=year).select_related("plan"))
        hours = hours_by_person([user.id], year)[user.id]
        context.update(
            year=year,
            previous_year=year - 1,
            next_year=year + 1,
            plans=plans,
            records=records,
            hours=hours,
            can_record=user.has_role(*RECORDERS),
            is_manager=user.has_role(*MANAGERS) or user.is_superuser,
        )
        return context


class TeamTrainingView(RoleRequiredMixin, TemplateView):
    """Each person of the manager's teams: planned hours against hours taken and given."""

    template_name = "kpi/training/team_training.html"
    required_roles = MANAGERS

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = _actor(self.request)
        year = _year(self.request)
        people = User.objects.filter(is_active=True).select_related("team").order_by("team__name", "username")
        if not sees_everyone(user):
            people = people.filter(team_id__in=list(user.team_ids))
        shown = list(people[:500])
        totals = hours_by_person([p.pk for p in shown], year)
        rows = [{"person": p, **totals[p.pk]} for p in shown]
        context.update(year=year, previous_year=year - 1, next_year=year + 1, rows=rows)
        return context


class TrainingRecordListView(FilterFormMixin, ScopedListView):
    """Training records the user sees: ``?person=&held_from=&held_until=`` (exclusive),
    ``year``, ``direction``."""

    model = TrainingRecord
    filterset_class = TrainingRecordFilterSet
    table_class = TrainingRecordTable
    template_name = "kpi/training/record_list.html"
    partial_template_name = "kpi/training/partials/record_table.html"

    def get_queryset(self):
        return records_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["total_hours"] = self.object_list.aggregate(total=Sum("hours"))["total"]
        return context


class _CreateView(RoleRequiredMixin, ServiceFormMixin, FormView):
    template_name = "kpi/training/form.html"
    required_roles = RECORDERS
    title: Any = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "title": self.title,
            "cancel_url": reverse("kpi:training:mine"),
        }

    def get_success_url_for(self, result) -> str:
        return reverse("kpi:training:mine") + f"?year={getattr(result, 'year', None) or result.held_on.year}"


class TrainingPlanCreateView(_CreateView):
    form_class = TrainingPlanForm
    title = cast(str, _("New training plan"))

    def get_initial(self):
        return {"year": _year(self.request)}

    def run_service(self, form):
        return services.training_plan_create(actor=_actor(self.request), data=_data(form))


class TrainingRecordCreateView(_CreateView):
    form_class = TrainingRecordForm
    title = cast(str, _("New training record"))

    def get_initial(self):
        return {
            "held_on": timezone.localdate(),
            "direction": self.request.GET.get("direction") or TrainingDirection.TAKEN,
        }

    def run_service(self, form):
        return services.training_record_create(actor=_actor(self.request), data=_data(form))


def _data(form) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    if data.get("person") is None:
        data.pop("person", None)
    return data


class _EditView(VersionedFormMixin, ObjectFormView):
    template_name = "kpi/training/form.html"
    model_form = True

    def get_queryset(self):
        raise NotImplementedError

    def can_change(self, obj) -> bool:
        return services.can_record_for(self.request.user, obj.person)

    def form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # ObjectFormView's own context links back to the object's page; plans and records
        # have none (they live on the "my training" page).
        context = super(ObjectFormView, self).get_context_data(**kwargs)
        context.update(
            title=self.title, submit_label=self.submit_label, cancel_url=reverse("kpi:training:mine")
        )
        return context

    def get_success_url_for(self, result) -> str:
        return reverse("kpi:training:mine")


class TrainingPlanEditView(_EditView):
    form_class = TrainingPlanForm
    title = cast(str, _("Edit the training plan"))

    def get_queryset(self):
        return plans_for(self.request.user)

    def run_service(self, form):
        return services.training_plan_update(
            actor=_actor(self.request),
            plan=self.object,
            data=_data(form),
            expected_version=self.expected_version(form),
        )


class TrainingRecordEditView(_EditView):
    form_class = TrainingRecordForm
    title = cast(str, _("Edit the training record"))

    def get_queryset(self):
        return records_for(self.request.user)

    def run_service(self, form):
        return services.training_record_update(
            actor=_actor(self.request),
            record=self.object,
            data=_data(form),
            expected_version=self.expected_version(form),
        )

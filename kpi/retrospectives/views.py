"""Web pages of retrospectives (R-POST-2): the scoped list, and the edit, hold and consent forms
(the desk tab on the opportunity page shows the retrospective and links here). Every write
calls kpi/retrospectives/services.py."""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi.models import Retrospective
from kpi.retrospectives import services
from kpi.retrospectives.filtersets import RetrospectiveFilterSet
from kpi.retrospectives.forms import ConsentForm, HoldForm, RetrospectiveForm
from kpi.retrospectives.selectors import retrospectives_for
from kpi.retrospectives.tables import RetrospectiveTable
from presales.accounts.models import User
from presales.web.views import ListPageMixin, ObjectFormView, ScopedListView, VersionedFormMixin


def _actor(request: Any) -> User:
    """The signed-in user (the base views and viewsets let no anonymous caller through)."""
    return cast(User, request.user)


class RetrospectiveListView(ListPageMixin, ScopedListView):
    """Retrospectives of the opportunities the user sees; filters outcome, status, period,
    presales owner, closing dates."""

    model = Retrospective
    filterset_class = RetrospectiveFilterSet
    table_class = RetrospectiveTable
    template_name = "kpi/retrospectives/retrospective_list.html"
    partial_template_name = "kpi/retrospectives/partials/retrospective_table.html"

    def get_queryset(self):
        return retrospectives_for(self.request.user)


class _RetrospectiveFormView(ObjectFormView):
    model = Retrospective
    queryset = Retrospective.objects.select_related("opportunity")

    def can_change(self, obj) -> bool:
        return services.can_work_retrospective(self.request.user, obj)


class RetrospectiveEditView(VersionedFormMixin, _RetrospectiveFormView):
    form_class = RetrospectiveForm
    model_form = True
    title = cast(str, _("Edit the retrospective"))

    def run_service(self, form):
        data = {
            name: form.cleaned_data[name]
            for name in services.EDIT_FIELDS
            if name in form.cleaned_data and name in form.fields
        }
        return services.retrospective_update(
            actor=_actor(self.request),
            retrospective=self.object,
            data=data,
            attendees=form.cleaned_data["attendees"],
            expected_version=self.expected_version(form),
        )


class RetrospectiveHoldView(_RetrospectiveFormView):
    form_class = HoldForm
    title = cast(str, _("Record the retrospective as held"))
    submit_label = _("Held")

    def get_initial(self):
        return {"held_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocked_reasons"] = services.hold_reasons(self.object)
        return context

    def run_service(self, form):
        return services.retrospective_hold(
            actor=_actor(self.request), retrospective=self.object, held_on=form.cleaned_data["held_on"]
        )


class RetrospectiveConsentView(_RetrospectiveFormView):
    form_class = ConsentForm
    title = cast(str, _("The customer's consent to the success case"))

    def get_initial(self):
        return {
            "consent": self.object.customer_consent,
            "note": self.object.consent_note,
            "summary": self.object.success_case_summary,
        }

    def run_service(self, form):
        return services.retrospective_record_consent(
            actor=_actor(self.request),
            retrospective=self.object,
            consent=form.cleaned_data["consent"],
            note=form.cleaned_data["note"],
            summary=form.cleaned_data["summary"],
        )

"""Web views of the customer relationship (issue 14): the tier suggestion's apply action
(R-CUST-4), visit plans and "My visits" (R-CUST-7), a contact's erasure (R-CUST-8)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from leads import erasure, services, visits
from leads.choices import VisitStatus
from leads.forms import ContactEraseForm, VisitCancelForm, VisitDoneForm, VisitPlanForm
from leads.models import Contact, Customer, VisitPlan
from presales.web.views import ObjectFormView, RoleRequiredMixin, ScopedQuerysetMixin

MY_VISITS_PAGE = 50


class _CustomerAction(ObjectFormView):
    model = Customer
    context_object_name = "customer"

    def can_change(self, customer) -> bool:
        return customer.merged_into_id is None and services.can_edit_customer(self.request.user, customer)


class CustomerApplyTierView(_CustomerAction):
    """R-CUST-4: take the suggested tier."""

    form_class = forms.Form
    title = gettext_lazy("Apply the suggested tier")
    submit_label = gettext_lazy("Apply")
    success_message = gettext_lazy("Tier updated.")

    def run_service(self, form):
        return services.customer_apply_suggested_tier(actor=self.request.user, customer=self.object)


class VisitPlanCreateView(_CustomerAction):
    """R-CUST-7: plan a visit to the customer."""

    form_class = VisitPlanForm
    title = gettext_lazy("Plan a visit")
    success_message = gettext_lazy("Visit planned.")

    def form_kwargs(self):
        return {"customer": self.object}

    def run_service(self, form):
        return visits.visit_plan_create(
            actor=self.request.user, customer=self.object, data=form.service_data()
        )


class _VisitAction(ObjectFormView):
    model = VisitPlan
    context_object_name = "visit"

    def get_queryset(self):
        return super().get_queryset().select_related("customer")

    def can_change(self, plan) -> bool:
        return plan.status == VisitStatus.PLANNED and (
            plan.planner_id == self.request.user.pk
            or services.can_edit_customer(self.request.user, plan.customer)
        )


class VisitPlanDoneView(_VisitAction):
    """R-CUST-7: the visit was held; it becomes a communication record."""

    form_class = VisitDoneForm
    title = gettext_lazy("Visit held")
    success_message = gettext_lazy("Visit recorded.")

    def run_service(self, form):
        return visits.visit_plan_done(
            actor=self.request.user, plan=self.object, outcome=form.cleaned_data["outcome"]
        )


class VisitPlanCancelView(_VisitAction):
    form_class = VisitCancelForm
    title = gettext_lazy("Cancel the visit")
    submit_label = gettext_lazy("Cancel the visit")
    success_message = gettext_lazy("Visit cancelled.")

    def run_service(self, form):
        return visits.visit_plan_cancel(
            actor=self.request.user, plan=self.object, reason=form.cleaned_data["reason"]
        )


class MyVisitsView(RoleRequiredMixin, ScopedQuerysetMixin, ListView):
    """R-CUST-7: the visits I plan or take part in, the coming ones first."""

    model = VisitPlan
    template_name = "leads/my_visits.html"
    context_object_name = "visits"
    paginate_by = MY_VISITS_PAGE

    def get_queryset(self):
        user = self.request.user
        taking_part = VisitPlan.participants.through.objects.filter(user_id=user.pk).values("visitplan_id")
        return (
            super()
            .get_queryset()
            .filter(Q(planner=user) | Q(pk__in=taking_part))
            .select_related("customer", "planner")
            .order_by("-planned_at", "-id")
        )


class ContactEraseView(ObjectFormView):
    """R-CUST-8: erase the person's details on request (administrators only: 403 otherwise)."""

    model = Contact
    context_object_name = "contact"
    form_class = ContactEraseForm
    title = gettext_lazy("Erase personal data")
    submit_label = gettext_lazy("Erase for good")
    success_message = gettext_lazy("The contact's personal data was erased.")
    template_name = "leads/contact_erase.html"

    def get_queryset(self):
        return super().get_queryset().select_related("customer")

    def can_change(self, contact) -> bool:
        return erasure.can_erase(self.request.user) and contact.erased_at is None

    def run_service(self, form):
        erasure.contact_erase(contact=self.object, actor=self.request.user, **form.service_data())
        return self.object.customer

"""Web pages for leads, customers, contacts and communications (R-LEAD-1..4, R-CUST-1..6, R-COMM-1).

Views declare their queryset, form, filterset and table and call one service. Visibility is
applied by the base views (presales/web/views.py: out of scope is 404), reads across relations
come from leads/selectors.py, and a DomainError from a service becomes form errors.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView

from leads import selectors, services
from leads.filtersets import CustomerFilterSet, LeadFilterSet
from leads.forms import (
    CommunicationForm,
    ContactForm,
    CustomerForm,
    CustomerMergeForm,
    DisqualifyForm,
    DuplicateDecisionForm,
    FirstContactForm,
    LeadForm,
    LeadMergeForm,
    PresalesForm,
)
from leads.models import Contact, Customer, Lead, MergeRecord
from leads.tables import CustomerTable, LeadTable
from leads.transitions import LEAD_MACHINE, can_work_lead
from presales.core.errors import Conflict, DomainError
from presales.core.windows import more_url, parse_time
from presales.exports.views import ExportView
from presales.web.views import (
    CreatePageMixin,
    ListPageMixin,
    ObjectFormView,
    RoleRequiredMixin,
    ScopedListView,
    ScopedQuerysetMixin,
    ServiceFormMixin,
    TimelineWindowView,
    VersionedFormMixin,
    WriterRequiredMixin,
)

# --- leads ---------------------------------------------------------------------------------


class LeadQuerysetMixin:
    model = Lead
    filterset_class = LeadFilterSet

    def get_queryset(self):
        return selectors.leads_for_list(super().get_queryset(), self.request.user)


class LeadListView(LeadQuerysetMixin, ListPageMixin, ScopedListView):
    """Filters, sortable table, pagination; htmx swaps only the table partial."""

    table_class = LeadTable
    template_name = "leads/lead_list.html"
    partial_template_name = "leads/partials/lead_table.html"


class LeadExportView(ExportView):
    """CSV of the filtered, visible leads, masked per row and logged (R-CUST-6): leads/exports.py."""

    resource = "leads"
    list_url_name = "leads:lead_list"


class LeadDetailView(RoleRequiredMixin, ScopedQuerysetMixin, DetailView):
    """All facts, the first-contact deadline, next moves with reasons, timeline, history."""

    model = Lead

    def get_queryset(self):
        return selectors.lead_for_detail(super().get_queryset(), self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.lead_page(self.object, self.request.user))
        return context


class LeadCommunicationsView(TimelineWindowView):
    """The next window of the lead's communications (issue 9)."""

    model = Lead
    template_name = "leads/partials/communication_items.html"

    def window_context(self, obj, before):
        window = selectors.lead_communications(obj, before)
        url = reverse("leads:lead_communications", args=[obj.pk])
        return {"communications": window.items, "more_url": more_url(url, window.older)}


class LeadHistoryView(TimelineWindowView):
    """The next window of the lead's audit trail (issue 9), masked as the page is."""

    model = Lead
    template_name = "includes/history_items.html"

    def get_queryset(self):
        return super().get_queryset().with_contact_access(self.request.user)

    def window_context(self, obj, before):
        page = selectors.lead_history(obj, access=obj.contact_access, before=parse_time(before))
        url = reverse("leads:lead_history", args=[obj.pk])
        return {"entries": page.entries, "more_url": more_url(url, page.older)}


class DuplicatesFound(Exception):
    """Intake matched existing records (R-LEAD-2): the page shows them instead of an error."""

    def __init__(self, message: str, duplicates: dict, *, reason_missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.duplicates = duplicates
        self.reason_missing = reason_missing


class LeadCreateView(WriterRequiredMixin, CreatePageMixin, ServiceFormMixin, FormView):
    """R-LEAD-1 intake. Duplicates (R-LEAD-2) re-render the form with the matches and offer
    "merge into this lead" (visible open leads) or "create anyway"."""

    form_class = LeadForm
    template_name = "leads/lead_form.html"
    title = gettext_lazy("New lead")
    submit_label = gettext_lazy("Create lead")
    cancel_url_name = "leads:lead_list"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def run_service(self, form):
        decision = DuplicateDecisionForm(self.request.POST, user=self.request.user)
        if not decision.is_valid():
            raise DomainError(fields=decision.errors)
        target = decision.cleaned_data["merge_into"]
        if target is not None:
            self.success_message = _("The new lead was merged into the existing lead.")
            return services.lead_intake_merge(
                actor=self.request.user, data=form.service_data(), target=target
            )
        self.success_message = _("Lead created.")
        reason = decision.cleaned_data["duplicate_override_reason"].strip()
        # "Create anyway" without a reason is not a confirmation (R-LEAD-2): the matches are
        # shown again with the reason asked for.
        reason_missing = decision.cleaned_data["allow_duplicate"] and not reason
        try:
            return services.lead_create(
                actor=self.request.user,
                data=form.service_data(),
                allow_duplicate=decision.cleaned_data["allow_duplicate"] and bool(reason),
                duplicate_reason=reason,
            )
        except Conflict as exc:
            if exc.code != "duplicate":
                raise
            raise DuplicatesFound(
                exc.message, exc.extra.get("duplicates", {}), reason_missing=reason_missing
            ) from exc

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DuplicatesFound as found:
            context = self.get_context_data(
                form=form,
                duplicates=found.duplicates,
                duplicate_message=found.message,
                duplicate_reason=self.request.POST.get("duplicate_override_reason", ""),
                duplicate_reason_missing=found.reason_missing,
            )
            return self.render_to_response(context)

    def get_success_url_for(self, result) -> str:
        if isinstance(result, MergeRecord):
            return reverse("leads:lead_detail", args=[result.target_id])
        return result.get_absolute_url()


class LeadObjectView(ObjectFormView):
    model = Lead
    context_object_name = "lead"

    def can_change(self, lead) -> bool:
        return can_work_lead(self.request.user, lead)


class LeadEditView(VersionedFormMixin, LeadObjectView):
    form_class = LeadForm
    model_form = True
    template_name = "leads/lead_form.html"
    title = gettext_lazy("Edit lead")
    success_message = gettext_lazy("Lead saved.")

    def form_kwargs(self):
        return {"user": self.request.user}

    def run_service(self, form):
        return services.lead_update(
            actor=self.request.user,
            lead=self.object,
            data=form.service_data(),
            expected_version=self.expected_version(form),
        )


class LeadMoveView(LeadObjectView):
    """A lifecycle move with its form. The page lists what blocks the move (other than
    the form's own input); the service runs the full gate when the form is sent."""

    move = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocked_reasons"] = LEAD_MACHINE.reasons(
            self.object, self.request.user, self.move, with_input=False
        )
        return context


class LeadFirstContactView(LeadMoveView):
    """R-LEAD-3: record the first contact; corrections to the contact facts go to the lead."""

    move = "record_first_contact"
    form_class = FirstContactForm
    template_name = "leads/lead_first_contact.html"
    title = gettext_lazy("Record the first contact")
    submit_label = gettext_lazy("Record first contact")
    success_message = gettext_lazy("First contact recorded.")

    def form_kwargs(self):
        return {"lead": self.object, "user": self.request.user}

    def run_service(self, form):
        return services.lead_record_first_contact(
            actor=self.request.user, lead=self.object, data=form.service_data()
        )

    def get_success_url_for(self, result) -> str:
        return self.object.get_absolute_url()


class LeadDisqualifyView(LeadMoveView):
    """R-LEAD-4: disqualify with a reason."""

    move = "disqualify"
    form_class = DisqualifyForm
    title = gettext_lazy("Disqualify the lead")
    submit_label = gettext_lazy("Disqualify")
    success_message = gettext_lazy("Lead disqualified.")

    def run_service(self, form):
        return services.lead_disqualify(
            actor=self.request.user,
            lead=self.object,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )


class LeadMergeView(LeadMoveView):
    """R-LEAD-2: merge this lead into another open lead."""

    move = "merge"
    form_class = LeadMergeForm
    title = gettext_lazy("Merge the lead")
    submit_label = gettext_lazy("Merge")
    success_message = gettext_lazy("Lead merged.")

    def form_kwargs(self):
        return {"lead": self.object, "user": self.request.user}

    def run_service(self, form):
        return services.lead_merge(
            actor=self.request.user, source=self.object, target=form.cleaned_data["target"]
        )

    def get_success_url_for(self, record) -> str:
        return reverse("leads:lead_detail", args=[record.target_id])


class LeadCommunicationCreateView(LeadObjectView):
    """R-COMM-1 on a lead."""

    form_class = CommunicationForm
    template_name = "leads/communication_form.html"
    title = gettext_lazy("Add a communication")
    success_message = gettext_lazy("Communication recorded.")

    def form_kwargs(self):
        return {"customer": self.object.customer}

    def run_service(self, form):
        return services.communication_create(
            actor=self.request.user, lead=self.object, data=form.service_data()
        )

    def get_success_url_for(self, record) -> str:
        return self.object.get_absolute_url()


# --- customers -----------------------------------------------------------------------------


class CustomerListView(ListPageMixin, ScopedListView):
    model = Customer
    filterset_class = CustomerFilterSet
    table_class = CustomerTable
    template_name = "leads/customer_list.html"
    partial_template_name = "leads/partials/customer_table.html"

    def get_queryset(self):
        return selectors.customers_for_list(super().get_queryset(), self.request.user)


class CustomerExportView(ExportView):
    """CSV of the filtered, visible customers, contacts masked per row and logged (R-CUST-6)."""

    resource = "customers"
    list_url_name = "leads:customer_list"


class CustomerDetailView(RoleRequiredMixin, ScopedQuerysetMixin, DetailView):
    """Facts, grade, presales, contacts (masked without access), timeline, leads, merges, history."""

    model = Customer

    def get_queryset(self):
        return selectors.customer_for_detail(super().get_queryset(), self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.customer_page(self.object, self.request.user))
        context["assignments"] = self.object.presales_assignments.all()
        context["presales_form"] = PresalesForm()
        return context


class CustomerCommunicationsView(TimelineWindowView):
    """The next window of the customer's communications (issue 9)."""

    model = Customer
    template_name = "leads/partials/communication_items.html"

    def window_context(self, obj, before):
        window = selectors.customer_communications(obj, before)
        url = reverse("leads:customer_communications", args=[obj.pk])
        return {"communications": window.items, "more_url": more_url(url, window.older), "show_subject": True}


class CustomerHistoryView(TimelineWindowView):
    """The next window of the customer's audit trail (issue 9), masked as the page is."""

    model = Customer
    template_name = "includes/history_items.html"

    def get_queryset(self):
        return super().get_queryset().with_contact_access(self.request.user)

    def window_context(self, obj, before):
        page = selectors.customer_history(obj, access=obj.contact_access, before=parse_time(before))
        url = reverse("leads:customer_history", args=[obj.pk])
        return {"entries": page.entries, "more_url": more_url(url, page.older)}


class CustomerCreateView(WriterRequiredMixin, CreatePageMixin, ServiceFormMixin, FormView):
    form_class = CustomerForm
    template_name = "leads/customer_form.html"
    title = gettext_lazy("New customer")
    submit_label = gettext_lazy("Create customer")
    cancel_url_name = "leads:customer_list"
    success_message = gettext_lazy("Customer created.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def run_service(self, form):
        return services.customer_create(
            actor=self.request.user,
            data=form.service_data(),
            need_tags=form.need_tags(),
            primary_presales=form.cleaned_data["primary_presales"],
        )


class CustomerObjectView(ObjectFormView):
    model = Customer
    context_object_name = "customer"

    def can_change(self, customer) -> bool:
        return customer.merged_into_id is None and services.can_edit_customer(self.request.user, customer)


class CustomerEditView(VersionedFormMixin, CustomerObjectView):
    form_class = CustomerForm
    model_form = True
    title = gettext_lazy("Edit customer")
    template_name = "leads/customer_form.html"
    success_message = gettext_lazy("Customer saved.")

    def form_kwargs(self):
        return {"user": self.request.user}

    def run_service(self, form):
        return services.customer_update(
            actor=self.request.user,
            customer=self.object,
            data=form.service_data(),
            need_tags=form.need_tags(),
            expected_version=self.expected_version(form),
        )


class CustomerMergeView(CustomerObjectView):
    """R-LEAD-2: merge this duplicate customer into another one."""

    form_class = CustomerMergeForm
    title = gettext_lazy("Merge the customer")
    submit_label = gettext_lazy("Merge")
    success_message = gettext_lazy("Customer merged.")

    def form_kwargs(self):
        return {"customer": self.object, "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = _(
            "Contacts, communications, leads, presales assistants and need tags move to the chosen "
            "customer; this customer stays as a pointer to it."
        )
        return context

    def run_service(self, form):
        return services.customer_merge(
            actor=self.request.user, source=self.object, target=form.cleaned_data["target"]
        )

    def get_success_url_for(self, record) -> str:
        return reverse("leads:customer_detail", args=[record.target_id])


class CustomerPresalesView(CustomerObjectView):
    """R-CUST-5 panel (htmx): name the primary presales engineer, add or remove assistants."""

    form_class = PresalesForm
    http_method_names = ["post"]
    partial_template_name = "leads/partials/customer_presales.html"

    SERVICES = {
        PresalesForm.PRIMARY: services.customer_set_primary_presales,
        PresalesForm.ASSIST: services.customer_add_assistant,
        PresalesForm.REMOVE: services.customer_remove_presales,
    }

    def form_valid(self, form):
        service = self.SERVICES[form.cleaned_data["action"]]
        try:
            service(actor=self.request.user, customer=self.object, user=form.cleaned_data["user"])
        except DomainError as exc:
            return self.respond([exc.message, *exc.reasons])
        return self.respond([])

    def form_invalid(self, form):
        return self.respond([str(e) for errors in form.errors.values() for e in errors])

    def respond(self, errors: list[str]):
        if not self.request.htmx:
            for error in errors:
                messages.error(self.request, error)
            return HttpResponseRedirect(self.object.get_absolute_url())
        context = {
            "customer": self.object,
            "assignments": selectors.customer_presales(self.object),
            "presales_form": PresalesForm(),
            "can_edit": True,
            "presales_errors": errors,
        }
        return render(self.request, self.partial_template_name, context)


class CustomerCommunicationCreateView(CustomerObjectView):
    """R-COMM-1 on a customer: time, channel, participants, key points, feedback, next step."""

    form_class = CommunicationForm
    template_name = "leads/communication_form.html"
    title = gettext_lazy("Add a communication")
    success_message = gettext_lazy("Communication recorded.")

    def form_kwargs(self):
        return {"customer": self.object}

    def run_service(self, form):
        return services.communication_create(
            actor=self.request.user, customer=self.object, data=form.service_data()
        )

    def get_success_url_for(self, record) -> str:
        return self.object.get_absolute_url()


class ContactCreateView(CustomerObjectView):
    form_class = ContactForm
    title = gettext_lazy("Add a contact")
    success_message = gettext_lazy("Contact saved.")

    def run_service(self, form):
        return services.contact_create(
            actor=self.request.user, customer=self.object, data=form.service_data()
        )


class ContactObjectView(ObjectFormView):
    model = Contact
    context_object_name = "contact"

    def get_queryset(self):
        return super().get_queryset().select_related("customer")

    def can_change(self, contact) -> bool:
        customer = contact.customer
        return customer.merged_into_id is None and services.can_edit_customer(self.request.user, customer)


class ContactEditView(VersionedFormMixin, ContactObjectView):
    form_class = ContactForm
    model_form = True
    title = gettext_lazy("Edit contact")
    success_message = gettext_lazy("Contact saved.")

    def form_kwargs(self):
        return {"user": self.request.user}

    def run_service(self, form):
        return services.contact_update(
            actor=self.request.user,
            contact=self.object,
            data=form.service_data(),
            expected_version=self.expected_version(form),
        )


class ContactDeleteView(ContactObjectView):
    form_class = forms.Form
    template_name = "leads/contact_confirm_delete.html"
    title = gettext_lazy("Delete contact")
    submit_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Contact deleted.")

    def run_service(self, form):
        customer = self.object.customer
        services.contact_delete(actor=self.request.user, contact=self.object)
        return customer

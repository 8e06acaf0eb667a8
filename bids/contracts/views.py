"""The contract's desk actions (R-SOL-6, R-CON-2..4): thin POST views calling the services;
a refusal shows its reasons as messages. Another team's opportunity is 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from bids.contracts import services
from bids.contracts.forms import (
    ConfirmChangeForm,
    LineDeleteForm,
    LineForm,
    MinuteForm,
    ScanForm,
    SignForm,
    TermsForm,
)
from bids.models import ClauseChange, Contract, ContractLine
from opportunities.models import Opportunity
from opportunities.permissions import can_work_opportunity
from presales.core.errors import DomainError
from presales.core.uploads import serve_download
from presales.web.views import ObjectFormView, RoleRequiredMixin, VersionedFormMixin, WriterRequiredMixin

ACTIONS = ("create", "submit", "sign", "scan")


class ContractScanView(RoleRequiredMixin, View):
    """The signed scan (R-CON-4), for whoever sees the opportunity: always a download, logged
    (presales/core/uploads.py); another team's contract is 404."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
        if not contract.signed_scan:
            raise Http404
        extension = contract.signed_scan.name.rsplit(".", 1)[-1]
        name = f"contract-{contract.pk}-signed.{extension}"
        return serve_download(request, obj=contract, field_file=contract.signed_scan, filename=name)


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


class ContractActionView(WriterRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, opportunity_pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_pk)
        back = HttpResponseRedirect(opportunity.get_absolute_url() + "#contract")
        try:
            if action == "create":
                services.contract_create(actor=request.user, opportunity=opportunity)
                messages.success(request, _("The contract was drawn from the accepted version."))
                return back
            contract = get_object_or_404(Contract, opportunity=opportunity)
            if action == "submit":
                services.contract_submit(actor=request.user, contract=contract)
                messages.success(request, _("The contract was sent for approval."))
            elif action == "sign":
                form = SignForm(request.POST)
                if not form.is_valid():
                    for errors in form.errors.values():
                        for error in errors:
                            messages.error(request, error)
                    return back
                services.contract_sign(actor=request.user, contract=contract, data=form.cleaned_data)
                messages.success(request, _("The signing was recorded."))
            else:
                form = ScanForm(request.POST, request.FILES)
                if not form.is_valid():
                    for errors in form.errors.values():
                        for error in errors:
                            messages.error(request, error)
                    return back
                services.contract_record_scan(
                    actor=request.user,
                    contract=contract,
                    scan=form.cleaned_data["signed_scan"],
                    archive_location=form.cleaned_data["archive_location"],
                )
                messages.success(request, _("The signed scan was archived."))
        except DomainError as exc:
            _refused(request, exc)
        return back


class ContractObjectView(ObjectFormView):
    """A form about a contract (or one of its records) on the desk: whoever may work on the
    opportunity; the service checks again. Back to the desk's contract section."""

    model = Contract

    def contract_of(self, obj) -> Contract:
        return obj if isinstance(obj, Contract) else obj.contract

    def can_change(self, obj) -> bool:
        return can_work_opportunity(self.request.user, self.contract_of(obj).opportunity)

    def get_success_url_for(self, result) -> str:
        return self.contract_of(self.object).get_absolute_url()


class ContractTermsView(VersionedFormMixin, ContractObjectView):
    """R-CON-1: edit the terms on the desk; a change during approval waits for the customer's
    confirmation (R-CON-5), a change to an approved contract sends it back to draft (R-REV-5)."""

    form_class = TermsForm
    model_form = True
    title = gettext_lazy("Edit the contract's terms")
    success_message = gettext_lazy("The terms were saved.")

    def run_service(self, form):
        return services.contract_update(
            actor=self.request.user,
            contract=self.object,
            data=form.service_data(),
            expected_version=self.expected_version(form),
        )


class ContractLineAddView(ContractObjectView):
    """A line the quote did not have (R-CON-2: a difference to explain)."""

    form_class = LineForm
    title = gettext_lazy("Add a contract line")
    success_message = gettext_lazy("The line was added.")

    def run_service(self, form):
        return services.contract_line_add(
            actor=self.request.user, contract=self.object, data=form.service_data()
        )


class ContractLineEditView(VersionedFormMixin, ContractObjectView):
    model = ContractLine
    form_class = LineForm
    model_form = True
    title = gettext_lazy("Edit the contract line")
    success_message = gettext_lazy("The line was saved.")

    def run_service(self, form):
        return services.contract_line_update(
            actor=self.request.user,
            line=self.object,
            data=form.service_data(),
            expected_version=self.expected_version(form),
        )


class ContractLineDeleteView(VersionedFormMixin, ContractObjectView):
    """R-CON-2: delete a line; a line of the accepted quote needs the reason it is dropped."""

    model = ContractLine
    form_class = LineDeleteForm
    title = gettext_lazy("Delete the contract line")
    submit_label = gettext_lazy("Delete")
    success_message = gettext_lazy("The line was deleted.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = _("Delete “%(item)s” (%(amount)s) from the contract.") % {
            "item": self.object.item,
            "amount": self.object.price_incl,
        }
        return context

    def run_service(self, form):
        return services.contract_line_delete(
            actor=self.request.user,
            line=self.object,
            explanation=form.cleaned_data["explanation"],
            expected_version=self.expected_version(form),
        )


class NegotiationMinuteView(VersionedFormMixin, ContractObjectView):
    """R-CON-5: record a negotiation's minutes with the terms it changed."""

    form_class = MinuteForm
    title = gettext_lazy("Record negotiation minutes")
    submit_label = gettext_lazy("Record")
    success_message = gettext_lazy("The minutes were recorded.")

    def form_kwargs(self) -> dict:
        return {"contract": self.object}

    def run_service(self, form):
        return services.negotiation_minute_record(
            actor=self.request.user,
            contract=self.object,
            data=form.minute_data(),
            terms=form.terms(),
            expected_version=self.expected_version(form),
        )


class ClauseChangeConfirmView(ContractObjectView):
    """R-CON-5: record the customer's confirmation of a term changed during approval."""

    model = ClauseChange
    form_class = ConfirmChangeForm
    title = gettext_lazy("Confirm the change with the customer")
    submit_label = gettext_lazy("Record the confirmation")
    success_message = gettext_lazy("The customer's confirmation was recorded.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = _("%(term)s: “%(before)s” → “%(after)s”") % {
            "term": self.object.label,
            "before": self.object.before,
            "after": self.object.after,
        }
        return context

    def run_service(self, form):
        return services.clause_change_confirm(
            actor=self.request.user,
            change=self.object,
            customer_confirmed_by=form.cleaned_data["customer_confirmed_by"],
            customer_confirmed_on=form.cleaned_data["customer_confirmed_on"],
        )

"""The contract's desk actions (R-SOL-6, R-CON-2..4): thin POST views calling the services;
a refusal shows its reasons as messages. Another team's opportunity is 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from bids.contracts import services
from bids.contracts.forms import ScanForm, SignForm
from bids.models import Contract
from opportunities.models import Opportunity
from presales.core.errors import DomainError
from presales.core.uploads import serve_download
from presales.web.views import RoleRequiredMixin, WriterRequiredMixin

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

"""Web views of payment collection (R-PAY-1): the desk's actions (thin POST views calling
the services; a refusal shows its reasons as messages; another team's opportunity is 404)
and the receivables page with its CSV export."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from bids.models import Contract, PaymentInstalment, PaymentReceipt
from bids.payments import selectors, services
from bids.payments.forms import (
    DueDateForm,
    EventForm,
    InstalmentForm,
    ReceiptForm,
    ReceivablesFilter,
    ReverseForm,
)
from opportunities.models import Opportunity
from presales.core.csvfile import write_csv
from presales.core.errors import DomainError
from presales.exports.views import csv_response
from presales.web.views import RoleRequiredMixin, WriterRequiredMixin

ACTIONS = ("add", "update", "delete", "rebuild", "event", "due", "receipt", "reverse")
PAGE_SIZE = 25
CSV_LIMIT = 10_000


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


class PaymentActionView(WriterRequiredMixin, View):
    """POST /bids/opportunity/<id>/payments/<action>/ (the desk's forms)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, opportunity_pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_pk)
        contract = get_object_or_404(Contract, opportunity=opportunity)
        back = HttpResponseRedirect(opportunity.get_absolute_url() + "#payments")
        try:
            done = self.run(request, action, contract)
        except DomainError as exc:
            _refused(request, exc)
            return back
        if done:
            messages.success(request, done)
        return back

    def _instalment(self, request: HttpRequest, contract: Contract) -> PaymentInstalment:
        pk = request.POST.get("instalment", "")
        if not pk.isdigit():
            raise Http404
        return get_object_or_404(PaymentInstalment, pk=int(pk), plan__contract=contract)

    def run(self, request: HttpRequest, action: str, contract: Contract) -> str | None:
        actor = request.user
        if action == "rebuild":
            services.plan_rebuild(actor=actor, contract=contract)
            return _("The payment plan was made again from the payment terms.")
        if action == "delete":
            services.instalment_delete(actor=actor, instalment=self._instalment(request, contract))
            return _("The instalment was removed.")
        if action == "reverse":
            receipt = get_object_or_404(
                PaymentReceipt, pk=request.POST.get("receipt") or 0, instalment__plan__contract=contract
            )
            form: Any = ReverseForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.receipt_reverse(actor=actor, receipt=receipt, reason=form.cleaned_data["reason"])
            return _("The receipt was reversed.")
        if action == "event":
            form = EventForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return None
            count = services.plan_record_event(actor=actor, contract=contract, **form.cleaned_data)
            return _("%(count)s instalment(s) are now due.") % {"count": count}
        if action == "add":
            form = InstalmentForm(request.POST, prefix="new")
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.instalment_add(actor=actor, contract=contract, data=form.data_for_service())
            return _("The instalment was added.")
        instalment = self._instalment(request, contract)
        if action == "update":
            form = InstalmentForm(request.POST, prefix=f"i{instalment.pk}")
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.instalment_update(
                actor=actor,
                instalment=instalment,
                data=form.data_for_service(),
                expected_version=_version(request),
            )
            return _("The instalment was saved.")
        if action == "due":
            form = DueDateForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.instalment_update(
                actor=actor, instalment=instalment, data=form.cleaned_data, expected_version=_version(request)
            )
            return _("The due date was moved.")
        form = ReceiptForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return None
        services.receipt_record(actor=actor, instalment=instalment, data=form.cleaned_data)
        return _("The receipt was recorded.")


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


class ReceivablesView(RoleRequiredMixin, TemplateView):
    """/bids/receivables/: what the visible signed contracts still owe, grouped by contract,
    customer, sales owner or team, with ageing buckets (R-PAY-1). ``?format=csv`` exports
    the grouping as filtered (formulas neutralised, presales/core/csvfile.py)."""

    template_name = "bids/payments/receivables.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = ReceivablesFilter(
            request.GET or None,
            queryset=selectors.receivable_instalments(request.user),
            request=request,
        )
        if filterset.is_bound and not filterset.is_valid():
            rows = selectors.receivable_instalments(request.user).none()
        else:
            rows = filterset.qs
        group = filterset.grouping
        table = selectors.receivables(rows, group=group)
        if request.GET.get("format") == "csv":
            return self.csv(group, table)
        page = Paginator(table, PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page.object_list:
            row["label"] = selectors.row_label(group, row)
            row["key"] = selectors.row_key(group, row)
        query = request.GET.copy()
        query.pop("page", None)
        context = self.get_context_data(
            filter=filterset,
            group=group,
            page=page,
            buckets=selectors.BUCKETS,
            query=query.urlencode(),
        )
        return self.render_to_response(context)

    def csv(self, group: str, table) -> HttpResponse:
        header = [
            _("Group"),
            _("Currency"),
            _("Amount"),
            _("Received"),
            _("Outstanding"),
            _("Not yet due"),
            *[label for _key, label, _low, _high in selectors.BUCKETS],
        ]
        buffer = io.StringIO()
        write_csv(
            buffer,
            header,
            (
                [
                    selectors.row_label(group, row),
                    row["plan__contract__currency"],
                    *[row[name] for name in selectors.FIGURES],
                ]
                for row in table[:CSV_LIMIT]
            ),
        )
        return csv_response(buffer.getvalue(), f"receivables-{group}")

"""The desk's actions of the tenders area (R-BID-1, R-BID-2, R-BID-4, R-BID-5, R-REV-3).
Thin: each posted form is checked, then its service is called; a refusal shows its reasons
as messages on the opportunity page (the bids tab)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from bids.models import Bid, Tender, TenderDocument
from bids.tenders import forms, services
from opportunities.models import Opportunity
from opportunities.permissions import can_work_opportunity
from presales.core.errors import DomainError
from presales.web.views import WriterRequiredMixin


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _refused(request, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


class TenderActionView(WriterRequiredMixin, View):
    """POST /bids/opportunity/<pk>/<action>/: one form of the bids tab."""

    FORMS = {
        "decision": forms.DecisionForm,
        "decide": forms.DecideForm,
        "tender": forms.TenderForm,
        "document": forms.DocumentForm,
        "bid": forms.BidForm,
        "submit": None,
        "seal": None,
        "result": forms.ResultForm,
    }

    def post(self, request, opportunity_pk: int, action: str):
        if action not in self.FORMS:
            raise Http404
        opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_pk)
        if not can_work_opportunity(request.user, opportunity):
            raise PermissionDenied
        back = HttpResponseRedirect(opportunity.get_absolute_url() + "#bids")
        form_class = self.FORMS[action]
        form = None
        if form_class is forms.TenderForm:
            form = form_class(request.POST, instance=Tender.objects.filter(opportunity=opportunity).first())
        elif form_class is not None:
            form = form_class(request.POST)
        if form is not None and not form.is_valid():
            _form_errors(request, form)
            return back
        data = form.cleaned_data if form is not None else {}
        try:
            self._run(request, opportunity, action, data)
        except DomainError as exc:
            _refused(request, exc)
            return back
        messages.success(request, _("Saved."))
        return back

    def _run(self, request, opportunity, action: str, data: dict) -> None:
        actor = request.user
        if action == "decision":
            services.decision_save(actor=actor, opportunity=opportunity, data=data)
        elif action == "decide":
            services.decision_decide(actor=actor, opportunity=opportunity, **data)
        elif action == "tender":
            services.tender_save(actor=actor, opportunity=opportunity, data=data)
        elif action == "document":
            tender = get_object_or_404(Tender, opportunity=opportunity)
            services.tender_document_add(actor=actor, tender=tender, name=data["name"])
        elif action == "bid":
            services.bid_save(actor=actor, opportunity=opportunity, data=data)
        else:
            bid = get_object_or_404(Bid, opportunity=opportunity)
            if action == "submit":
                services.bid_submit(actor=actor, bid=bid)
            elif action == "seal":
                services.bid_seal(actor=actor, bid=bid)
            else:
                services.bid_record_result(actor=actor, bid=bid, **data)


class DocumentToggleView(WriterRequiredMixin, View):
    """POST: tick or untick a required document (R-BID-1)."""

    def post(self, request, pk: int):
        document = get_object_or_404(
            TenderDocument.objects.select_related("tender__opportunity").filter(
                tender__opportunity__in=Opportunity.objects.visible_to(request.user)
            ),
            pk=pk,
        )
        try:
            services.tender_document_mark(actor=request.user, document=document, done=not document.done)
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(document.tender.opportunity.get_absolute_url() + "#bids")

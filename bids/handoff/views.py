"""The handoff's pages (R-HAND-1..3): the printable package page (also where the receiving
team, who may not see the opportunity, acknowledges it), the action posts calling the
services, and the acceptance's signed scan as a logged download. A handoff the user does
not see is 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from bids.handoff import services
from bids.handoff.desk import handoff_context
from bids.handoff.forms import (
    AcceptanceForm,
    AcknowledgeForm,
    InformForm,
    ReceiveForm,
    RectificationCloseForm,
    RouteForm,
)
from bids.models import CustomerAcceptance, Handoff, Rectification
from opportunities.models import Opportunity
from presales.core.errors import DomainError
from presales.core.uploads import serve_download
from presales.web.views import RoleRequiredMixin

ACTIONS = ("route", "acknowledge", "inform", "receive", "accept", "close")


def _visible_handoff(request: HttpRequest, pk: int) -> Handoff:
    return get_object_or_404(
        Handoff.objects.visible_to(request.user).select_related(
            "opportunity", "receiving_team", "after_sales_owner", "acknowledged_by", "guide", "contract"
        ),
        pk=pk,
    )


class HandoffDetailView(RoleRequiredMixin, TemplateView):
    """The package as a printable page (the PDF comes later), with the actions."""

    template_name = "bids/handoff/handoff_detail.html"

    def get_context_data(self, **kwargs):
        handoff = _visible_handoff(self.request, kwargs["pk"])
        context = super().get_context_data(**kwargs)
        context.update(handoff_context(self.request, handoff))
        context["opportunity"] = handoff.opportunity
        context["sees_opportunity"] = (
            Opportunity.objects.visible_to(self.request.user).filter(pk=handoff.opportunity_id).exists()
        )
        context["back"] = "page"
        return context


class AcceptanceScanView(RoleRequiredMixin, View):
    """The signed acceptance form (R-HAND-3), for whoever sees the handoff: a logged download."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        acceptance = get_object_or_404(CustomerAcceptance.objects.visible_to(request.user), pk=pk)
        if not acceptance.signed_scan:
            raise Http404
        extension = acceptance.signed_scan.name.rsplit(".", 1)[-1]
        name = f"acceptance-{acceptance.pk}-{acceptance.kind}.{extension}"
        return serve_download(request, obj=acceptance, field_file=acceptance.signed_scan, filename=name)


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


def _invalid(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


class HandoffActionView(RoleRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        handoff = _visible_handoff(request, pk)
        if request.POST.get("back") == "desk":
            back = HttpResponseRedirect(handoff.opportunity.get_absolute_url() + "#handoff")
        else:
            back = HttpResponseRedirect(handoff.get_absolute_url())
        user = request.user
        try:
            if action == "route":
                form = RouteForm(request.POST)
                if not form.is_valid():
                    _invalid(request, form)
                    return back
                services.handoff_route(actor=user, handoff=handoff, team=form.cleaned_data["receiving_team"])
                messages.success(request, _("The handoff was sent to another team."))
            elif action == "acknowledge":
                form = AcknowledgeForm(request.POST)
                if not form.is_valid():
                    _invalid(request, form)
                    return back
                services.handoff_acknowledge(
                    actor=user,
                    handoff=handoff,
                    after_sales_owner=form.cleaned_data["after_sales_owner"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The handoff was acknowledged."))
            elif action == "inform":
                form = InformForm(request.POST, customer_id=handoff.opportunity.customer_id)
                if not form.is_valid():
                    _invalid(request, form)
                    return back
                services.handoff_inform_customer(
                    actor=user,
                    handoff=handoff,
                    contact=form.cleaned_data["contact"],
                    contact_name=form.cleaned_data["contact_name"],
                    language=form.cleaned_data["language"],
                )
                messages.success(request, _("The customer was told, with the service guide."))
            elif action == "receive":
                form = ReceiveForm(request.POST)
                if not form.is_valid():
                    _invalid(request, form)
                    return back
                services.acceptance_receive(
                    actor=user, handoff=handoff, received_on=form.cleaned_data["received_on"]
                )
                messages.success(
                    request, _("The receipt was recorded; the acceptance is due in 3 working days.")
                )
            elif action == "accept":
                form = AcceptanceForm(request.POST, request.FILES)
                if not form.is_valid():
                    _invalid(request, form)
                    return back
                data = {k: v for k, v in form.cleaned_data.items() if k not in ("kind", "signed_scan")}
                data = {k: v for k, v in data.items() if v not in (None, "")}
                services.acceptance_record(
                    actor=user,
                    handoff=handoff,
                    kind=form.cleaned_data["kind"],
                    data=data,
                    scan=form.cleaned_data["signed_scan"],
                )
                messages.success(request, _("The acceptance was recorded."))
            else:
                form = RectificationCloseForm(request.POST)
                rectification_id = str(request.POST.get("rectification", ""))
                if not rectification_id.isdigit():
                    raise Http404
                rectification = get_object_or_404(
                    Rectification, pk=int(rectification_id), acceptance__handoff=handoff
                )
                if not form.is_valid():
                    _invalid(request, form)
                    return back
                services.rectification_close(
                    actor=user, rectification=rectification, note=form.cleaned_data["note"]
                )
                messages.success(request, _("The rectification was closed."))
        except DomainError as exc:
            _refused(request, exc)
        return back

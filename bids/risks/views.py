"""Web views of the risk register (R-RISK-1): the desk's actions (thin POST views calling the
services; a refusal shows its reasons as messages, a move the user may not make is 403,
another team's opportunity is 404) and the risk register page across the visible
opportunities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from bids.models import Risk
from bids.risks import services
from bids.risks.forms import AcceptForm, CloseForm, CreditAssessmentForm, ReviewForm, RiskFilter, RiskForm
from opportunities.models import Opportunity
from presales.core.errors import DomainError, NotAllowed
from presales.web.views import RoleRequiredMixin

ACTIONS = ("add", "update", "review", "accept", "close", "credit")
PAGE_SIZE = 50


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


class RiskActionView(RoleRequiredMixin, View):
    """POST /bids/opportunity/<id>/risks/<action>/ (the desk's forms). Any role may post:
    the services decide (a manager accepts, whoever works the opportunity edits)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, opportunity_pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_pk)
        back = HttpResponseRedirect(opportunity.get_absolute_url() + "#risks")
        try:
            done = self.run(request, action, opportunity)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _refused(request, exc)
            return back
        if done:
            messages.success(request, done)
        return back

    def run(self, request: HttpRequest, action: str, opportunity: Opportunity) -> str | None:
        actor = request.user
        form: Any
        if action == "add":
            form = RiskForm(request.POST, prefix="new")
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.risk_create(actor=actor, opportunity=opportunity, data=form.cleaned_data)
            return _("The risk was recorded.")
        if action == "credit":
            form = CreditAssessmentForm(request.POST, prefix="credit")
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.credit_assessment_record(actor=actor, opportunity=opportunity, data=form.cleaned_data)
            return _("The credit assessment was recorded.")
        pk = request.POST.get("risk", "")
        if not pk.isdigit():
            raise Http404
        risk = get_object_or_404(Risk, pk=int(pk), opportunity=opportunity)
        version = _version(request)
        if action == "update":
            form = RiskForm(request.POST, prefix=f"r{risk.pk}")
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.risk_update(actor=actor, risk=risk, data=form.cleaned_data, expected_version=version)
            return _("The risk was saved.")
        if action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.risk_review_record(actor=actor, risk=risk, expected_version=version, **form.cleaned_data)
            return _("The review was recorded.")
        if action == "accept":
            form = AcceptForm(request.POST)
            if not form.is_valid():
                if not services.can_accept(actor, opportunity):
                    raise PermissionDenied
                _form_errors(request, form)
                return None
            services.risk_accept(actor=actor, risk=risk, expected_version=version, **form.cleaned_data)
            return _("The risk was accepted.")
        form = CloseForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return None
        services.risk_close(actor=actor, risk=risk, expected_version=version, **form.cleaned_data)
        return _("The risk was closed.")


class RiskRegisterView(RoleRequiredMixin, TemplateView):
    """/bids/risks/: the risks of every opportunity the user sees (R-RISK-1), filtered by
    category, level, status and owner, the highest score first."""

    template_name = "bids/risks/register.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        queryset = (
            Risk.objects.visible_to(request.user)
            .select_related("opportunity", "owner")
            .order_by("-score", "-id")
        )
        filterset = RiskFilter(request.GET or None, queryset=queryset, request=request)
        rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render_to_response(
            self.get_context_data(filter=filterset, page=page, query=query.urlencode())
        )

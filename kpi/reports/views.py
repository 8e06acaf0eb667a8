"""Web pages of the monthly team report (R-KPI-3): the list (a team's manager sees their
teams' reports; GM, department heads and admin all) with the generate form, and the report's
page: its figures, its sections edited while a draft, submit and regenerate buttons. Every
write calls ``kpi.reports.services``; a refusal shows as form errors or messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from kpi.models.reports import TeamReport
from kpi.periods import Period, PeriodKind
from kpi.reports import selectors, services
from kpi.reports.forms import GenerateForm, SectionsForm
from kpi.reports.transitions import MACHINE, may_manage
from presales.accounts.models import Team
from presales.core.errors import DomainError
from presales.core.roles import Role
from presales.web.forms import apply_domain_error
from presales.web.views import RoleRequiredMixin


def _actor(request: Any) -> Any:
    """The signed-in user as the services' ``Actor`` (the role mixins let no one else in)."""
    return request.user


def _generate_teams(user: Any):
    if user.is_superuser or user.has_role(Role.GENERAL_MANAGER, Role.ADMIN):
        return Team.objects.order_by("name")
    return Team.objects.filter(manager=user.pk).order_by("name")


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


class ReportListView(RoleRequiredMixin, ListView):
    """GET /kpi/reports/; POST generates a draft (or its figures again)."""

    template_name = "kpi/reports/list.html"
    paginate_by = 25
    context_object_name = "reports"

    def get_queryset(self):
        return (
            TeamReport.objects.visible_to(self.request.user)
            .select_related("team")
            .order_by("-month", "team__name", "id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        teams = _generate_teams(self.request.user)
        context["generate_form"] = kwargs.get("generate_form") or GenerateForm(
            teams=teams, initial={"month": Period.current().previous().key}
        )
        context["may_generate"] = teams.exists()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = GenerateForm(request.POST, teams=_generate_teams(request.user))
        self.object_list = self.get_queryset()
        if form.is_valid():
            try:
                month = Period.parse(form.cleaned_data["month"], field="month")
                report = services.report_generate(
                    team=form.cleaned_data["team"], month=month, actor=_actor(request)
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The figures are generated."))
                return HttpResponseRedirect(report.get_absolute_url())
        return self.render_to_response(self.get_context_data(generate_form=form))


class ReportDetailView(RoleRequiredMixin, View):
    """GET /kpi/reports/<id>/ (figures and sections); POST saves the sections of a draft."""

    def _report(self, request: HttpRequest, pk: int) -> TeamReport:
        return get_object_or_404(TeamReport.objects.visible_to(request.user).select_related("team"), pk=pk)

    def _render(
        self, request: HttpRequest, report: TeamReport, form: SectionsForm | None = None
    ) -> HttpResponse:
        editable = not report.is_frozen and may_manage(request.user, report)
        if form is None:
            form = SectionsForm(instance=report, initial={"version": report.version})
        figures = report.figures or {}
        return render(
            request,
            "kpi/reports/detail.html",
            {
                "report": report,
                "form": form,
                "editable": editable,
                "options": MACHINE.options(report, _actor(request)) if editable else [],
                "figures": figures,
                "pipeline": [
                    {**row, "label": selectors.stage_label(row["stage"])}
                    for row in figures.get("pipeline", [])
                ],
                "reasons": [
                    {**row, "label": selectors.reason_label(row["reason"])}
                    for row in figures.get("losses", {}).get("reasons", [])
                ],
                "recipients": list(report.submitted_to.all()) if report.is_frozen else [],
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._report(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self._report(request, pk)
        form = SectionsForm(request.POST, instance=TeamReport.objects.get(pk=report.pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.report_update(
                    actor=_actor(request),
                    report=report,
                    data=data,
                    expected_version=form.cleaned_data.get("version"),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The report is saved."))
                return HttpResponseRedirect(report.get_absolute_url())
        return self._render(request, report, form)


class ReportActionView(RoleRequiredMixin, View):
    """POST /kpi/reports/<id>/<submit|generate>/."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ("submit", "generate"):
            raise Http404
        report = get_object_or_404(TeamReport.objects.visible_to(request.user).select_related("team"), pk=pk)
        if not may_manage(request.user, report):
            raise PermissionDenied
        try:
            if action == "submit":
                version = request.POST.get("version", "")
                services.report_submit(
                    actor=_actor(request),
                    report=report,
                    expected_version=int(version) if version.isdigit() else None,
                )
                messages.success(request, _("The report is submitted."))
            else:
                services.report_generate(
                    team=report.team, month=Period(report.month, PeriodKind.MONTH), actor=_actor(request)
                )
                messages.success(request, _("The figures are generated."))
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(reverse("kpi:reports:detail", args=[report.pk]))

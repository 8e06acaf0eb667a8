"""Web pages of scorecards (R-KPI-1, R-KPI-2): my scorecards, the team's people with their live
indicators (the manager's page, with a period picker), a scorecard with its figures and its
forms (rate, share, comment, sign off), its Excel file. Thin views over the services; a
scorecard outside the caller's view is 404; a refusal shows its reasons as messages."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kpi.models.scorecards import ItemSection, Scorecard, ScorecardTemplate
from kpi.periods import Period, PeriodKind
from kpi.scorecards import selectors, services
from kpi.scorecards.documents import scorecard_workbook
from kpi.scorecards.forms import CommentForm, CreateForm, RateForm
from kpi.scorecards.transitions import MACHINE, may_appraise
from presales.core.errors import DomainError, NotFound
from presales.web.views import RoleRequiredMixin

ACTIONS = ("rate", "share", "comment", "sign")


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


def _period(request: HttpRequest) -> Period:
    text = request.GET.get("period", "")
    if not text:
        return Period.current(PeriodKind.MONTH)
    try:
        return Period.parse(text)
    except DomainError as exc:
        _refused(request, exc)
        return Period.current(PeriodKind.MONTH)


class MyScorecardsView(RoleRequiredMixin, TemplateView):
    """The caller's scorecards (shared or signed) and, for an appraiser, a link to the team's."""

    template_name = "kpi/scorecards/scorecard_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["scorecards"] = list(selectors.my_scorecards(user).order_by("-period", "-id")[:100])
        context["appraiser"] = selectors.may_appraise_anyone(user)
        return context


class TeamScorecardsView(RoleRequiredMixin, TemplateView):
    """The appraiser's people with their live indicators for a period (one query per
    indicator), their scorecards of the period and the form that creates one."""

    template_name = "kpi/scorecards/scorecard_team.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_appraise_anyone(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = _period(self.request)
        context.update(selectors.team_overview(self.request.user, period))
        context["period"] = period
        context["templates"] = list(selectors.templates_for(period))
        context["partial"] = period.is_partial()
        return context


class ScorecardCreateView(RoleRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CreateForm(request.POST)
        back = HttpResponseRedirect(
            reverse("kpi:scorecards:team") + "?" + urlencode({"period": request.POST.get("period", "")})
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return back
        person = selectors.appraised_people(request.user).filter(pk=form.cleaned_data["person"]).first()
        template = ScorecardTemplate.objects.filter(pk=form.cleaned_data["template"]).first()
        if person is None or template is None:
            raise Http404
        try:
            scorecard = services.scorecard_create(
                actor=request.user, person=person, template=template, period=form.cleaned_data["period"]
            )
        except DomainError as exc:
            _refused(request, exc)
            return back
        messages.success(request, _("The scorecard was created."))
        return redirect(scorecard.get_absolute_url())


class ScorecardDetailView(RoleRequiredMixin, TemplateView):
    """One scorecard: header, each line with its value, definition and records, the section
    totals and total, the comments, the forms the caller may use, the PDF and Excel."""

    template_name = "kpi/scorecards/scorecard_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scorecard = get_object_or_404(selectors.visible_scorecards(user), pk=kwargs["pk"])
        figures = services.scorecard_figures(scorecard)
        appraiser = may_appraise(user, scorecard)
        context.update(
            {
                "scorecard": scorecard,
                "figures": figures,
                "key_lines": [
                    line for line in figures["lines"] if line["section"] == ItemSection.KEY_INDICATORS
                ],
                "rated_lines": [
                    line for line in figures["lines"] if line["section"] != ItemSection.KEY_INDICATORS
                ],
                "comments": list(scorecard.comments.select_related("author")),
                "appraiser": appraiser,
                "options": MACHINE.options(scorecard, cast(Any, user)) if appraiser else [],
                "rate_form": RateForm(scorecard=scorecard) if appraiser else None,
                "may_rate": appraiser and scorecard.status in ("draft", "rated"),
                "may_comment": not scorecard.is_signed
                and (appraiser or (user.pk == scorecard.person_id and scorecard.status == "shared")),
                "comment_form": CommentForm(),
            }
        )
        return context


class ScorecardActionView(RoleRequiredMixin, View):
    """POST /kpi/scorecards/<id>/<action>/: rate, share, comment, sign."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        scorecard = get_object_or_404(selectors.visible_scorecards(request.user), pk=pk)
        back = HttpResponseRedirect(scorecard.get_absolute_url())
        try:
            done = self.run(request, action, scorecard)
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _refused(request, exc)
            return back
        if done:
            messages.success(request, done)
        return back

    def run(self, request: HttpRequest, action: str, scorecard: Scorecard) -> str | None:
        actor = request.user
        if action == "rate":
            form = RateForm(request.POST, scorecard=scorecard)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return None
            services.scorecard_rate(
                actor=actor,
                scorecard=scorecard,
                ratings=form.ratings(),
                manager_comment=form.cleaned_data["manager_comment"],
                expected_version=form.cleaned_data.get("version"),
            )
            return _("The ratings were saved.")
        if action == "share":
            services.scorecard_share(actor=actor, scorecard=scorecard)
            return _("The scorecard was shared with %(name)s.") % {"name": scorecard.person_name}
        if action == "sign":
            services.scorecard_sign(actor=actor, scorecard=scorecard)
            return _("The scorecard was signed off; its figures are frozen.")
        comment = CommentForm(request.POST)
        if not comment.is_valid():
            for errors in comment.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return None
        services.scorecard_comment(actor=actor, scorecard=scorecard, body=comment.cleaned_data["body"])
        return _("Your comment was added.")


class ScorecardExcelView(RoleRequiredMixin, View):
    """The scorecard as an .xlsx (scoped: 404 outside the caller's view)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scorecard = get_object_or_404(selectors.visible_scorecards(request.user), pk=pk)
        response = HttpResponse(
            scorecard_workbook(scorecard),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"scorecard-{scorecard.period}-{scorecard.pk}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

"""Staff pages of surveys (R-POST-1, R-POST-3, R-POST-4, R-KPI-1): the scoped list, a survey
with its answers (a phone interview's marked as such) and improvement actions, the actions
(revoke, resend, phone answers, close an action) calling the services, and the internal
respondent's in-app rating page. A survey the user does not see is 404."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kpi.models import ImprovementAction, Survey
from kpi.models.surveys import AnswerChannel, SurveyPurpose, SurveyStatus
from kpi.surveys import selectors, services
from kpi.surveys.forms import ActionCloseForm, ResendForm, SurveyAnswerForm
from opportunities.permissions import can_work_opportunity
from presales.accounts.models import User
from presales.core.errors import DomainError
from presales.web.views import RoleRequiredMixin

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _visible(request: HttpRequest, pk: int) -> Survey:
    survey = selectors.survey_detail(request.user, pk)
    if survey is None:
        raise Http404
    return survey


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


class SurveyListView(RoleRequiredMixin, TemplateView):
    """The surveys of the opportunities the user sees, filtered by purpose and status."""

    template_name = "kpi/surveys/survey_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = selectors.surveys_for(self.request.user).order_by("-sent_at", "-pk")
        purpose = self.request.GET.get("purpose", "")
        status = self.request.GET.get("status", "")
        if purpose in SurveyPurpose.values:
            queryset = queryset.filter(purpose=purpose)
        if status in SurveyStatus.values:
            queryset = queryset.filter(status=status)
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            {
                "page_obj": page,
                "surveys": page.object_list,
                "purposes": SurveyPurpose.choices,
                "statuses": SurveyStatus.choices,
                "purpose": purpose,
                "status": status,
            }
        )
        return context


class SurveyDetailView(RoleRequiredMixin, TemplateView):
    template_name = "kpi/surveys/survey_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        survey = _visible(self.request, kwargs["pk"])
        worker = can_work_opportunity(self.request.user, survey.opportunity)
        open_ = survey.status != SurveyStatus.ANSWERED
        customer = survey.purpose != SurveyPurpose.INTERNAL
        context.update(
            {
                "survey": survey,
                "rows": selectors.answer_rows(survey, get_language()),
                "actions": list(survey.improvement_actions.all()),
                "can_work": worker,
                "can_revoke": worker and open_ and survey.status != SurveyStatus.REVOKED,
                "can_resend": worker and open_ and customer,
                "can_phone": worker
                and customer
                and survey.status in (SurveyStatus.SENT, SurveyStatus.EXPIRED),
                "can_respond": survey.respondent_id == self.request.user.pk
                and survey.status in (SurveyStatus.SENT, SurveyStatus.EXPIRED),
                "resend_form": ResendForm(customer_id=survey.opportunity.customer_id)
                if worker and customer
                else None,
                "close_form": ActionCloseForm(),
                "phone": AnswerChannel.PHONE,
            }
        )
        return context


class SurveyActionView(RoleRequiredMixin, View):
    """POST revoke / resend, back to the survey."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        survey = _visible(request, pk)
        try:
            if action == "revoke":
                services.survey_revoke(actor=_user(request), survey=survey)
                messages.success(request, _("The survey link was revoked."))
            elif action == "resend":
                form = ResendForm(request.POST, customer_id=survey.opportunity.customer_id)
                contact = form.cleaned_data.get("contact") if form.is_valid() else None
                services.survey_resend(actor=_user(request), survey=survey, contact=contact)
                messages.success(request, _("The survey was sent again."))
            else:
                raise Http404
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(reverse("kpi:surveys:detail", args=[survey.pk]))


class _AnswerPage(RoleRequiredMixin, View):
    template_name = "kpi/surveys/survey_answer_staff.html"
    channel = AnswerChannel.PHONE

    def _survey(self, request: HttpRequest, pk: int) -> Survey:
        raise NotImplementedError

    def _render(
        self, request: HttpRequest, survey: Survey, form: SurveyAnswerForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"survey": survey, "form": form, "phone": self.channel == AnswerChannel.PHONE},
            status=status,
        )

    def _form(self, survey: Survey, data: Any = None) -> SurveyAnswerForm:
        return SurveyAnswerForm(
            data,
            questions=survey.questions,
            language=get_language(),
            comment=self.channel == AnswerChannel.PHONE,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = self._survey(request, pk)
        return self._render(request, survey, self._form(survey))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = self._survey(request, pk)
        form = self._form(survey, request.POST)
        if not form.is_valid():
            return self._render(request, survey, form, status=400)
        try:
            services.survey_answer(
                survey=survey,
                answers=form.answers(),
                channel=self.channel,
                actor=_user(request),
                comment=form.cleaned_data.get("interview_note", ""),
            )
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            form.add_domain_error(exc)
            return self._render(request, survey, form, status=400 if exc.status_code == 400 else 409)
        messages.success(request, _("The answers were saved."))
        return HttpResponseRedirect(reverse("kpi:surveys:detail", args=[survey.pk]))


class SurveyPhoneView(_AnswerPage):
    """Staff enter a phone interview's answers (R-POST-3: marked as such everywhere)."""

    channel = AnswerChannel.PHONE

    def _survey(self, request: HttpRequest, pk: int) -> Survey:
        survey = _visible(request, pk)
        if not can_work_opportunity(request.user, survey.opportunity):
            raise Http404
        return survey


class SurveyRespondView(_AnswerPage):
    """The internal respondent (the sales owner) rates the engineer's collaboration (R-KPI-1)."""

    channel = AnswerChannel.IN_APP

    def _survey(self, request: HttpRequest, pk: int) -> Survey:
        return get_object_or_404(
            Survey.objects.select_related("opportunity", "rated_user"), pk=pk, respondent=request.user
        )


class ActionCloseView(RoleRequiredMixin, View):
    """Close an improvement action with its resolution (R-POST-3)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = get_object_or_404(
            ImprovementAction.objects.visible_to(request.user).select_related("survey"), pk=pk
        )
        form = ActionCloseForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(fields={"resolution": [_("Say what was done.")]})
            services.improvement_action_close(
                actor=_user(request), action=action, resolution=form.cleaned_data["resolution"]
            )
            messages.success(request, _("The improvement action was closed."))
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(reverse("kpi:surveys:detail", args=[action.survey_id]))

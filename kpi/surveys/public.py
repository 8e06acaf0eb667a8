"""The public survey page (R-POST-1, R-POST-4): /kpi/surveys/answer/<token>/, no account.

Built on ``presales.web.public_links`` as the needs confirmation page: the signed token is the
only credential; the page reads no session and sets no cookie (CSRF-exempt for that reason: no
ambient authority), shows the survey's introduction and questions in the survey's language (the
contact's when recorded, else the site's default) and nothing else (no prices, no other
records; the engineer's name only), and is rate limited per client address and token (429). A
tampered or unknown token is 404; an expired, revoked, replaced or answered one 410 (a replay
after answering too); neither says which survey it was.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from kpi.models.surveys import localized
from kpi.surveys.forms import SurveyAnswerForm
from kpi.surveys.services import LinkRefused, survey_answer_by_token, survey_for_token
from presales.core.errors import Conflict, DomainError
from presales.web.public_links import PublicLinkView


class SurveyPublicView(PublicLinkView):
    template_name = "kpi/surveys/answer_public.html"
    refused_template = "kpi/surveys/answer_refused.html"
    rate_scope = "survey-answer"

    def _page(
        self, request: HttpRequest, survey, form, *, message: str = "", status: int = 200
    ) -> HttpResponse:
        context = {
            "intro": localized(
                {
                    "intro_en": survey.template.intro_en,
                    "intro_zh_hans": survey.template.intro_zh_hans,
                    "intro_zh_hant": survey.template.intro_zh_hant,
                },
                survey.language,
                prefix="intro",
            ),
            "engineer": survey.rated_user.get_full_name() if survey.rated_user else "",
            "form": form,
            "message": message,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        survey = survey_for_token(token)
        with translation.override(survey.language):
            form = SurveyAnswerForm(questions=survey.questions, language=survey.language)
            return self._page(request, survey, form)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        survey = survey_for_token(token)
        with translation.override(survey.language):
            form = SurveyAnswerForm(request.POST, questions=survey.questions, language=survey.language)
            if not form.is_valid():
                return self._page(request, survey, form, status=400)
            try:
                survey_answer_by_token(token=token, answers=form.answers())
            except LinkRefused:
                raise
            except Conflict as exc:
                return self._page(request, survey, form, message=exc.message, status=409)
            except DomainError as exc:
                form.add_domain_error(exc)
                return self._page(request, survey, form, status=400)
            return render(request, "kpi/surveys/answer_done.html", {})

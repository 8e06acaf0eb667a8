"""The public survey page (R-POST-1, R-POST-4): /kpi/surveys/answer/<token>/, no account.

Modelled on the needs confirmation page (proposals/needs/public.py): the signed token is the
only credential; the page reads no session and sets no cookie (CSRF-exempt for that reason:
no ambient authority), shows the survey's introduction and questions in the survey's language
and nothing else (no prices, no other records; the engineer's name only), and is rate limited
per client address and token (429). A tampered or unknown token is 404; an expired, revoked,
replaced or answered one 410 (a replay after answering too); neither says which survey it was.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from kpi.models.surveys import localized
from kpi.surveys.forms import SurveyAnswerForm
from kpi.surveys.services import LinkRefused, survey_answer_by_token, survey_for_token
from presales.core.dbrouting import skip_primary_pin
from presales.core.errors import Conflict, DomainError

RATE_LIMIT = 30  # requests per window, per client address and token
RATE_LIMIT_ADDRESS = 120  # per client address, whatever the token (guessing tokens)
RATE_WINDOW = 600  # seconds


def _client(request: HttpRequest) -> str:
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    if count:
        forwarded = [
            p.strip() for p in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if p.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _over_limit(request: HttpRequest, token: str) -> bool:
    address = _client(request)
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    over = False
    for key, limit in (
        (f"survey-answer:{address}:{digest}", RATE_LIMIT),
        (f"survey-answer:{address}", RATE_LIMIT_ADDRESS),
    ):
        cache.add(key, 0, RATE_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, RATE_WINDOW)
            count = 1
        over = over or count > limit
    return over


def _private(response: HttpResponse) -> HttpResponse:
    skip_primary_pin(response)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(csrf_exempt, name="dispatch")
class SurveyPublicView(View):
    template_name = "kpi/surveys/answer_public.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _over_limit(request, kwargs.get("token", "")):
            return _private(
                render(request, "kpi/surveys/answer_refused.html", {"too_many": True}, status=429)
            )
        try:
            return _private(cast(HttpResponse, super().dispatch(request, *args, **kwargs)))
        except LinkRefused as exc:
            return _private(
                render(request, "kpi/surveys/answer_refused.html", {"gone": exc.gone}, status=exc.status_code)
            )

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

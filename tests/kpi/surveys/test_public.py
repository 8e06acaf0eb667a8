"""The public answer page (R-POST-1, R-POST-4): signed, single-purpose, expiring, revocable,
rate limited, answered once; no account, no cookie."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kpi.models import ImprovementAction, SurveyAnswer
from kpi.models.surveys import SurveyStatus
from kpi.surveys import public, services
from tests.kpi.surveys.conftest import good_answers


def _url(survey):
    return reverse("kpi:surveys:answer", args=[services.survey_token(survey)])


def test_r_post_1_valid_link_shows_the_questions_and_saves_the_answers(client, survey):
    # when
    page = client.get(_url(survey))
    # then the questions, nothing else; private headers; no cookie
    assert page.status_code == 200
    html = page.content.decode()
    assert "survey-form" in html and 'value="5"' in html
    assert survey.opportunity.title not in html and str(survey.opportunity.amount) not in html
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"
    assert not page.cookies
    # when answered
    done = client.post(_url(survey), good_answers(satisfaction="2"))
    # then
    assert done.status_code == 200 and "survey-thanks" in done.content.decode()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED and survey.channel == "link"
    assert SurveyAnswer.objects.filter(survey=survey).count() == 4
    assert ImprovementAction.objects.filter(survey=survey).count() == 1  # R-POST-3


def test_r_post_1_replay_is_refused_not_a_500(client, survey):
    client.post(_url(survey), good_answers())
    again = client.post(_url(survey), good_answers())
    assert again.status_code == 410
    assert client.get(_url(survey)).status_code == 410
    assert SurveyAnswer.objects.filter(survey=survey).count() == 4


def test_required_questions_are_validated_with_form_errors(client, survey):
    response = client.post(_url(survey), {"satisfaction": "5"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    bad = client.post(_url(survey), good_answers(satisfaction="6"))
    assert bad.status_code == 400
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT


def test_expired_link_is_gone(client, survey):
    survey.expires_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    assert client.get(_url(survey)).status_code == 410
    assert client.post(_url(survey), good_answers()).status_code == 410


def test_revoked_link_is_gone(client, survey, engineer):
    url = _url(survey)
    services.survey_revoke(actor=engineer, survey=survey)
    response = client.get(url)
    assert response.status_code == 410 and "survey-refused" in response.content.decode()


def test_tampered_link_is_not_found(client, survey):
    token = services.survey_token(survey)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("kpi:surveys:answer", args=[tampered])).status_code == 404
    assert client.get(reverse("kpi:surveys:answer", args=["garbage"])).status_code == 404
    assert client.post(reverse("kpi:surveys:answer", args=["garbage"]), good_answers()).status_code == 404


def test_internal_survey_has_no_public_link(client, opportunity, sales_rep):
    services.survey_on_closed(opportunity=opportunity, actor=sales_rep)
    internal = opportunity.surveys.get(purpose="internal")
    assert client.get(_url(internal)).status_code == 404


def test_rate_limited(client, survey, monkeypatch):
    monkeypatch.setattr(public.SurveyPublicView, "rate_limit", 2)
    url = _url(survey)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def test_page_in_the_survey_language(client, survey):
    survey.language = "en"
    survey.save()
    html = client.get(_url(survey)).content.decode()
    assert "Are you satisfied with the quality of our service?" in html
    survey.language = "zh-hant"
    survey.save()
    assert "您對服務質量是否滿意?" in client.get(_url(survey)).content.decode()

"""Staff pages of surveys: scoped list and detail, phone interview entry (marked), the
internal respondent's page, revoke/resend, closing an action, the desk section."""

from __future__ import annotations

from django.urls import reverse

from kpi.models import ImprovementAction
from kpi.models.surveys import AnswerChannel, SurveyStatus
from kpi.surveys import services
from tests.kpi.surveys.conftest import good_answers


def test_list_and_detail_are_scoped(client, survey, engineer, other_engineer):
    client.force_login(engineer)
    listing = client.get(reverse("kpi:surveys:list"))
    assert listing.status_code == 200 and survey.opportunity.title in listing.content.decode()
    assert client.get(reverse("kpi:surveys:detail", args=[survey.pk])).status_code == 200
    client.force_login(other_engineer)
    assert survey.opportunity.title not in client.get(reverse("kpi:surveys:list")).content.decode()
    assert client.get(reverse("kpi:surveys:detail", args=[survey.pk])).status_code == 404
    assert client.get(reverse("kpi:surveys:phone", args=[survey.pk])).status_code == 404


def test_r_post_3_phone_interview_entry_is_marked(client, survey, engineer):
    client.force_login(engineer)
    url = reverse("kpi:surveys:phone", args=[survey.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"satisfaction": "5"})
    assert bad.status_code == 400
    response = client.post(url, {**good_answers(), "interview_note": "Called"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.channel == AnswerChannel.PHONE and survey.entered_by == engineer
    detail = client.get(reverse("kpi:surveys:detail", args=[survey.pk])).content.decode()
    assert "Phone interview" in detail


def test_r_kpi_1_internal_respondent_rates_in_app(client, opportunity, sales_rep, engineer):
    services.survey_on_closed(opportunity=opportunity, actor=sales_rep)
    internal = opportunity.surveys.get(purpose="internal")
    url = reverse("kpi:surveys:respond", args=[internal.pk])
    client.force_login(engineer)
    assert client.get(url).status_code == 404
    client.force_login(sales_rep)
    assert client.get(url).status_code == 200
    assert client.post(url, {"collaboration": "4", "comment": "ok"}).status_code == 302
    internal.refresh_from_db()
    assert internal.status == SurveyStatus.ANSWERED and internal.channel == AnswerChannel.IN_APP


def test_revoke_resend_and_close_an_action(client, survey, engineer, manager):
    client.force_login(engineer)
    client.post(reverse("kpi:surveys:action", args=[survey.pk, "revoke"]))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.REVOKED
    client.post(reverse("kpi:surveys:action", args=[survey.pk, "resend"]))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT
    services.survey_answer(survey=survey, answers=good_answers(satisfaction="1"), channel=AnswerChannel.LINK)
    action = ImprovementAction.objects.get(survey=survey)
    client.force_login(manager)
    client.post(reverse("kpi:surveys:action_close", args=[action.pk]), {"resolution": "Done"})
    action.refresh_from_db()
    assert action.status == "done"


def test_desk_section_lists_the_surveys(client, survey, engineer):
    client.force_login(engineer)
    page = client.get(survey.opportunity.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="desk-surveys"' in page.content.decode()

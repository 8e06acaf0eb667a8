"""A customer survey in the contact's language (R-POST-1, R-POST-3): the page and the e-mail are
written in the language recorded on the contact; a contact without one gets the site's default."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from kpi.models.surveys import SurveyPurpose
from kpi.surveys import services
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_in_simplified_chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def _send(opportunity, capture):
    with capture(execute=True):
        return services.survey_send(opportunity=opportunity, purpose=SurveyPurpose.PRESALES_SERVICE)


def _page(client, survey) -> str:
    response = client.get(reverse("kpi:surveys:answer", args=[services.survey_token(survey)]))
    assert response.status_code == 200
    return response.content.decode()


def test_r_post_1_an_english_speaking_contact_gets_the_page_and_the_email_in_english(
    client, opportunity, contact, manager, django_capture_on_commit_callbacks
):
    # given the customer's contact reads English (the site's default is simplified Chinese)
    contact.language = "en"
    contact.save()
    # when the survey is sent
    survey = _send(opportunity, django_capture_on_commit_callbacks)
    # then the survey, its e-mail and its page are in English
    assert survey.language == "en"
    (message,) = mail.outbox
    assert message.subject == f"A short satisfaction survey ({opportunity.customer.name})"
    assert message.body.startswith(f"Dear {contact.name},")
    html = _page(client, survey)
    assert '<html lang="en">' in html
    assert "Are you satisfied with the quality of our service?" in html
    assert "您对服务质量是否满意?" not in html


def test_r_post_1_a_contact_without_a_language_gets_the_site_default(
    client, opportunity, contact, manager, django_capture_on_commit_callbacks
):
    # given no language recorded on the contact
    assert contact.language == ""
    # when
    survey = _send(opportunity, django_capture_on_commit_callbacks)
    # then the site's default language, as before
    assert survey.language == "zh-hans"
    (message,) = mail.outbox
    assert message.subject == f"简短满意度调查（{opportunity.customer.name}）"
    html = _page(client, survey)
    assert "您对服务质量是否满意?" in html
    assert "Are you satisfied with the quality of our service?" not in html


def test_r_post_1_a_page_asked_in_another_language_stays_in_the_contacts(
    client, opportunity, contact, manager, django_capture_on_commit_callbacks
):
    contact.language = "zh-hant"
    contact.save()
    survey = _send(opportunity, django_capture_on_commit_callbacks)
    response = client.get(
        reverse("kpi:surveys:answer", args=[services.survey_token(survey)]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "您對服務質量是否滿意?" in response.content.decode()
    assert mail.outbox[0].subject == f"簡短滿意度調查（{opportunity.customer.name}）"


def test_r_post_1_resending_to_another_contact_follows_that_contacts_language(
    opportunity, contact, engineer, manager, django_capture_on_commit_callbacks
):
    # given a survey sent to a contact without a language
    survey = _send(opportunity, django_capture_on_commit_callbacks)
    assert survey.language == "zh-hans"
    english = ContactFactory(customer=opportunity.customer, email="lee@customer.example", language="en")
    # when staff resend it to an English-speaking colleague
    with django_capture_on_commit_callbacks(execute=True):
        survey = services.survey_resend(actor=engineer, survey=survey, contact=english)
    # then the new link's page and e-mail are in English
    survey.refresh_from_db()
    assert survey.language == "en"
    assert mail.outbox[-1].to == [english.email]
    assert mail.outbox[-1].subject == f"A short satisfaction survey ({opportunity.customer.name})"

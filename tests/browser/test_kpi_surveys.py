"""A customer answers a satisfaction survey by its link on a phone (R-POST-1, R-POST-4):
the page fits 375 px without scrolling sideways, the scores are big buttons, and the answer
ends on the thank-you page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kpi.models.surveys import SurveyPurpose, SurveyStatus
from kpi.surveys.defaults import ensure_default_templates
from kpi.surveys.services import survey_send, survey_token
from tests.factories import ContactFactory, OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
SHOTS = Path("/tmp/shots")


def page_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.fixture
def survey(team, engineer):
    ensure_default_templates()  # transactional tests flush the migration's seed
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    ContactFactory(customer=opportunity.customer, name="Wang")
    survey = survey_send(opportunity=opportunity, purpose=SurveyPurpose.PRESALES_SERVICE)
    survey.language = "en"
    survey.save()
    return survey


def test_r_post_1_survey_answered_by_link_on_a_phone(page: Page, live_server, survey):
    # given a phone-sized window
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("kpi:surveys:answer", args=[survey_token(survey)]))
    expect(page.get_by_test_id("survey-form")).to_be_visible()
    # then nothing scrolls sideways
    assert page_width(page) <= PHONE["width"]
    # when the customer picks the scores and writes a suggestion
    for code, score in (("satisfaction", 5), ("responsiveness", 4), ("solution_quality", 4)):
        page.locator(f"fieldset[data-question='{code}'] label", has_text=str(score)).click()
    page.locator("textarea[name='suggestions']").fill("Faster answers, please")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "survey_375.png"), full_page=True)
    page.get_by_test_id("survey-submit").click()
    # then the thank-you page, still phone-sized, and the answer is saved
    expect(page.get_by_test_id("survey-thanks")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED
    assert survey.answers.get(code="satisfaction").score == 5

"""Fixtures of the survey tests: the default templates (re-seeded: transactional tests flush
migration data), the handoff's fixtures (an opportunity in the contract stage, approvers, a
signed contract made through the services), and a survey sent to a customer contact."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from kpi.models.surveys import SurveyPurpose
from kpi.surveys.defaults import ensure_default_templates
from kpi.surveys.services import survey_send
from tests.bids.handoff import conftest as handoff_fixtures

# The handoff's fixtures, shared (an opportunity in the contract stage, its contact, approvers).
after_sales_engineer = handoff_fixtures.after_sales_engineer
after_sales_manager = handoff_fixtures.after_sales_manager
after_sales_team = handoff_fixtures.after_sales_team
approvers = handoff_fixtures.approvers
chains = handoff_fixtures.chains
contact = handoff_fixtures.contact
handoff = handoff_fixtures.handoff
legal = handoff_fixtures.legal
opportunity = handoff_fixtures.opportunity
sales_manager = handoff_fixtures.sales_manager


@pytest.fixture(autouse=True)
def survey_templates(db):
    ensure_default_templates()
    cache.clear()  # the public page's rate-limit counters


@pytest.fixture
def survey(opportunity, contact, manager, django_capture_on_commit_callbacks):
    """A presales-service survey e-mailed to ``contact`` (the team has a manager)."""
    with django_capture_on_commit_callbacks(execute=True):
        return survey_send(opportunity=opportunity, purpose=SurveyPurpose.PRESALES_SERVICE)


def good_answers(**overrides):
    answers = {"satisfaction": "5", "responsiveness": "4", "solution_quality": "4", "suggestions": "Great"}
    answers.update(overrides)
    return answers

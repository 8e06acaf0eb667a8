"""The API answers in the caller's language (issue 8, item 19): the user's language once DRF
has authenticated them (a token client included), unless the request's ``Accept-Language``
header names a language the site offers, which then wins."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from opportunities.choices import Stage
from presales.accounts.services import api_token_create
from presales.core.roles import Role
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

# (language, a read-only refusal, the stage label of lead intake) in each language's catalogue.
EXPECTED = {
    "en": ("This field is read-only.", "Lead intake"),
    "zh-hans": ("此字段为只读。", "线索"),
    "zh-hant": ("此字段為只讀。", "線索"),
}


def token_client(user, **headers) -> APIClient:
    _token, secret = api_token_create(user=user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}", **headers)
    return client


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_a_token_client_is_answered_in_its_users_language(make_user, team, language):
    # given a sales rep whose profile language is ``language``, calling with a token and no header
    user = make_user(Role.SALES_REP, team=team, language=language)
    opportunity = OpportunityFactory(team=team, sales_owner=user, stage=Stage.LEAD_INTAKE)
    client = token_client(user)
    refusal, stage_label = EXPECTED[language]
    # when it reads an opportunity and sends a read-only key
    read = client.get(reverse("opportunity-detail", args=[opportunity.pk]))
    refused = client.patch(reverse("opportunity-detail", args=[opportunity.pk]), {"updated_at": "x"})
    # then the choice label and the error message come in that language
    assert read.json()["stage_display"] == stage_label
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"updated_at": [refusal]}
    assert read["Content-Language"] == language


@pytest.mark.parametrize(("profile", "header"), [("zh-hans", "en"), ("en", "zh-hant"), ("en", "zh-TW")])
def test_an_explicit_accept_language_header_wins_over_the_profile(make_user, team, profile, header):
    # given a user whose profile says ``profile``, calling with ``Accept-Language: header``
    user = make_user(Role.SALES_REP, team=team, language=profile)
    opportunity = OpportunityFactory(team=team, sales_owner=user)
    client = token_client(user, HTTP_ACCEPT_LANGUAGE=f"{header},en;q=0.1")
    # when it reads the opportunity
    response = client.get(reverse("opportunity-detail", args=[opportunity.pk]))
    # then the header's language answers
    expected = "zh-hant" if header.startswith("zh") else "en"
    assert response.json()["stage_display"] == EXPECTED[expected][1]


def test_an_unsupported_header_falls_back_to_the_profile(make_user, team):
    user = make_user(Role.SALES_REP, team=team, language="zh-hant")
    opportunity = OpportunityFactory(team=team, sales_owner=user)
    client = token_client(user, HTTP_ACCEPT_LANGUAGE="fr-FR,de;q=0.5")
    response = client.get(reverse("opportunity-detail", args=[opportunity.pk]))
    assert response.json()["stage_display"] == EXPECTED["zh-hant"][1]


def test_api_views_that_are_not_viewsets_use_the_language_too(make_user, team):
    """/api/v1/me/tokens/ is an APIView: its refusal speaks the user's language."""
    # given a zh-hant user calling with a token
    user = make_user(Role.SALES_REP, team=team, language="zh-hant")
    client = token_client(user)
    # when it reads /me/ and asks for a token with a token
    me = client.get(reverse("api-me"))
    refused = client.post(reverse("api-me-tokens"), {"name": "more"}, format="json")
    # then both answers are in traditional Chinese
    assert me.status_code == 200 and me["Content-Language"] == "zh-hant"
    assert refused.status_code == 403 and refused["Content-Language"] == "zh-hant"


def test_the_header_wins_for_a_signed_in_session_too(make_user, team):
    """The web's user-language middleware sets the profile's language; the API still honours
    the request's explicit header."""
    # given a zh-hans user signed in with a session, asking for English
    user = make_user(Role.SALES_REP, team=team, language="zh-hans")
    opportunity = OpportunityFactory(team=team, sales_owner=user)
    client = APIClient()
    client.force_login(user)
    # when it reads the opportunity with and without the header
    english = client.get(reverse("opportunity-detail", args=[opportunity.pk]), HTTP_ACCEPT_LANGUAGE="en")
    profile = client.get(reverse("opportunity-detail", args=[opportunity.pk]))
    # then the header decides, and without it the profile does
    assert english.json()["stage_display"] == EXPECTED["en"][1]
    assert profile.json()["stage_display"] == EXPECTED["zh-hans"][1]

"""``make run`` (local settings, DEBUG on) shows the app's own translated 404 page, not
Django's technical page listing every route (issue 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from presales.core.roles import Role
from tests.presales.test_settings import SETUP, run_python

pytestmark = pytest.mark.django_db

LOCAL_MIDDLEWARE = "presales.web.middleware.AppNotFoundPageMiddleware"


@pytest.fixture
def local_debug(settings):
    """DEBUG on with the middleware the local settings add."""
    settings.DEBUG = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, LOCAL_MIDDLEWARE]


def test_an_unknown_url_shows_the_apps_404_page_with_debug_on(client, local_debug):
    # when a missing page is asked for
    response = client.get("/no-such-page/")
    page = response.content.decode()
    # then it is the app's page, without Django's list of routes
    assert response.status_code == 404
    assert "This page does not exist, or you may not see it." in page
    assert "URLconf" not in page and "api/v1/" not in page


def test_the_404_page_speaks_the_users_language(client, make_user, team, local_debug):
    # given a signed-in user who reads traditional Chinese
    client.force_login(make_user(Role.SALES_REP, team=team, language="zh-hant"))
    # when a record out of reach is opened (its view raises Http404)
    response = client.get(reverse("opportunities:detail", args=[999999]))
    # then the app's page answers, translated
    page = response.content.decode()
    assert response.status_code == 404
    assert "頁面不存在，或您無權查看。" in page
    assert "URLconf" not in page and "Raised by" not in page


def test_api_404_answers_are_left_alone(client_for, make_user, team, local_debug):
    user = make_user(Role.SALES_REP, team=team)
    response = client_for(user).get(reverse("opportunity-detail", args=[999999]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_without_the_middleware_debug_shows_the_technical_page(client, settings):
    """The check above can fail: Django's own answer with DEBUG on lists the routes."""
    settings.DEBUG = True
    assert "URLconf" in client.get("/no-such-page/").content.decode()


@pytest.mark.subprocess
def test_the_local_settings_add_the_middleware():
    result = run_python(
        SETUP + "print(settings.DEBUG, settings.MIDDLEWARE[-1])\n",
        DJANGO_SETTINGS_MODULE="presales.settings.local",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", LOCAL_MIDDLEWARE]

"""Fixtures shared by the whole suite: teams, one user per role, API clients."""

import os

import pytest
from rest_framework.test import APIClient

from presales.core.roles import Role
from tests.factories import TeamFactory, UserFactory

# Sync Playwright drives the browser from the test thread while the ORM is used there too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the settings' language: a request made by an earlier test in the
    same worker leaves its user's language active on the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def team(db):
    return TeamFactory(name="East Presales")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="West Presales")


@pytest.fixture
def make_user(db):
    def make(*roles: str, team=None, **kwargs):
        return UserFactory(roles=list(roles), team=team, **kwargs)

    return make


@pytest.fixture
def engineer(make_user, team):
    return make_user(Role.PRESALES_ENGINEER, team=team, username="engineer")


@pytest.fixture
def sales_rep(make_user, team):
    return make_user(Role.SALES_REP, team=team, username="sales")


@pytest.fixture
def manager(make_user, team):
    """The presales manager of ``team``."""
    user = make_user(Role.PRESALES_MANAGER, team=team, username="manager")
    team.manager = user
    team.save()
    return user


@pytest.fixture
def other_engineer(make_user, other_team):
    return make_user(Role.PRESALES_ENGINEER, team=other_team, username="other_engineer")


@pytest.fixture
def general_manager(make_user, db):
    return make_user(Role.GENERAL_MANAGER, team=TeamFactory(name="Management"), username="gm")


@pytest.fixture
def no_role_user(make_user, team):
    return make_user(team=team, username="norole")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(api_client):
    """``client_for(user)``: an API client authenticated as ``user`` (None = anonymous)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium; never a downloaded browser (see ../shared/STACK.md)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }

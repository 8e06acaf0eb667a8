"""Fixtures of the training tests (R-KPI-1): a second engineer of the manager's team and an
administrator."""

from __future__ import annotations

import pytest

from presales.core.roles import Role


@pytest.fixture
def teammate(make_user, team):
    return make_user(Role.PRESALES_ENGINEER, team=team, username="teammate")


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")

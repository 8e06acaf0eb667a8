"""Fixtures of collaboration's tests: an R&D team with its head, manager and a member, and a
request from the presales ``engineer`` (team ``team``) to R&D."""

from datetime import timedelta

import pytest
from django.utils import timezone

from collaboration import services
from presales.core.roles import Role
from tests.factories import TeamFactory


@pytest.fixture
def rd_team(db):
    return TeamFactory(name="R&D Centre", department="rd")


@pytest.fixture
def rd_manager(make_user, rd_team):
    user = make_user(Role.PRESALES_MANAGER, team=rd_team, username="rd_manager")
    rd_team.manager = user
    rd_team.save()
    return user


@pytest.fixture
def rd_head(make_user, rd_team, rd_manager):
    return make_user(Role.DEPARTMENT_HEAD, team=rd_team, username="rd_head")


@pytest.fixture
def rd_member(make_user, rd_team):
    return make_user(Role.PRESALES_ENGINEER, team=rd_team, username="rd_member")


@pytest.fixture
def due():
    return timezone.now() + timedelta(days=7)


def submit(actor, *, due_at, **data):
    values = {"item": "PLC 接入評估", "target_department": "rd", "due_at": due_at, **data}
    return services.request_submit(actor=actor, data=values)


@pytest.fixture
def request_to_rd(engineer, rd_head, rd_member, due):
    return submit(engineer, due_at=due, description="舊PLC能否接入?", expected_result="可行性結論")

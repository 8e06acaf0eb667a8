import pytest

from presales.core.roles import Role
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def sales_team(db):
    return TeamFactory(name="East Sales")


@pytest.fixture
def sales_manager(sales_team):
    user = UserFactory(roles=[Role.SALES_MANAGER], team=sales_team, username="salesmanager")
    sales_team.manager = user
    sales_team.save()
    return user


@pytest.fixture
def rep(sales_team, sales_manager):
    return UserFactory(roles=[Role.SALES_REP], team=sales_team, username="rep")


@pytest.fixture
def rep2(sales_team, sales_manager):
    return UserFactory(roles=[Role.SALES_REP], team=sales_team, username="rep2")


@pytest.fixture
def west_team(db):
    return TeamFactory(name="West Sales")


@pytest.fixture
def west_manager(west_team):
    user = UserFactory(roles=[Role.SALES_MANAGER], team=west_team, username="westmanager")
    west_team.manager = user
    west_team.save()
    return user


@pytest.fixture
def west_rep(west_team, west_manager):
    return UserFactory(roles=[Role.SALES_REP], team=west_team, username="westrep")


@pytest.fixture
def gm(db):
    return UserFactory(roles=[Role.GENERAL_MANAGER], team=TeamFactory(name="Management"), username="gm")


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=[Role.ADMIN], team=TeamFactory(name="IT"), username="kpiadmin")

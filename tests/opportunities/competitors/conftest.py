import pytest

from tests.factories import CustomerFactory, OpportunityFactory


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    """An open opportunity of ``team`` the engineer works (presales owner), no competitors yet."""
    return OpportunityFactory(
        team=team,
        customer=CustomerFactory(team=team, owner=sales_rep),
        sales_owner=sales_rep,
        presales_owner=engineer,
        competitors=[],
        stage="solution",
    )

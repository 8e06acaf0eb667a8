import pytest

from tests.factories import ContactFactory, OpportunityFactory


@pytest.fixture
def opportunity(team, engineer):
    """An opportunity in needs analysis, owned on the presales side by ``engineer``."""
    return OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")


@pytest.fixture
def contact(opportunity):
    return ContactFactory(customer=opportunity.customer, name="王經理", email="wang@customer.example")


RIGID = {"kind": "rigid", "category": "performance", "description": "降低生產線能耗30%", "key_metric": "-30%"}
FLEXIBLE = {"kind": "flexible", "category": "service", "description": "提供操作培訓,員工掌握率100%"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The public link's rate-limit counters live in the cache: each test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

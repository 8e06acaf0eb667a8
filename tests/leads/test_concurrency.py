"""Two people name different primary presales engineers of one customer at the same moment
(R-CUST-5: exactly one primary), against the real PostgreSQL row locks, through the API.

Each thread has its own database connection. The first request to reach the assignment
holds the customer's row lock until PostgreSQL shows the other connection blocked on a lock,
so the two requests really overlap. Without ``select_for_update`` on the customer the second
request would not wait (this test fails), and two requests could both read "no primary yet"
and both insert a primary row, which the partial unique index refuses with an IntegrityError
(a 500).
"""

import threading

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from leads import services
from leads.models import CustomerPresales
from presales.core.roles import Role
from tests.concurrency import run_in_threads, wait_until_blocked
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def first_holds_the_lock(monkeypatch):
    """The first request to assign a primary waits, holding the customer's lock, until the
    other request is blocked behind it; records whether it saw that."""
    waited: list[bool] = []
    entered = threading.Lock()
    original = services._assign_primary

    def assign(customer, user, actor):
        if entered.acquire(blocking=False):
            waited.append(wait_until_blocked())
        return original(customer, user, actor)

    monkeypatch.setattr(services, "_assign_primary", assign)
    return waited


def test_two_primaries_named_at_once_leave_exactly_one_r_cust_5(
    make_user, manager, team, first_holds_the_lock
):
    """R-CUST-5: two simultaneous "make primary" requests for different engineers: both are
    answered (no 500), and the customer ends with exactly one primary, the other assisting."""
    # given a customer without a primary and two presales engineers of its team
    customer = CustomerFactory(team=team)
    first = make_user(Role.PRESALES_ENGINEER, team=team, username="first")
    second = make_user(Role.PRESALES_ENGINEER, team=team, username="second")
    url = reverse("customer-primary-presales", args=[customer.pk])

    def name_primary(engineer):
        client = APIClient()
        client.force_authenticate(manager)
        return client.post(url, {"user": engineer.pk}, format="json").status_code

    # when the manager's two requests run at the same moment
    outcomes = run_in_threads(
        *[lambda user=user: name_primary(user) for user in (first, second)], together=True
    )
    statuses = dict(zip(("first", "second"), outcomes, strict=True))

    # then both were answered without an error, the second really waited for the first,
    assert statuses == {"first": 200, "second": 200}
    assert first_holds_the_lock == [True]
    # and exactly one primary remains; the other engineer assists
    assignments = dict(
        CustomerPresales.objects.filter(customer=customer).values_list("user_id", "is_primary")
    )
    assert set(assignments) == {first.pk, second.pk}
    assert sorted(assignments.values()) == [False, True]

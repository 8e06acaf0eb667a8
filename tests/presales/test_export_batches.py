"""Exports behind a transaction pooler (issue 9): without server-side cursors the rows are
read in batches by primary key, in the list's order, never all at once."""

from __future__ import annotations

import pytest
from django.db import connection

from leads.exports import build_customers
from leads.models import Customer
from presales.core.roles import Role
from presales.exports.batches import iterate_in_batches
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_server_side_cursors(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)


@pytest.fixture
def customers(team):
    made = [CustomerFactory(team=team, name=f"Batch {name}") for name in "EBDAC"]
    for customer in made:
        ContactFactory(customer=customer)
    return made


def test_issue9_batches_keep_the_order_and_read_a_batch_per_query(
    customers, no_server_side_cursors, django_assert_num_queries
):
    queryset = (
        Customer.objects.filter(name__startswith="Batch").prefetch_related("contacts").order_by("-name")
    )
    # when the five customers are read two at a time without server-side cursors
    with django_assert_num_queries(1 + 3 * 2):  # the keys, then 3 batches of rows + contacts
        rows = list(iterate_in_batches(queryset, 2))
    # then they come in the queryset's order, each with its prefetched contacts
    assert [c.name for c in rows] == ["Batch E", "Batch D", "Batch C", "Batch B", "Batch A"]
    assert all(len(c.contacts.all()) == 1 for c in rows)


def test_issue9_batches_use_iterator_when_server_side_cursors_are_available(customers):
    queryset = Customer.objects.filter(name__startswith="Batch").order_by("name")
    assert connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS") is False
    assert [c.name for c in iterate_in_batches(queryset, 2)] == [c.name for c in queryset]


def test_issue9_the_customer_export_is_the_same_without_server_side_cursors(
    customers, make_user, team, monkeypatch
):
    engineer = make_user(Role.PRESALES_ENGINEER, team=team, username="batch_exporter")
    _header, rows, count = build_customers(engineer, {})
    with_cursors = list(rows)
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    _header, rows, count_batched = build_customers(engineer, {})
    assert list(rows) == with_cursors
    assert count == count_batched == 5

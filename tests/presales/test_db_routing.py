"""Read replica routing (issue 9, presales.core.dbrouting): safe requests read the replica,
writes and reads inside a transaction use the primary, a write request pins the browser to
the primary. The "replica" alias of the test settings mirrors the test database."""

from __future__ import annotations

import pytest
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from leads.models import Customer
from presales.core.dbrouting import PIN_COOKIE, ReplicaReadsMiddleware, skip_primary_pin
from presales.core.roles import Role
from tests.factories import CustomerFactory

ROUTER = ["presales.core.dbrouting.ReplicaRouter"]
# Transactional: inside the suite's usual per-test transaction every read would be a read
# "inside a transaction", which the router sends to the primary.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _where_reads_go(request):
    """Runs the middleware around a view that says where its reads and writes would go."""
    seen = {}

    def view(req):
        seen["read"] = Customer.objects.all().db
        seen["write"] = router.db_for_write(Customer)
        with transaction.atomic():
            seen["read_in_transaction"] = Customer.objects.all().db
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return seen, response


@override_settings(DATABASE_ROUTERS=ROUTER)
def test_issue9_router_sends_safe_reads_to_the_replica_and_the_rest_to_the_primary():
    """One test (each transactional test flushes the database): GET, POST, the pinned
    follow-up GET, and no request at all."""
    # given a GET request (a list page)
    seen, response = _where_reads_go(RequestFactory().get("/leads/customers/"))
    # then its plain reads go to the replica, writes and reads in a transaction to the primary
    assert seen == {"read": "replica", "write": "default", "read_in_transaction": "default"}
    # and a safe request does not pin the browser
    assert PIN_COOKIE not in response.cookies

    # given a POST (a form saved)
    seen, response = _where_reads_go(RequestFactory().post("/leads/customers/new/"))
    # then everything it reads comes from the primary, and the browser is pinned to it
    assert seen == {"read": "default", "write": "default", "read_in_transaction": "default"}
    assert PIN_COOKIE in response.cookies
    # when it follows the redirect with the cookie, the GET reads the primary too
    follow = RequestFactory().get("/leads/customers/")
    follow.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
    seen, _response = _where_reads_go(follow)
    assert seen["read"] == "default"

    # given no request at all (a Celery task, a management command): the primary
    assert Customer.objects.all().db == "default"
    # and only the primary is migrated
    assert router.allow_migrate("replica", "leads") is False
    assert router.allow_migrate("default", "leads") is True

    # given the router switched off (no DATABASE_REPLICA_URL): the primary for everything
    with override_settings(DATABASE_ROUTERS=[]):
        seen, _response = _where_reads_go(RequestFactory().get("/leads/customers/"))
    assert seen == {"read": "default", "write": "default", "read_in_transaction": "default"}


@override_settings(DATABASE_ROUTERS=ROUTER)
def test_issue9_a_list_page_is_read_from_the_replica(client, make_user, team):
    # given an engineer and a customer of their team, committed (the replica is another connection)
    engineer = make_user(Role.PRESALES_ENGINEER, team=team, username="replica_reader")
    CustomerFactory(team=team, name="Replica Read Co")
    client.force_login(engineer)
    # when the customer list is opened
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get("/leads/customers/")
    # then the page shows the customer, read through the replica connection
    assert response.status_code == 200
    assert "Replica Read Co" in response.content.decode()
    assert any("leads_customer" in q["sql"] for q in replica.captured_queries)
    assert not any("leads_customer" in q["sql"] for q in primary.captured_queries)


def test_issue10_a_response_that_must_set_no_cookie_skips_the_pin():
    """R-NEED-3: the public confirmation page answers its POST in place and sets no cookie;
    ``skip_primary_pin`` keeps the middleware's pin off that one response only."""
    pinned = ReplicaReadsMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().post("/x/"))
    unpinned = ReplicaReadsMiddleware(lambda request: skip_primary_pin(HttpResponse("ok")))(
        RequestFactory().post("/x/")
    )
    assert PIN_COOKIE in pinned.cookies
    assert not unpinned.cookies

"""No lost updates (issue 8, item 11): every record edited through forms and the API carries
a version; an edit built from an older read is refused with 409 ``stale`` and the change
made in between is kept.

The API cases build a PUT from a GET the way a client does (the read's writable fields,
one of them changed), twice from the same read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from leads.services import customer_update
from opportunities.services import initiation_save
from presales.core.roles import Role
from presales.sla.defaults import LEAD_FIRST_CONTACT
from presales.sla.services import sla_policy_update
from tests.concurrency import PauseAfterFirstLock, run_in_threads
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    LeadFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
    ReviewChainFactory,
    TeamFactory,
    UserFactory,
)


@dataclass
class Resource:
    """One editable resource: who may edit it, its URL, and a field two writers change."""

    user: Any
    url: str
    field: str
    first: Any
    second: Any
    # Read fields a PUT must not send back (read-only on update) …
    drop: tuple[str, ...] = ()
    # … or, for a resource whose OPTIONS do not describe its PUT, the fields it sends.
    send: tuple[str, ...] = ()
    # The initiation has PUT only (it is written as a whole).
    patch: bool = True


def _customer(team):
    customer = CustomerFactory(team=team, region="Shanghai")
    return Resource(
        customer.owner,
        f"/api/v1/customers/{customer.pk}/",
        "region",
        "Beijing",
        "Shenzhen",
        drop=("primary_presales",),
    )


def _contact(team):
    contact = ContactFactory(customer=CustomerFactory(team=team))
    return Resource(contact.customer.owner, f"/api/v1/contacts/{contact.pk}/", "title", "CTO", "CFO")


def _lead(team):
    lead = LeadFactory(team=team)
    return Resource(lead.owner, f"/api/v1/leads/{lead.pk}/", "contact_title", "CTO", "COO")


def _communication(team):
    author = UserFactory(roles=[Role.PRESALES_ENGINEER], team=team)
    record = CommunicationFactory(customer=CustomerFactory(team=team), author=author)
    return Resource(
        author, f"/api/v1/communications/{record.pk}/", "key_points", "Budget agreed.", "No budget."
    )


def _opportunity(team):
    opportunity = OpportunityFactory(team=team)
    return Resource(
        opportunity.sales_owner, f"/api/v1/opportunities/{opportunity.pk}/", "title", "Line A", "Line B"
    )


def _initiation(team):
    initiation = ProjectInitiationFactory(opportunity=OpportunityFactory(team=team))
    return Resource(
        initiation.opportunity.sales_owner,
        f"/api/v1/opportunities/{initiation.opportunity_id}/initiation/",
        "background",
        "A new plant in Suzhou.",
        "Two plants in Wuxi.",
        send=("background", "sales_strategy", "expected_goals"),
        patch=False,
    )


def _review_chain(team):
    chain = ReviewChainFactory()
    admin = UserFactory(roles=[Role.ADMIN], team=team)
    return Resource(admin, f"/api/v1/review-chains/{chain.pk}/", "name", "Chain one", "Chain two")


def _sla_policy(team):
    admin = UserFactory(roles=[Role.ADMIN], team=team)
    sla_policy_update(actor=admin, kind=LEAD_FIRST_CONTACT, data={})
    return Resource(admin, f"/api/v1/sla-policies/{LEAD_FIRST_CONTACT}/", "max_escalations", 2, 3)


RESOURCES = {
    "customer": _customer,
    "contact": _contact,
    "lead": _lead,
    "communication": _communication,
    "opportunity": _opportunity,
    "initiation": _initiation,
    "review-chain": _review_chain,
    "sla-policy": _sla_policy,
}


@pytest.fixture(params=sorted(RESOURCES))
def resource(request, db):
    return RESOURCES[request.param](TeamFactory(name="East Presales"))


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _put_body(client: APIClient, resource: Resource, read: dict, value) -> dict:
    """The read as a client would send it back: the fields the API accepts, one changed.
    The writable fields are those OPTIONS lists without ``read_only``."""
    writable = set(resource.send)
    if not writable:
        options = client.options(resource.url).json()
        writable = {name for name, spec in options["actions"]["PUT"].items() if not spec.get("read_only")}
    body = {name: value for name, value in read.items() if name in writable and name not in resource.drop}
    body[resource.field] = value
    return body


def _change(client: APIClient, resource: Resource, value, **extra):
    """Change one field: a PATCH, or a PUT of the current values where there is no PATCH."""
    if resource.patch:
        return client.patch(resource.url, {resource.field: value, **extra}, format="json")
    body = _put_body(client, resource, client.get(resource.url).json(), value)
    return client.put(resource.url, {**body, **extra}, format="json")


def test_two_puts_from_the_same_read_the_second_is_refused_and_the_first_kept(resource):
    """Issue 8 item 11: a PUT built from the same read as an earlier one answers 409
    ``stale`` naming the field changed since, and the first change stays."""
    # given two writers who read the same version
    client = _client(resource.user)
    read = client.get(resource.url)
    assert read.status_code == 200, read.json()
    version = read.json()["version"]
    assert read["ETag"] == f'W/"{version}"'
    first = _put_body(client, resource, read.json(), resource.first)
    second = _put_body(client, resource, read.json(), resource.second)
    # when both send their change with the version they read
    one = client.put(resource.url, first, format="json", HTTP_IF_MATCH=read["ETag"])
    two = client.put(resource.url, second, format="json", HTTP_IF_MATCH=read["ETag"])
    # then the first is saved with the next version, the second refused as stale
    assert one.status_code == 200, one.json()
    assert one.json()["version"] == version + 1
    assert one["ETag"] == f'W/"{version + 1}"'
    assert two.status_code == 409, two.json()
    body = two.json()
    assert body["code"] == "stale" and body["version"] == version + 1
    assert set(body) >= {"message", "fields", "changed_fields", "changed_by", "changed_at"}
    assert resource.field in body["changed_fields"]
    # and the first change is what the record holds
    assert client.get(resource.url).json()[resource.field] == resource.first


def test_version_in_the_body_works_as_if_match(resource):
    """Issue 8 item 11: a ``version`` in the body is checked like If-Match."""
    # given a record changed since the client read version 1
    client = _client(resource.user)
    read = client.get(resource.url).json()
    ok = _change(client, resource, resource.first, version=read["version"])
    assert ok.status_code == 200, ok.json()
    # when the client sends its change with the old version in the body
    stale = _change(client, resource, resource.second, version=read["version"])
    # then it is refused and the earlier change kept
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert client.get(resource.url).json()[resource.field] == resource.first


@pytest.mark.django_db
def test_if_match_matching_is_accepted_and_mismatching_refused():
    """Issue 8 item 11: If-Match equal to the current version 200, another 409, garbage 400."""
    # given a customer at version 1
    resource = _customer(TeamFactory(name="East Presales"))
    client = _client(resource.user)
    # when a change names another version, then it is refused without a write
    refused = client.patch(resource.url, {"region": "Beijing"}, format="json", HTTP_IF_MATCH='W/"7"')
    assert refused.status_code == 409 and refused.json()["code"] == "stale"
    assert client.get(resource.url).json()["region"] == "Shanghai"
    # when it names a malformed ETag, then 400 on version
    malformed = client.patch(resource.url, {"region": "Beijing"}, format="json", HTTP_IF_MATCH="yesterday")
    assert malformed.status_code == 400 and "version" in malformed.json()["fields"]
    # when it names the current version (strong or weak), then it is saved
    strong = client.patch(resource.url, {"region": "Beijing"}, format="json", HTTP_IF_MATCH='"1"')
    assert strong.status_code == 200 and strong.json()["version"] == 2
    weak = client.patch(resource.url, {"region": "Wuhan"}, format="json", HTTP_IF_MATCH=strong["ETag"])
    assert weak.status_code == 200 and weak["ETag"] == 'W/"3"'


def test_a_write_without_a_version_is_accepted(resource):
    """Issue 8 item 11: older sales tools send neither If-Match nor version: accepted,
    and the version still goes up (so other writers' reads become stale)."""
    # given a record
    client = _client(resource.user)
    version = client.get(resource.url).json()["version"]
    # when a PATCH carries no version
    response = _change(client, resource, resource.first)
    # then it is saved
    assert response.status_code == 200, response.json()
    assert response.json()[resource.field] == resource.first
    assert response.json()["version"] == version + 1


# --- web forms -----------------------------------------------------------------------------


def _form_data(form) -> dict:
    """What the browser posts for ``form`` as rendered (its current values)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    return data


@pytest.mark.django_db
def test_a_stale_edit_form_shows_who_changed_what_and_keeps_their_change(client):
    """Issue 8 item 11: two browser tabs edit one customer; the later save is refused with
    a clear message, the form shows the current values and nothing is overwritten."""
    # given a customer edit form opened by its owner
    team = TeamFactory(name="East Presales")
    customer = CustomerFactory(team=team, region="Shanghai", address="1 Old Road")
    colleague = UserFactory(roles=[Role.SALES_MANAGER], team=team, display_name="Wang Fang")
    client.force_login(customer.owner)
    url = reverse("leads:customer_edit", args=[customer.pk])
    page = client.get(url)
    form = page.context["form"]
    assert form["version"].value() == 1
    assert 'name="version"' in page.content.decode()
    # and a colleague saves a change meanwhile
    customer_update(actor=colleague, customer=customer, data={"region": "Beijing"}, expected_version=1)
    # when the owner saves the form built on the old read
    data = _form_data(form)
    data["address"] = "2 New Road"
    response = client.post(url, data)
    # then the form comes back with the message and the current values, nothing saved
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("This record was changed by Wang Fang at ")
    assert errors[0].endswith("while you were editing: Region. Review the current values and save again.")
    assert response.context["form"]["region"].value() == "Beijing"
    assert response.context["form"]["version"].value() == 2
    customer.refresh_from_db()
    assert (customer.region, customer.address, customer.version) == ("Beijing", "1 Old Road", 2)
    # when the owner saves again from the form as shown, then it is saved
    again = _form_data(response.context["form"])
    again["address"] = "2 New Road"
    saved = client.post(url, again)
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert (customer.region, customer.address, customer.version) == ("Beijing", "2 New Road", 3)


@pytest.mark.django_db
def test_an_edit_form_saved_without_interference_is_saved(client):
    """Issue 8 item 11: the hidden version of an unchanged record passes."""
    # given an opportunity edit form
    opportunity = OpportunityFactory(team=TeamFactory(name="East Presales"))
    client.force_login(opportunity.sales_owner)
    url = reverse("opportunities:update", args=[opportunity.pk])
    data = _form_data(client.get(url).context["form"])
    data["title"] = "New title"
    # when it is sent, then it is saved with the next version
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.version) == ("New title", 2)


# --- concurrency (PostgreSQL row locks) ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_patches_with_the_same_if_match_yield_one_winner():
    """Issue 8 item 11: two PATCHes from the same read at the same moment: the first holds
    the row lock until the second waits behind it; exactly one 200, one 409 ``stale``."""
    # given an opportunity at version 1
    opportunity = OpportunityFactory(team=TeamFactory(name="East Presales"))
    url = f"/api/v1/opportunities/{opportunity.pk}/"
    pause = PauseAfterFirstLock()

    def first():
        with pause.installed():
            return _client(opportunity.sales_owner).patch(
                url, {"title": "First"}, format="json", HTTP_IF_MATCH='W/"1"'
            )

    def second():
        pause.holding.wait(timeout=30)
        return _client(opportunity.sales_owner).patch(
            url, {"title": "Second"}, format="json", HTTP_IF_MATCH='W/"1"'
        )

    # when both run
    one, two = run_in_threads(first, second)
    # then the first won, the second waited and was refused as stale
    assert pause.waited == [True]
    assert (one.status_code, two.status_code) == (200, 409), (one.content, two.content)
    assert two.json()["code"] == "stale"
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.version) == ("First", 2)


@pytest.mark.django_db
def test_a_stale_initiation_form_shows_the_current_request(client):
    """Issue 8 item 11 on the initiation request (R-OPP-2): a save built on an older read is
    refused with the message, the form shows the colleague's text, nothing is overwritten."""
    # given a draft request, read by its sales owner
    initiation = ProjectInitiationFactory(opportunity=OpportunityFactory(team=TeamFactory(name="East")))
    owner = initiation.opportunity.sales_owner
    url = reverse("opportunities:initiation", args=[initiation.opportunity_id])
    client.force_login(owner)
    assert client.get(url).context["form"]["version"].value() == 1
    # and changed by the presales owner meanwhile
    initiation_save(
        actor=initiation.opportunity.presales_owner,
        opportunity=initiation.opportunity,
        data={"background": "Changed by presales."},
        expected_version=1,
    )
    # when the sales owner saves with the version they read
    response = client.post(
        url,
        {
            "version": "1",
            "background": "Changed by sales.",
            "sales_strategy": "S",
            "expected_goals": "G",
            "team-TOTAL_FORMS": "0",
            "team-INITIAL_FORMS": "0",
            "save": "1",
        },
    )
    # then the form shows the current request and the message; the first change is kept
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith("This record was changed by ")
    assert errors[0].endswith(
        "while you were editing: Basic facts. Review the current values and save again."
    )
    assert response.context["form"]["background"].value() == "Changed by presales."
    initiation.refresh_from_db()
    assert (initiation.background, initiation.version) == ("Changed by presales.", 2)


@pytest.mark.django_db
def test_a_stale_sla_policy_form_is_refused(client):
    """Issue 8 item 11 on SLA policies (R-SLA-4): the policy's own version (copied onto
    timers) is the one the form sends; an edit built on an older one is refused."""
    # given a saved policy, read by an admin, then changed by another admin
    admin, other = (UserFactory(roles=[Role.ADMIN], team=TeamFactory(name="HQ")) for _ in range(2))
    policy = sla_policy_update(actor=admin, kind=LEAD_FIRST_CONTACT, data={})
    url = reverse("sla:policy_edit", args=[LEAD_FIRST_CONTACT])
    client.force_login(admin)
    data = _form_data(client.get(url).context["form"])
    assert data["version"] == str(policy.version)
    sla_policy_update(
        actor=other, kind=LEAD_FIRST_CONTACT, data={"max_escalations": 4}, expected_version=policy.version
    )
    # when the first admin saves the form as read
    data["max_escalations"] = "2"
    response = client.post(url, data)
    # then it is refused with the message and the current values, the other change kept
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(f"This record was changed by {other} at ")
    assert response.context["form"]["max_escalations"].value() == 4
    policy.refresh_from_db()
    assert (policy.max_escalations, policy.version) == (4, int(data["version"]) + 1)

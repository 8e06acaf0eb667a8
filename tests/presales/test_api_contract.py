"""The API error contract: malformed input on every write endpoint answers 400 with
``{"code", "message", "fields"}`` and never 500; 404 and 405 keep the same shape; the
OpenAPI schema is complete and valid."""

import functools
import json
import os
import re

import jsonschema
import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.models import CommunicationRecord, Customer, Lead
from opportunities.choices import InitiationStatus, ProjectRole, Stage
from presales.core.roles import Role
from presales.sla.models import SlaPolicy
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    LeadFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
)
from tests.presales.api_endpoints import BUILDERS, list_endpoints, write_endpoints
from tests.proposals.solutions.factories import approved_solution

pytestmark = pytest.mark.django_db

MISSING = 999_999_999
HUGE = 10**30


@pytest.fixture
def records(engineer, team):
    customer = CustomerFactory(team=team)
    return {
        "customer": customer,
        "contact": ContactFactory(customer=customer),
        "lead": LeadFactory(team=team),
        "communication": CommunicationFactory(customer=customer, author=engineer),
    }


# endpoint name: (method, url name, record the URL points at)
ENDPOINTS = {
    "customer-create": ("post", "customer-list", None),
    "customer-patch": ("patch", "customer-detail", "customer"),
    "customer-put": ("put", "customer-detail", "customer"),
    "customer-merge": ("post", "customer-merge", "customer"),
    "customer-primary-presales": ("post", "customer-primary-presales", "customer"),
    "customer-assistants": ("post", "customer-assistants", "customer"),
    "contact-create": ("post", "contact-list", None),
    "contact-patch": ("patch", "contact-detail", "contact"),
    "contact-put": ("put", "contact-detail", "contact"),
    "lead-create": ("post", "lead-list", None),
    "lead-patch": ("patch", "lead-detail", "lead"),
    "lead-put": ("put", "lead-detail", "lead"),
    "lead-first-contact": ("post", "lead-first-contact", "lead"),
    "lead-qualify": ("post", "lead-qualify", "lead"),
    "lead-disqualify": ("post", "lead-disqualify", "lead"),
    "lead-merge": ("post", "lead-merge", "lead"),
    "communication-create": ("post", "communication-list", None),
    "communication-patch": ("patch", "communication-detail", "communication"),
    "communication-put": ("put", "communication-detail", "communication"),
}

CUSTOMER = {"name": "Acme", "industry": "energy"}
LEAD = {"source": "website", "company_name": "Acme", "contact_name": "Wang", "phone": "13800138000"}
COMMUNICATION = {"channel": "phone", "key_points": "Call."}
EVALUATION = dict.fromkeys(("background", "needs", "budget", "competition", "timeline"), "ok")

# endpoint: {case: (payload, field named in the error)}; a payload is merged into the
# endpoint's otherwise valid base so that only the case's field is wrong.
BASES = {
    "customer-create": CUSTOMER,
    "customer-patch": {},
    "customer-put": CUSTOMER,
    "customer-merge": {},
    "customer-primary-presales": {},
    "customer-assistants": {},
    "contact-create": {"name": "Wang", "source": "business_card"},
    "contact-patch": {},
    "contact-put": {"name": "Wang", "source": "business_card"},
    "lead-create": LEAD,
    "lead-patch": {},
    "lead-put": LEAD,
    "lead-first-contact": COMMUNICATION,
    "lead-qualify": {"evaluation": EVALUATION},
    "lead-disqualify": {"reason": "no_need"},
    "lead-merge": {},
    "communication-create": COMMUNICATION,
    "communication-patch": {},
    "communication-put": COMMUNICATION,
}

CUSTOMER_CASES = {
    "wrong type": ({"employees": "many"}, "employees"),
    "wrong type list": ({"need_tags": "降本"}, "need_tags"),
    "unknown choice": ({"industry": "space_mining"}, "industry"),
    "grade choice": ({"grade": "Z"}, "grade"),
    "missing foreign key": ({"team": MISSING}, "team"),
    "foreign key overflow": ({"owner": HUGE}, "owner"),
    "negative revenue": ({"annual_revenue": "-1.00"}, "annual_revenue"),
    "huge revenue": ({"annual_revenue": "1e30"}, "annual_revenue"),
    "huge employees": ({"employees": HUGE}, "employees"),
    "score out of range": ({"fit_score": 6}, "fit_score"),
    "overlong name": ({"name": "x" * 201}, "name"),
    "overlong tag": ({"need_tags": ["x" * 51]}, "need_tags"),
    "nul character": ({"region": "a\x00b"}, "region"),
    "bad url": ({"website": "not a url"}, "website"),
    "unknown field": ({"colour": "red"}, "colour"),
}
CONTACT_CASES = {
    "wrong type": ({"name": {"first": "Wang"}}, "name"),
    "unknown choice": ({"decision_role": "king"}, "decision_role"),
    "bad email": ({"email": "not-an-email"}, "email"),
    "overlong name": ({"name": "x" * 101}, "name"),
    "overlong phone": ({"phone": "1" * 41}, "phone"),
    "unknown field": ({"age": 40}, "age"),
}
LEAD_CASES = {
    "wrong type": ({"budget": "lots"}, "budget"),
    "wrong type bool": ({"company_name": True}, "company_name"),
    "unknown choice": ({"source": "carrier_pigeon"}, "source"),
    "missing customer": ({"customer": MISSING}, "customer"),
    "missing owner": ({"owner": MISSING}, "owner"),
    "foreign key wrong type": ({"team": "east"}, "team"),
    "negative budget": ({"budget": "-5"}, "budget"),
    "huge budget": ({"budget": HUGE}, "budget"),
    "too many decimals": ({"budget": "1.001"}, "budget"),
    "bad datetime": ({"received_at": "yesterday"}, "received_at"),
    "datetime out of range": ({"received_at": "0001-01-01T00:00:00+14:00"}, "received_at"),
    "future receipt": ({"received_at": "2999-01-01T00:00:00Z"}, "received_at"),
    "overlong company": ({"company_name": "x" * 201}, "company_name"),
    "bad email": ({"email": "@"}, "email"),
    "read-only status": ({"status": "qualified"}, "status"),
    "unknown field": ({"priority": "high"}, "priority"),
}
COMMUNICATION_CASES = {
    "wrong type": ({"key_points": ["a", "b"]}, "key_points"),
    "unknown choice": ({"channel": "telepathy"}, "channel"),
    "missing contact": ({"contact": MISSING}, "contact"),
    "bad datetime": ({"next_step_due_at": "soon"}, "next_step_due_at"),
    "year out of range": ({"occurred_at": "99999-01-01T00:00:00Z"}, "occurred_at"),
    "future interaction": ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
    "overlong place": ({"place": "x" * 201}, "place"),
    "unknown field": ({"mood": "happy"}, "mood"),
}
CASES = {
    "customer-create": CUSTOMER_CASES,
    "customer-patch": CUSTOMER_CASES,
    "customer-put": {"missing required": ({"name": None}, "name"), **CUSTOMER_CASES},
    "customer-merge": {
        "missing target": ({"target": MISSING}, "target"),
        "target overflow": ({"target": HUGE}, "target"),
        "target wrong type": ({"target": [1]}, "target"),
        "no target": ({}, "target"),
        "unknown field": ({"target": MISSING, "force": True}, "force"),
    },
    "customer-primary-presales": {
        "missing user": ({"user": MISSING}, "user"),
        "null user": ({"user": None}, "user"),
        "user wrong type": ({"user": "engineer"}, "user"),
    },
    "customer-assistants": {
        "missing user": ({"user": MISSING}, "user"),
        "user overflow": ({"user": -HUGE}, "user"),
    },
    "contact-create": {
        "missing customer": ({"customer": MISSING}, "customer"),
        "no customer": ({}, "customer"),
        **CONTACT_CASES,
    },
    "contact-patch": {"customer is create-only": ({"customer": 1}, "customer"), **CONTACT_CASES},
    "contact-put": CONTACT_CASES,
    "lead-create": {"bad confirmation": ({"allow_duplicate": "maybe"}, "allow_duplicate"), **LEAD_CASES},
    "lead-patch": LEAD_CASES,
    "lead-put": LEAD_CASES,
    "lead-first-contact": {
        **COMMUNICATION_CASES,
        "bad email correction": ({"email": "x"}, "email"),
        "overlong contact": ({"contact_name": "x" * 101}, "contact_name"),
    },
    "lead-qualify": {
        "evaluation wrong type": ({"evaluation": ["background"]}, "evaluation"),
        "aspect wrong type": ({"evaluation": {**EVALUATION, "budget": {"amount": 1}}}, "evaluation"),
        "unknown aspect": ({"evaluation": {**EVALUATION, "mood": "good"}}, "evaluation"),
        "missing customer": ({"customer": MISSING}, "customer"),
        "no evaluation": ({"evaluation": None}, "evaluation"),
    },
    "lead-disqualify": {
        "unknown choice": ({"reason": "weather"}, "reason"),
        "note wrong type": ({"note": {"text": "x"}}, "note"),
    },
    "lead-merge": {
        "missing target": ({"target": MISSING}, "target"),
        "target wrong type": ({"target": "next"}, "target"),
    },
    "communication-create": {
        "missing customer": ({"customer": MISSING}, "customer"),
        "lead wrong type": ({"lead": {"id": 1}}, "lead"),
        **COMMUNICATION_CASES,
    },
    "communication-patch": {"lead is create-only": ({"lead": 1}, "lead"), **COMMUNICATION_CASES},
    "communication-put": COMMUNICATION_CASES,
}


def valid_base(endpoint, records) -> dict:
    """The endpoint's valid body (creates of contacts and communications need a customer)."""
    base = dict(BASES[endpoint])
    if endpoint in ("contact-create", "communication-create"):
        base["customer"] = records["customer"].pk
    return base


def endpoint_url(name, records):
    _method, url_name, record = ENDPOINTS[name]
    return reverse(url_name, args=[records[record].pk]) if record else reverse(url_name)


def send(client, name, records, body, content_type="application/json"):
    method = ENDPOINTS[name][0]
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(endpoint_url(name, records), raw, content_type=content_type)


def assert_contract(response, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert {"code", "message", "fields"} <= set(body)
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body["fields"].values())
    return body


FIELD_CASES = [(name, case) for name, cases in CASES.items() for case in cases]


@pytest.mark.parametrize(("endpoint", "case"), FIELD_CASES, ids=[f"{n}: {c}" for n, c in FIELD_CASES])
def test_malformed_field_answers_400_naming_the_field(client_for, engineer, records, endpoint, case):
    payload, field = CASES[endpoint][case]
    body = {**valid_base(endpoint, records), **payload}
    if case in ("no target", "no customer"):
        body = {}
    # when the request carries one malformed field
    response = send(client_for(engineer), endpoint, records, body)
    # then the answer is 400 naming it, and nothing was written
    errors = assert_contract(response)
    assert field in errors["fields"], errors
    assert Customer.objects.count() == 1
    assert Lead.objects.count() == 1
    assert CommunicationRecord.objects.count() == 1


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"name": NaN}', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
    ],
    ids=["invalid json", "nan", "array", "string", "null", "not utf-8"],
)
def test_unparseable_or_non_object_body_answers_400(
    client_for, engineer, records, endpoint, body, content_type
):
    response = send(client_for(engineer), endpoint, records, body, content_type)
    assert_contract(response)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_unsupported_media_type_keeps_the_contract(client_for, engineer, records, endpoint):
    response = send(client_for(engineer), endpoint, records, "name=x", content_type="text/plain")
    assert_contract(response, 415)


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "customer-detail"),
        ("get", "contact-detail"),
        ("get", "lead-detail"),
        ("get", "communication-detail"),
        ("patch", "lead-detail"),
        ("delete", "contact-detail"),
        ("post", "lead-qualify"),
        ("post", "customer-merge"),
    ],
)
@pytest.mark.parametrize("pk", [MISSING, HUGE])
def test_404_body_shape(client_for, engineer, method, url_name, pk):
    response = getattr(client_for(engineer), method)(reverse(url_name, args=[pk]), {}, format="json")
    assert assert_contract(response, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "url_name", "record"),
    [
        ("delete", "customer-detail", "customer"),
        ("delete", "lead-detail", "lead"),
        ("delete", "communication-detail", "communication"),
        ("put", "lead-duplicates", None),
        ("post", "customer-export", None),
        ("get", "lead-qualify", "lead"),
        ("patch", "customer-list", None),
    ],
)
def test_405_body_shape(client_for, engineer, records, method, url_name, record):
    url = reverse(url_name, args=[records[record].pk]) if record else reverse(url_name)
    body = assert_contract(getattr(client_for(engineer), method)(url), 405)
    assert body["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": "lots"},
        {"cursor": "garbage"},
        {"ordering": "\x00"},
        {"q": "a\x00b"},
        {"team": "east"},
        {"received_after": "someday"},
    ],
)
@pytest.mark.parametrize("url_name", ["customer-list", "contact-list", "lead-list", "communication-list"])
def test_odd_list_parameters_never_500(client_for, engineer, records, url_name, params):
    response = client_for(engineer).get(reverse(url_name), params)
    assert response.status_code < 500
    if response.status_code != 200:
        assert_contract(response, response.status_code)


def test_duplicate_check_parameters_are_validated(client_for, engineer):
    response = client_for(engineer).get(reverse("lead-duplicates"), {"phone": "1" * 41})
    assert "phone" in assert_contract(response)["fields"]


# --- random input never breaks the server --------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)

FIELD_NAMES = sorted(
    {key for cases in CASES.values() for payload, _field in cases.values() for key in payload}
    | {key for base in BASES.values() for key in base}
)


def json_objects(base: dict):
    """Objects biased toward real field names, sometimes starting from a valid body."""
    keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=12)
    random = st.dictionaries(keys, json_values, max_size=8)
    return st.one_of(random, random.map(lambda extra: {**base, **extra}))


HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize(
    "endpoint",
    ["customer-create", "contact-create", "lead-create", "communication-create", "lead-first-contact"],
)
def test_random_json_objects_never_cause_a_server_error(client_for, engineer, records, endpoint):
    client = client_for(engineer)
    base = valid_base(endpoint, records)

    @HYPOTHESIS
    @given(body=json_objects(base))
    def post_random(body):
        response = send(client, endpoint, records, body)
        assert response.status_code < 500, (body, response.content)
        if response.status_code >= 400:
            assert_contract(response, response.status_code)

    post_random()


# --- the OpenAPI schema --------------------------------------------------------------------------


def test_schema_validates_without_warnings(tmp_path):
    """``manage.py spectacular --validate --fail-on-warn`` passes (generated clients work)."""
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.stat().st_size > 0


def test_schema_documents_the_error_responses_of_every_leads_operation(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    prefixes = ("/api/v1/customers/", "/api/v1/contacts/", "/api/v1/leads/", "/api/v1/communications/")
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        if path.startswith(prefixes)
        for method, op in item.items()
    ]
    assert len(operations) >= 25
    for path, method, op in operations:
        codes = set(op["responses"])
        assert {"401", "403"} <= codes, (path, method)
        if "{id}" in path:
            assert "404" in codes, (path, method)
        if method in ("post", "put", "patch"):
            assert "400" in codes, (path, method)
        if method in ("put", "patch") or (method == "post" and "{id}" in path):
            assert "409" in codes, (path, method)


# --- every app's endpoints, discovered: random and malformed input never breaks the server -------
# The endpoints come from the URL resolver (tests/presales/api_endpoints.py), so an endpoint
# added later is fuzzed without being listed here. Each gets a bounded number of examples.

WRITES = write_endpoints()
LISTS = list_endpoints()
FUZZ = settings(
    max_examples=int(os.environ.get("PRESALES_FUZZ_EXAMPLES", 12)),
    deadline=None,
    derandomize="PRESALES_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@functools.cache
def api_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@functools.cache
def request_field_names() -> list[str]:
    """Every property of every request body in the OpenAPI schema: random keys lean on them."""
    return sorted(
        {
            name
            for component, body in api_schema()["components"]["schemas"].items()
            if component.endswith("Request")
            for name in body.get("properties", {})
        }
    )


def takes_body(url: str, method: str) -> bool:
    """Whether the schema documents a request body for this operation (e.g. ``read-all``
    takes none, so whatever is sent is not read)."""
    for path, operations in api_schema()["paths"].items():
        if re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)), url) and method in operations:
            return "requestBody" in operations[method]
    raise AssertionError(f"{method.upper()} {url} is not in the OpenAPI schema")


@pytest.fixture
def admin(make_user, team):
    """Every write is open to an admin, so the fuzz reaches the services, not only the 403."""
    return make_user(Role.ADMIN, team=team, username="admin")


def url_for(endpoint, admin, team) -> str:
    """The endpoint's URL on a record the admin sees (built for it)."""
    if not endpoint.params:
        return endpoint.url()
    if endpoint.params == ("kind",):
        return endpoint.url(kind=SlaPolicy.objects.order_by("kind").values_list("kind", flat=True)[0])
    label = endpoint.model._meta.label_lower
    assert label in BUILDERS, f"Add a record builder for {label} ({endpoint.id})."
    (record,) = BUILDERS[label](admin, team, 1)
    return endpoint.url(pk=record.pk)


def check_answer(response, context):
    """Never a server error; every 4xx is the error contract."""
    assert response.status_code < 500, (context, response.content[:500])
    if response.status_code >= 400:
        assert_contract(response, response.status_code)


# Not a JSON object: a 400 wherever a body is read.
NOT_AN_OBJECT = [
    "{not json",
    '{"name": NaN}',
    "[1, 2, 3]",
    '"just a string"',
    "null",
    "1e999",
    b"\xff\xfe\x00",
]
# An object, but an odd one: never a server error (lenient serializers may ignore the keys).
ODD_OBJECTS = ['{"a": ' * 200 + "1" + "}" * 200, '{"id": 1, "id": "x"}', '{"\\u0000": "\\ud800"}']


@pytest.mark.parametrize("endpoint", WRITES, ids=[e.id for e in WRITES])
def test_every_write_endpoint_answers_malformed_and_random_json_within_the_contract(
    client_for, admin, team, endpoint
):
    """Issue 8 item 12: malformed bodies are a 400 and random objects never a 500, on every
    POST/PUT/PATCH of every app (CRUD and actions)."""
    # given the endpoint's URL on a record the caller sees
    client = client_for(admin)
    url = url_for(endpoint, admin, team)
    send_raw = getattr(client, endpoint.method)
    reads_body = takes_body(url, endpoint.method)
    # when the body is not a JSON object, then the answer is a 400 in the contract
    for body in NOT_AN_OBJECT:
        response = send_raw(url, body, content_type="application/json")
        check_answer(response, body)
        if reads_body:  # (404/409: the action's own sub-record is missing or in the wrong state)
            assert response.status_code in (400, 404, 409), (body, response.content[:300])
    # when it is an odd object, then never a server error
    for body in ODD_OBJECTS:
        check_answer(send_raw(url, body, content_type="application/json"), body)

    keys = st.sampled_from(request_field_names()) | st.text(max_size=12)

    # when the body is a random JSON object, then never a server error
    @FUZZ
    @given(body=st.dictionaries(keys, json_values, max_size=8))
    def send_random(body):
        check_answer(send_raw(url, json.dumps(body), content_type="application/json"), body)

    send_random()


def list_parameters(endpoint):
    """Random query strings on a list: its sort, page and filter parameters and others."""
    view = endpoint.view()
    filterset = getattr(view, "filterset_class", None)
    names = ["ordering", "page_size", "cursor", "q", *(filterset.base_filters if filterset else [])]
    orderings = endpoint.orderings()
    values = (
        st.text(max_size=30)
        | st.integers(min_value=-(10**20), max_value=10**20).map(str)
        | st.sampled_from([*orderings, "", "-", ",", "id,-id", "\x00", "cD1hYmM=", "bz0x", "true"])
    )
    return st.dictionaries(st.sampled_from(names) | st.text(min_size=1, max_size=10), values, max_size=5)


@pytest.mark.parametrize("endpoint", LISTS, ids=[e.id for e in LISTS])
def test_random_query_parameters_on_every_list_stay_within_the_contract(client_for, admin, team, endpoint):
    # given a list with records on it
    BUILDERS[endpoint.model._meta.label_lower](admin, team, 3)
    client = client_for(admin)

    # when the query string is random, then never a server error, and a 4xx is the contract
    @FUZZ
    @given(params=list_parameters(endpoint))
    def read_random(params):
        check_answer(client.get(endpoint.url(), params), params)

    read_random()


UPDATES = [e for e in WRITES if e.action == "partial_update"]


@pytest.mark.parametrize("endpoint", UPDATES, ids=[e.id for e in UPDATES])
def test_every_update_endpoint_refuses_a_stale_version_within_the_contract(client_for, admin, team, endpoint):
    """Issue 8 item 11: a PATCH naming a version the record no longer has is a 409 ``stale``
    in the error contract, with the current version; the read names that version as ETag."""
    # given a record the caller sees, and its current version as the read shows it
    client = client_for(admin)
    url = url_for(endpoint, admin, team)
    read = client.get(url)
    version = read.json()["version"]
    assert read["ETag"] == f'W/"{version}"'
    # when a change is sent with another version
    response = client.patch(url, {}, format="json", HTTP_IF_MATCH=f'W/"{version + 5}"')
    # then it is refused as stale, in the contract
    body = assert_contract(response, 409)
    assert body["code"] == "stale" and body["version"] == version


# --- the schema matches the answers (issue 8 item 19) ---------------------------------------------

WRITE_METHODS = ("post", "put", "patch", "delete")


def operations(schema):
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", *WRITE_METHODS)
    ]


def test_every_operation_documents_its_error_statuses_with_the_contract_body():
    """Issue 8 item 19: every operation of every app documents 401, 403, 404 and 429, every
    write 400 and 409 (``conflict``/``stale``), every body 415, each with the error body."""
    schema = api_schema()
    ops = operations(schema)
    assert len(ops) >= 70
    for path, method, operation in ops:
        responses = operation["responses"]
        expected = {"401", "403", "404", "429"}
        if method in WRITE_METHODS:
            expected |= {"400", "409"}
        if "requestBody" in operation:
            expected.add("415")
        assert expected <= set(responses), (path, method, sorted(responses))
        for code in expected:
            body = responses[code]["content"]["application/json"]["schema"]
            component = "ConflictError" if code == "409" else "Error"
            assert body == {"$ref": f"#/components/schemas/{component}"}, (path, method, code)


def test_conflict_error_documents_the_stale_and_lock_conflict_bodies():
    schema = api_schema()
    conflict = schema["components"]["schemas"]["ConflictError"]["properties"]
    assert {"code", "message", "fields", "version", "changed_fields", "reasons"} <= set(conflict)
    patch = schema["paths"]["/api/v1/opportunities/{id}/"]["patch"]
    description = patch["responses"]["409"]["description"]
    assert '"stale"' in description and '"conflict"' in description


def test_project_member_roles_are_the_project_role_enum():
    """Project-team roles are ``ProjectRole`` (R-OPP-2), not the user roles."""
    components = api_schema()["components"]["schemas"]
    for name in ("ProjectMember", "ProposedMember", "ProposedMemberRequest"):
        assert "ProjectRoleEnum" in json.dumps(components[name]["properties"]["role"]), name
    assert components["ProjectRoleEnum"]["enum"] == [value for value, _label in ProjectRole.choices]


def to_json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` becomes a null alternative."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def assert_matches_schema(body, path: str, method: str = "get", status: str = "200"):
    """Validates an answer against the schema the operation documents."""
    schema = api_schema()
    documented = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**to_json_schema(documented), "components": to_json_schema(schema["components"])}
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors


def test_moves_and_stage_changes_answer_the_documented_shape(client_for, engineer, team):
    """``moves/`` and ``stage-changes/`` answer plain lists (not cursor pages), as documented."""
    # given an opportunity with two stage changes
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    approved_solution(opportunity)  # the review gate (R-SOL-5)
    client = client_for(engineer)
    move_url = reverse("opportunity-move", args=[opportunity.pk])
    for body in ({"move": "submit_for_review"}, {"move": "back_to_solution", "note": "Rework."}):
        assert client.post(move_url, body, format="json").status_code == 200
    # when both are read
    moves = client.get(reverse("opportunity-moves", args=[opportunity.pk])).json()
    changes = client.get(reverse("opportunity-stage-changes", args=[opportunity.pk])).json()
    # then each is a list with the documented items
    assert isinstance(moves, list) and moves
    assert isinstance(changes, list) and len(changes) == 2
    assert_matches_schema(moves, "/api/v1/opportunities/{id}/moves/")
    assert_matches_schema(changes, "/api/v1/opportunities/{id}/stage-changes/")


def test_read_only_blank_and_null_fields_match_the_schema(client_for, engineer, team):
    """Nullable references and blank reasons are documented as such (an open opportunity has
    no close reason, a lead's communication no customer yet)."""
    # given an open opportunity and a communication on a lead only
    OpportunityFactory(team=team)
    lead = LeadFactory(team=team)
    CommunicationFactory(customer=None, lead=lead, author=engineer)
    client = client_for(engineer)
    # when their lists are read, then every row matches the documented page
    for path in ("/api/v1/opportunities/", "/api/v1/communications/", "/api/v1/leads/"):
        response = client.get(path)
        assert response.status_code == 200 and response.json()["results"], path
        assert_matches_schema(response.json(), path)


def test_one_records_sub_resources_document_no_list_filters():
    """Schemathesis (issue 8, item 19): ``/opportunities/{id}/moves/`` documented the list's
    filters (team, stage …) which its answer ignores. A GET under one record documents only
    the query parameters it reads."""
    import re

    allowed = {"format"}  # the CSV download's renderer
    documented = {
        path: sorted(p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query")
        for path, ops in api_schema()["paths"].items()
        if "get" in ops and re.search(r"\{id\}/.+", path)
    }
    assert {path: names for path, names in documented.items() if set(names) - allowed} == {}

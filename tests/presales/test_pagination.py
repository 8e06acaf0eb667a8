"""Every cursor-paginated list under /api/v1/ returns each row exactly once, under every
ordering it allows (ascending and descending, ties and NULLs included), and answers bad
paging input with a 400 naming the parameter.

The lists and their orderings are discovered (tests/presales/api_endpoints.py): a new list
endpoint is covered as soon as it is routed; it needs a row builder in ``BUILDERS`` below
(the test says so when one is missing).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import models
from django.utils import timezone

from presales.api.filters import StableOrderingFilter
from presales.api.pagination import CursorPagination
from presales.core.roles import Role
from tests.presales.api_endpoints import BUILDERS, list_endpoints

pytestmark = pytest.mark.django_db

ROWS = 32
PAGE_SIZE = 5
LISTS = list_endpoints()
ORDERINGS = sum(len(e.orderings()) + 1 for e in LISTS)


@pytest.fixture
def admin(make_user, team):
    """Sees every record (scope all); owns the lists that are the caller's own."""
    return make_user(Role.ADMIN, team=team, username="admin")


# --- rows ---------------------------------------------------------------------------------------

# What else a row needs for its sort values to be a consistent record.
FIXUPS: dict[str, Callable[[dict], dict]] = {
    # A finished review has a final status (and only a finished one a finish time).
    "reviews.review": lambda values: {"status": "approved"} if values.get("finished_at") else {},
    # A risk's score is its likelihood × impact (a database constraint): the tied values of the
    # score become tied products.
    "bids.risk": lambda values: _risk_product(values.get("score")),
}


def _risk_product(value) -> dict:
    likelihood, impact = {0: (1, 1), 1: (1, 1), 2: (1, 2), 3: (1, 3), 4: (2, 2)}.get(value or 0, (1, 1))
    return {"likelihood": likelihood, "impact": impact, "score": likelihood * impact}


# Cycle lengths of the values per sort field, pairwise coprime so that two fields under one
# unique constraint (a chain's kind and name) never repeat the same pair within ROWS rows.
CYCLES = (5, 7, 11, 13, 17, 19)


def _values(field: models.Field, cycle: int) -> list:
    """``cycle`` values for ``field``: rows i and i + cycle share one, so with ROWS rows each
    value is held by more rows than a page has; one of them is NULL when the field allows it."""
    base = timezone.now().replace(microsecond=0)
    if isinstance(field, models.DateTimeField):
        values = [base - datetime.timedelta(days=k) for k in range(cycle)]
    elif isinstance(field, models.DateField):
        values = [base.date() + datetime.timedelta(days=k) for k in range(cycle)]
    elif isinstance(field, models.DecimalField):
        values = [Decimal(1000 * k) for k in range(cycle)]
    elif isinstance(field, models.IntegerField):
        values = list(range(cycle))
    elif field.choices:
        choices = [value for value, _label in field.flatchoices]
        values = [choices[k % len(choices)] for k in range(cycle)]
    else:
        values = [f"value {k}" for k in range(cycle)]
    if field.null:
        values[2] = None
    return values


def build_rows(endpoint, admin, team) -> set[int]:
    """ROWS visible rows of the endpoint's model, with ties and NULLs on every sort field."""
    model = endpoint.model
    builder = BUILDERS.get(model._meta.label_lower)
    assert builder, f"Add a row builder for {model._meta.label_lower} (list {endpoint.name})."
    rows = builder(admin, team, ROWS)
    names = [o for o in endpoint.orderings() if not o.startswith("-") and o not in ("id", "pk")]
    fields = [model._meta.get_field(name) for name in names if _is_field(model, name)]
    pools = [(field, _values(field, CYCLES[j % len(CYCLES)])) for j, field in enumerate(fields)]
    fixup = FIXUPS.get(model._meta.label_lower, lambda values: {})
    for i, row in enumerate(rows):
        # One update per row: fields under one unique constraint change together.
        values = {field.attname: pool[i % len(pool)] for field, pool in pools}
        model.objects.filter(pk=row.pk).update(**{**values, **fixup(values)})
    return {row.pk for row in rows}


def _is_field(model, name) -> bool:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return False
    return field.concrete and not field.is_relation


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(client, url, params) -> list[int]:
    """Follow ``next`` from the first page to the last; every id seen, in order."""
    seen: list[int] = []
    response = client.get(url, {**params, "page_size": PAGE_SIZE})
    for _page in range(ROWS * 2):
        seen += ids_of(response)
        following = response.json()["next"]
        if not following:
            return seen
        query = {k: v[0] for k, v in parse_qs(urlsplit(following).query).items()}
        response = client.get(url, query)
    raise AssertionError("the next links never ended")


# --- each row exactly once ---------------------------------------------------------------------


def test_every_list_is_discovered_and_uses_the_shared_ordering_and_paging():
    """Every list pages with the core CursorPagination and sorts with StableOrderingFilter
    (so it gets the tiebreaker, the NULL handling and the 400s below)."""
    assert len(LISTS) >= 11, [e.name for e in LISTS]
    for endpoint in LISTS:
        assert issubclass(endpoint.pagination_class, CursorPagination), endpoint.name
        assert StableOrderingFilter in endpoint.filter_backends, endpoint.name


@pytest.mark.parametrize("endpoint", LISTS, ids=[e.name for e in LISTS])
def test_following_next_links_returns_each_row_exactly_once(client_for, admin, team, endpoint):
    """Issue 7: ?ordering= on a non-unique or nullable key repeated and skipped rows.

    Every allowed ordering, ascending and descending, and the default are checked on the
    same rows (built once: the orderings only read them)."""
    # given 32 visible rows whose sort keys tie and are sometimes NULL
    created = build_rows(endpoint, admin, team)
    client = client_for(admin)
    failures = {}
    for ordering in [None, *endpoint.orderings()]:
        params = {"ordering": ordering} if ordering else {}
        # when the list is read in one page, and page by page through the next links
        whole = ids_of(client.get(endpoint.url(), {**params, "page_size": CursorPagination.max_page_size}))
        paged = walk(client, endpoint.url(), params)
        # then both hold every row exactly once, in the same order
        if not (set(whole) == created and len(whole) == len(created) and paged == whole):
            failures[ordering or "(default)"] = {
                "rows": len(created),
                "whole": len(whole),
                "paged": len(paged),
                "distinct paged": len(set(paged)),
            }
    assert not failures, failures


# --- bad paging input is a 400 -------------------------------------------------------------------

BAD_PARAMS = {
    "tampered cursor": ({"cursor": "cD1hYmM="}, "cursor"),  # p=abc
    "garbage cursor": ({"cursor": "garbage"}, "cursor"),
    "page_size text": ({"page_size": "abc"}, "page_size"),
    "page_size zero": ({"page_size": "0"}, "page_size"),
    "page_size negative": ({"page_size": "-5"}, "page_size"),
    "page_size above the maximum": ({"page_size": str(CursorPagination.max_page_size + 1)}, "page_size"),
    "unknown ordering": ({"ordering": "no_such_field"}, "ordering"),
    "unknown descending ordering": ({"ordering": "-no_such_field"}, "ordering"),
    "nul in ordering": ({"ordering": "\x00"}, "ordering"),
}
BAD_CASES = [(e, case) for e in LISTS for case in BAD_PARAMS]


@pytest.mark.parametrize(("endpoint", "case"), BAD_CASES, ids=[f"{e.name}: {c}" for e, c in BAD_CASES])
def test_bad_paging_parameters_answer_400_naming_the_parameter(client_for, admin, team, endpoint, case):
    # given a list with a row on it
    BUILDERS[endpoint.model._meta.label_lower](admin, team, 1)
    params, name = BAD_PARAMS[case]
    # when a paging parameter is malformed
    response = client_for(admin).get(endpoint.url(), params)
    # then the answer is the error contract naming it
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [name]
    assert all(isinstance(m, str) and m for m in body["fields"][name])


@pytest.mark.parametrize("endpoint", LISTS, ids=[e.name for e in LISTS])
def test_a_cursor_of_another_ordering_is_refused_not_a_server_error(client_for, admin, team, endpoint):
    """A cursor from a list sorted by a date, replayed on one sorted by id, is a 400."""
    # given a cursor whose position is a timestamp
    BUILDERS[endpoint.model._meta.label_lower](admin, team, 1)
    cursor = "cD0yMDI0LTAxLTAxKzAwJTNBMDAlM0EwMCUyQjAwJTNBMDA="  # p=2024-01-01 00:00:00+00:00
    # when it is used with the id ordering
    response = client_for(admin).get(endpoint.url(), {"cursor": cursor, "ordering": "-id"})
    # then the list answers 400: on the cursor, or on the ordering where id is not a sort field
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) in (["cursor"], ["ordering"])


def test_the_schema_bounds_page_size_as_the_api_does(client_for, engineer):
    """Issue 8 item 19 (schemathesis ST202): ``page_size=0`` was schema-valid and answered
    400; the schema now says 1 to 200, as ``get_page_size`` checks."""
    schema = client_for(engineer).get("/api/schema/", {"format": "json"}).json()
    bounds = set()
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] == "page_size":
                bounds.add((path, parameter["schema"].get("minimum"), parameter["schema"].get("maximum")))
    assert bounds
    assert {(minimum, maximum) for _path, minimum, maximum in bounds} == {(1, 200)}

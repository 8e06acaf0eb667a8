"""Search served by an index (issue 9, build 6): presales.core.search.

What is found (Chinese infixes of one, two and four characters, Latin in any case and width),
what is not (the recheck behind the bigram keys), that each list's ``q`` reads the search
indexes (EXPLAIN, with sequential scans priced out so that a few rows give the plan of a big
table), and the ``icontains`` fallback used on SQLite.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.models import Q
from django.db.utils import NotSupportedError

from leads.choices import Industry
from leads.filtersets import ContactFilterSet, CustomerFilterSet, LeadFilterSet
from leads.models import Contact, Customer, Lead
from opportunities.filtersets import OpportunityFilterSet
from opportunities.models import Opportunity
from presales.core.search import TextContains, search, search_q
from reviews.filtersets import ReviewFilterSet
from reviews.models import Review
from tests.factories import ContactFactory, CustomerFactory, LeadFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db

NAMES = {
    "huadong": "北京华东精密制造有限公司",
    "pujiang": "上海浦江软件科技有限公司",
    "pacific": "Pacific Technology Co., Ltd.",
    "trap": "京大北京物流",  # holds the pairs of "北京大" without containing it
    "percent": "50% Discount Trading",
}


@pytest.fixture
def customers(team):
    owner = UserFactory(team=team, roles=["sales_rep"])
    return {key: CustomerFactory(team=team, owner=owner, name=name, region="") for key, name in NAMES.items()}


def found(customers, value, fields=("name",)):
    keys = {pk: key for key, pk in ((k, c.pk) for k, c in customers.items())}
    return sorted(keys[c.pk] for c in search(Customer.objects.all(), value, fields))


def test_issue9_chinese_infixes_of_two_and_four_characters_are_found(customers):
    assert found(customers, "华东") == ["huadong"]
    assert found(customers, "精密制造") == ["huadong"]
    assert found(customers, "浦江软件") == ["pujiang"]
    assert found(customers, "有限公司") == ["huadong", "pujiang"]
    assert found(customers, "北京") == ["huadong", "trap"]


def test_issue9_one_character_is_found_anywhere(customers):
    assert found(customers, "软") == ["pujiang"]
    assert found(customers, "京") == ["huadong", "trap"]


def test_issue9_latin_is_case_and_width_insensitive(customers):
    assert found(customers, "TECHNOLOGY") == ["pacific"]
    assert found(customers, "ific tech") == ["pacific"]
    assert found(customers, "ＴＥＣＨ") == ["pacific"]  # full-width letters fold (NFKC)
    assert found(customers, "  co., ltd ") == ["pacific"]  # the query is trimmed, inner text kept


def test_issue9_the_recheck_drops_rows_that_only_hold_the_pairs(customers):
    # "京大北京" has the pairs 北京 and 京大 of "北京大", but not the text: the index
    # returns it, the recheck drops it.
    assert found(customers, "北京大") == []
    assert found(customers, "大北京") == ["trap"]
    assert found(customers, "深圳") == []
    assert found(customers, "technology inc") == []


def test_issue9_wildcards_in_the_query_are_text(customers):
    assert found(customers, "%") == ["percent"]
    assert found(customers, "0%") == ["percent"]
    assert found(customers, "_") == []
    assert found(customers, "％") == ["percent"]  # the full-width percent folds to "%", still text


def test_issue9_a_blank_query_filters_nothing(customers):
    assert found(customers, "  ") == sorted(NAMES)


def test_issue9_fields_are_ored_and_may_cross_a_relation(customers, team):
    customers["pacific"].region = "华东"
    customers["pacific"].save()
    assert found(customers, "华东", ("name", "region")) == ["huadong", "pacific"]
    alpha = OpportunityFactory(team=team, title="Alpha line", customer=customers["pujiang"])
    beta = OpportunityFactory(team=team, title="浦江 expansion", customer=customers["pacific"])
    OpportunityFactory(team=team, title="Other", customer=customers["huadong"])
    matches = search(Opportunity.objects.all(), "浦江", ("title", "customer__name"))
    assert sorted(o.pk for o in matches) == sorted([alpha.pk, beta.pk])
    assert list(search(Opportunity.objects.all(), "alpha", ("title", "customer__name"))) == [alpha]


def test_issue9_every_list_q_finds_by_its_fields(customers, team):
    lead = LeadFactory(team=team, company_name="苏州工业园区智能装备", contact_name="Zhang Wei")
    contact = ContactFactory(customer=customers["huadong"], name="李明", title="Chief Information Officer")
    assert list(LeadFilterSet({"q": "智能"}, queryset=Lead.objects.all()).qs) == [lead]
    assert list(LeadFilterSet({"q": "zhang"}, queryset=Lead.objects.all()).qs) == [lead]
    assert list(ContactFilterSet({"q": "information"}, queryset=Contact.objects.all()).qs) == [contact]
    assert list(ContactFilterSet({"q": "李明"}, queryset=Contact.objects.all()).qs) == [contact]
    names = CustomerFilterSet({"q": "精密"}, queryset=Customer.objects.all()).qs
    assert list(names) == [customers["huadong"]]


# --- the plans -----------------------------------------------------------------------------


def _index_scans(queryset, *, walks: bool = True) -> set[str]:
    """The indexes whose bitmaps the plan reads, sequential scans priced out (and, with
    ``walks=False``, walks along an index too, leaving the bitmaps). Also checks that no
    row-by-row test computes the search keys (search_q's shape: the keys come from the
    bitmaps, only the LIKE is tested per row)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not walks:
            cursor.execute("SET LOCAL enable_indexscan = off")
    plan = json.loads(queryset.explain(format="json"))

    def walk(node):
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    nodes = list(walk(plan[0]["Plan"]))
    for node in nodes:
        if node["Node Type"] == "Bitmap Heap Scan":
            assert "presales_search_grams" not in node.get("Filter", ""), node["Filter"]
    return {node["Index Name"] for node in nodes if node["Node Type"] == "Bitmap Index Scan"}


@pytest.fixture
def many_customers(team):
    owner = UserFactory(team=team, roles=["sales_rep"])
    Customer.objects.bulk_create(
        Customer(
            name=f"{city}{n:04d}精密制造有限公司",
            normalized_name=f"search-plan-{n}",
            region="华东",
            industry=Industry.MANUFACTURING,
            team=team,
            owner=owner,
        )
        for n, city in enumerate(["北京", "上海", "深圳", "杭州"] * 500)
    )
    with connection.cursor() as cursor:
        # What autovacuum does on a live table: the rows inserted since go from the GIN
        # pending list (read whole by every search) into the index's tree.
        for index in ("leads_customer_name_search", "leads_customer_region_search"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE leads_customer")


@pytest.mark.parametrize("value", ["北京", "精密制造", "pacific", "京"])
def test_issue9_customer_search_reads_the_search_indexes(many_customers, value):
    """A page of the customer list in its indexed default order (newest first): the planner
    takes the bitmaps of both search indexes (the name's and the region's) and sorts the
    matches, instead of walking the order's index and testing every row. (The list's other
    filter, "not merged", is left out: on a table this small its bitmap, all rows, is cheaper
    than three index keys; at 100k rows and more it is not, see the README.)"""
    qs = CustomerFilterSet().search(Customer.objects.order_by("-updated_at", "-id"), "q", value)
    assert _index_scans(qs[:50]) >= {"leads_customer_name_search", "leads_customer_region_search"}


def test_issue9_every_list_search_reads_its_indexes(db):
    """Each list's ``q`` is answered by its fields' search indexes. On empty tables the
    planner's other choice, walking the primary key, is priced out too: what is checked is
    that the search's expressions are the indexed ones (the choice between a walk and the
    bitmaps is the customer test's, on rows)."""
    cases = [
        (LeadFilterSet, Lead, {"leads_lead_company_name_search", "leads_lead_contact_name_search"}),
        (ContactFilterSet, Contact, {"leads_contact_name_search", "leads_contact_title_search"}),
        (
            OpportunityFilterSet,
            Opportunity,
            {"presales_opportunity_title_search", "leads_customer_name_search"},
        ),
        (ReviewFilterSet, Review, {"reviews_review_subject_summary_search"}),
    ]
    for filterset, model, indexes in cases:
        qs = filterset({"q": "华东精密"}, queryset=model.objects.all()).qs.order_by("-pk")[:50]
        assert _index_scans(qs, walks=False) >= indexes, filterset.__name__


# --- other databases -------------------------------------------------------------------------


def test_issue9_off_postgresql_the_search_is_icontains(customers):
    """SQLite (make run) has no search index: search_q is icontains there, and the
    indexed expression refuses to compile (it would need the PostgreSQL functions)."""
    assert search_q("华东", ["name", "region"], vendor="sqlite") == Q(name__icontains="华东") | Q(
        region__icontains="华东"
    )
    sqlite = SQLiteWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "OPTIONS": {},
            "TIME_ZONE": None,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias="search_sqlite",
    )
    connections["search_sqlite"] = sqlite
    try:
        with sqlite.schema_editor(atomic=False) as editor:
            editor.create_model(Customer)
        with sqlite.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")  # no team or user table here
        Customer.objects.using("search_sqlite").bulk_create(Customer.objects.all())
        on_sqlite = Customer.objects.using("search_sqlite")
        assert [c.pk for c in search(on_sqlite, "PACIFIC", ("name", "region"))] == [customers["pacific"].pk]
        assert sorted(c.pk for c in search(on_sqlite, "北京", ("name", "region"))) == sorted(
            [customers["huadong"].pk, customers["trap"].pk]
        )
        with pytest.raises(NotSupportedError):
            list(on_sqlite.filter(TextContains("name", "pacific")))
    finally:
        sqlite.close()
        del connections["search_sqlite"]

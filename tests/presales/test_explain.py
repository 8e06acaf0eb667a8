"""Issue 9: every list's first page is answered from indexes, for every kind of user.

A few thousand generated rows, fresh statistics and ``enable_seqscan = off``: the planner
then reads a table sequentially only when no index can answer the query at all, which is
what these tests catch. The plan is read from ``EXPLAIN (FORMAT JSON)`` of the queryset the
API list builds (visibility, filters, default ordering, first page), which is also the one
the web list uses. A large table may be read in full only in the list's own order (an
index scan with no condition, stopped by the LIMIT); anywhere else (a visibility subquery,
a join) a scan without an index condition is a sequential read in disguise and fails.

Speed itself is proven by the EXPLAIN (ANALYZE) figures in docs/architecture.md, not here.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from leads.api.views import CommunicationViewSet, ContactViewSet, CustomerViewSet, LeadViewSet
from leads.models import CommunicationRecord, Contact, Customer, CustomerPresales, Lead
from opportunities.api.views import OpportunityViewSet
from opportunities.models import Opportunity, ProjectMember
from presales.core.roles import Role
from presales.exports.api import ExportJobViewSet
from presales.exports.models import ExportJob
from presales.sla.api import TimerViewSet
from presales.sla.models import Timer
from reviews.api.views import ReviewViewSet
from reviews.models import Review, ReviewTask
from tests.factories import ReviewChainFactory, TeamFactory, UserFactory

SIZE = 1000  # opportunities; customers SIZE / 2, two contacts each, SIZE leads, 2 × SIZE records

LARGE_TABLES = {
    Customer._meta.db_table,
    Contact._meta.db_table,
    CustomerPresales._meta.db_table,
    Lead._meta.db_table,
    CommunicationRecord._meta.db_table,
    Opportunity._meta.db_table,
    ProjectMember._meta.db_table,
    Review._meta.db_table,
    ReviewTask._meta.db_table,
    Timer._meta.db_table,
    ExportJob._meta.db_table,
}

LISTS = {
    "customers": CustomerViewSet,
    "contacts": ContactViewSet,
    "leads": LeadViewSet,
    "communications": CommunicationViewSet,
    "opportunities": OpportunityViewSet,
    "reviews": ReviewViewSet,
    "timers": TimerViewSet,
    "exports": ExportJobViewSet,
}


@pytest.fixture
def people(db):
    """Two regional teams; an engineer of one, a manager of both, a person on a few
    records with no team, and the admin."""
    east, west = TeamFactory(name="East"), TeamFactory(name="West")
    people = {
        "engineer": UserFactory(roles=[Role.PRESALES_ENGINEER], team=east, username="eng"),
        "few": UserFactory(roles=[Role.PRESALES_ENGINEER], team=None, username="few"),
        "manager": UserFactory(roles=[Role.DEPARTMENT_HEAD], team=None, username="head"),
        "admin": UserFactory(roles=[Role.ADMIN], team=None, username="boss", is_superuser=True),
        "east_rep": UserFactory(roles=[Role.SALES_REP], team=east, username="east_rep"),
        "west_rep": UserFactory(roles=[Role.SALES_REP], team=west, username="west_rep"),
        "west_eng": UserFactory(roles=[Role.PRESALES_ENGINEER], team=west, username="west_eng"),
    }
    east.manager = west.manager = people["manager"]
    east.save()
    west.save()
    people["teams"] = (east, west)
    return people


@pytest.fixture
def many_rows(people):
    """SIZE opportunities and their surroundings, written in bulk, then ANALYZEd."""
    east, west = people["teams"]
    now = timezone.now()
    owners = {east.pk: people["east_rep"], west.pk: people["west_rep"]}
    engineers = {east.pk: people["engineer"], west.pk: people["west_eng"]}

    def team_of(i: int):
        return east if i % 2 else west

    customers = Customer.objects.bulk_create(
        Customer(
            name=f"Company {i}",
            industry="manufacturing",
            team=team_of(i),
            owner=owners[team_of(i).pk],
            annual_revenue=None if i % 3 else i * 1000,
        )
        for i in range(SIZE // 2)
    )
    Contact.objects.bulk_create(Contact(customer=customers[i // 2], name=f"Contact {i}") for i in range(SIZE))
    CustomerPresales.objects.bulk_create(
        CustomerPresales(customer=c, user=engineers[c.team_id], is_primary=True) for c in customers
    )
    opportunities = Opportunity.objects.bulk_create(
        Opportunity(
            customer=customers[i % len(customers)],
            title=f"Deal {i}",
            team_id=customers[i % len(customers)].team_id,
            sales_owner=owners[customers[i % len(customers)].team_id],
            presales_owner=engineers[customers[i % len(customers)].team_id] if i % 4 else None,
            expected_close=(now + timedelta(days=i % 300)).date() if i % 5 else None,
        )
        for i in range(SIZE)
    )
    members = [
        ProjectMember(opportunity=o, user=engineers[o.team_id], role="presales_engineer")
        for o in opportunities
    ]
    # The person on a few records: three projects, in both teams.
    members += [
        ProjectMember(opportunity=o, user=people["few"], role="presales_engineer") for o in opportunities[:3]
    ]
    ProjectMember.objects.bulk_create(members)
    leads = Lead.objects.bulk_create(
        Lead(
            source="website",
            company_name=f"Prospect {i}",
            contact_name="X",
            team=team_of(i),
            owner=owners[team_of(i).pk],
            presales_owner=engineers[team_of(i).pk] if i % 3 else None,
            received_at=now - timedelta(minutes=i),
            first_contact_due_at=now - timedelta(minutes=i) + timedelta(days=1),
        )
        for i in range(SIZE)
    )
    CommunicationRecord.objects.bulk_create(
        CommunicationRecord(
            customer=customers[i % len(customers)] if i % 2 else None,
            lead=None if i % 2 else leads[i % len(leads)],
            channel="phone",
            key_points="points",
            author=people["east_rep"],
            occurred_at=now - timedelta(minutes=i),
        )
        for i in range(2 * SIZE)
    )
    chain = ReviewChainFactory()
    opportunity_type = ContentType.objects.get_for_model(Opportunity)
    reviews = Review.objects.bulk_create(
        Review(
            content_type=opportunity_type,
            object_id=o.pk,
            kind="initiation",
            chain=chain,
            status="in_progress",
            author=o.sales_owner,
            started_by=o.sales_owner,
            team_id=o.team_id,
            subject_summary=o.title,
        )
        for o in opportunities
    )
    ReviewTask.objects.bulk_create(
        ReviewTask(review=r, step_order=1, step_name="Step", mode="all", approver=people["manager"])
        for r in reviews
    )
    Timer.objects.bulk_create(
        Timer(
            kind="first_contact",
            subject_type=ContentType.objects.get_for_model(Lead),
            subject_id=lead.pk,
            owner=lead.owner,
            team_id=lead.team_id,
            started_at=now,
            due_at=now + timedelta(hours=i % 48),
            policy={},
            policy_version=1,
        )
        for i, lead in enumerate(leads)
    )
    ExportJob.objects.bulk_create(
        ExportJob(user=owners[team_of(i).pk], resource="leads") for i in range(SIZE)
    )
    with connection.cursor() as cursor:
        for table in sorted(LARGE_TABLES):
            cursor.execute(f'ANALYZE "{table}"')
    return people


def explain(queryset) -> dict:
    """The JSON plan of ``queryset`` when no large table may be read sequentially and
    joins are nested loops: the plan then shows whether every table the query touches is
    reached through an index condition (the shape the planner picks at a million rows,
    where reading a table whole costs seconds)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        raw = cursor.fetchone()[0]
    plan = raw if isinstance(raw, list) else json.loads(raw)
    return plan[0]["Plan"]


def first_page(viewset, user):
    """The queryset of the first page the API list reads for ``user`` (the web list uses
    the same ``visible_to`` and FilterSet)."""
    request = APIRequestFactory().get("/")
    request.user = user
    view = viewset()
    view.request = Request(request)
    view.request.user = user
    view.action, view.detail, view.format_kwarg, view.args, view.kwargs = "list", False, None, (), {}
    queryset = view.filter_queryset(view.get_queryset())
    return queryset[: view.paginator.page_size + 1]


def full_reads(plan: dict, list_table: str, main_path: bool = True) -> list[str]:
    """Scans of a large table without an index condition, except the list's own ordered
    scan (reached from the top through driving sides only, and stopped by the LIMIT)."""
    found = []
    table = plan.get("Relation Name")
    kind = plan["Node Type"]
    if table in LARGE_TABLES:
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {table}")
        elif (
            kind in ("Index Scan", "Index Only Scan")
            and "Index Cond" not in plan
            and not (main_path and table == list_table)
        ):
            found.append(f"{kind} of all {table} ({plan.get('Index Name')})")
    for child in plan.get("Plans", []):
        driving = main_path and child.get("Parent Relationship") == "Outer"
        found += full_reads(child, list_table, driving)
    return found


USERS = ["engineer", "few", "manager", "admin"]


def test_every_list_first_page_is_index_backed_issue_9(many_rows):
    """Customers, contacts, leads, communications, opportunities, reviews, timers and
    exports, for a team member, a person on a few records, a manager of two teams and the
    admin: no large table is read whole."""
    failures = {}
    for list_name, viewset in LISTS.items():
        table = viewset.queryset.model._meta.db_table
        for who in USERS:
            plan = explain(first_page(viewset, many_rows[who]))
            reads = full_reads(plan, table)
            if reads:
                failures[f"{list_name} as {who}"] = reads
    assert failures == {}


def test_the_old_nested_customer_predicate_is_caught_issue_9(many_rows):
    """The predicate issue 9 replaced (customers JOIN opportunities LEFT JOIN members with
    the OR inside) reads the opportunities and the project members whole: caught."""
    from django.db.models import Q

    user = many_rows["engineer"]
    old = Customer.objects.filter(
        Q(team__in=list(user.team_ids))
        | Q(
            pk__in=Customer.objects.filter(
                Q(opportunities__sales_owner_id=user.pk)
                | Q(opportunities__presales_owner_id=user.pk)
                | Q(opportunities__members__user_id=user.pk)
            ).values("pk")
        )
    ).order_by("-id")[:51]
    assert full_reads(explain(old), "leads_customer") != []
    # ... where today's predicate for the same person is index-backed.
    assert full_reads(explain(first_page(CustomerViewSet, user)), "leads_customer") == []


def test_the_boards_first_windows_walk_the_stage_index_issue_9(many_rows):
    """The board's first cards per column: one LIMIT-ed part per stage, each an ordered
    index walk that stops when its window is full (never a numbering or a sort of every
    visible opportunity)."""
    from opportunities.selectors import BOARD_STAGES, first_card_ids

    def nodes(plan):
        yield plan
        for child in plan.get("Plans", []):
            yield from nodes(child)

    for who in USERS:
        user = many_rows[who]
        plan = explain(first_card_ids(Opportunity.objects.visible_to(user), 20))
        kinds = [node["Node Type"] for node in nodes(plan)]
        assert kinds.count("Limit") == len(BOARD_STAGES), who
        assert "WindowAgg" not in kinds and "Seq Scan" not in kinds, who
        scans = [n for n in nodes(plan) if n.get("Relation Name") == "presales_opportunity"]
        if who == "few":
            # no team: the few rows naming the person, found by their indexes, then sorted
            assert "Bitmap Heap Scan" in kinds, who
        else:
            assert "Sort" not in kinds, who
            assert scans and all(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in scans), who

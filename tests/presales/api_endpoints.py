"""Every endpoint under /api/v1/, discovered from the URL resolver, so that the contract,
pagination and fuzzing tests cover a new endpoint without being told about it.

An endpoint is one (URL pattern, HTTP method) of a DRF view. A *list* is a GET action
without an id in its URL whose pagination class is not None; a *write* is a POST, PUT or
PATCH (CRUD or action).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from leads.models import Lead
from presales.api.filters import StableOrderingFilter
from presales.sla.models import Timer
from reviews.models import Review, ReviewTask
from tests.bids.contracts.factories import CLAUSES_BUILDERS
from tests.bids.handoff.factories import HANDOFF_BUILDERS
from tests.bids.payments.factories import PAYMENTS_BUILDERS
from tests.bids.risks.factories import RISKS_BUILDERS
from tests.bids.tenders.factories import TENDERS_BUILDERS
from tests.collaboration.factories import COLLABORATION_BUILDERS
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    ExportJobFactory,
    LeadFactory,
    NotificationFactory,
    OpportunityFactory,
    ReviewChainFactory,
)
from tests.kpi.retrospectives.factories import RETROSPECTIVE_BUILDERS
from tests.kpi.surveys.factories import SURVEY_BUILDERS
from tests.kpi.targets.factories import KPI_TARGETS_BUILDERS
from tests.kpi.training.factories import TRAINING_BUILDERS
from tests.opportunities.competitors.factories import COMPETITOR_BUILDERS
from tests.proposals.needs.factories import NEEDS_BUILDERS
from tests.proposals.solutions.factories import SOLUTION_BUILDERS

API_PREFIX = "api/v1/"
WRITE_METHODS = ("post", "put", "patch")


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL name, e.g. "customer-merge"
    method: str  # lower case
    action: str  # the viewset action, e.g. "merge", "create", "list"
    cls: type
    initkwargs: dict = field(hash=False, compare=False)
    params: tuple[str, ...] = ()  # URL keyword arguments, e.g. ("pk",)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"

    def _attr(self, attr: str):
        """An attribute as the action sees it: ``@action(...)`` overrides, then the
        router's initkwargs, then the class."""
        handler = getattr(self.cls, self.action, None)
        action_kwargs = getattr(handler, "kwargs", {}) or {}
        if attr in action_kwargs:
            return action_kwargs[attr]
        if attr in self.initkwargs:
            return self.initkwargs[attr]
        return getattr(self.cls, attr, None)

    @property
    def pagination_class(self):
        return self._attr("pagination_class")

    @property
    def filter_backends(self) -> list:
        return list(self._attr("filter_backends") or [])

    def view(self):
        """The view instance as it would serve the action (no request)."""
        handler = getattr(self.cls, self.action, None)
        overrides = {**self.initkwargs, **(getattr(handler, "kwargs", {}) or {})}
        view = self.cls(**{k: v for k, v in overrides.items() if hasattr(self.cls, k)})
        view.action = self.action
        view.request = None
        view.format_kwarg = None
        view.kwargs = {}
        return view

    @property
    def model(self):
        """The model the endpoint serves: its queryset's, else its serializer's."""
        view = self.view()
        queryset = getattr(view, "queryset", None)
        if queryset is not None:
            return queryset.model
        return view.get_serializer_class().Meta.model

    def orderings(self) -> list[str]:
        """Every allowed ``?ordering=`` value, ascending and descending (the view's whitelist)."""
        if StableOrderingFilter not in self.filter_backends:
            return []
        names = StableOrderingFilter().allowed_values(self.view())
        return [value for name in names for value in (name, f"-{name}")]

    def url(self, **kwargs) -> str:
        return reverse(self.name, kwargs=kwargs or None)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


@cache
def api_endpoints() -> tuple[Endpoint, ...]:
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        callback = pattern.callback
        if not route.startswith(API_PREFIX) or "format" in pattern.pattern.regex.groupindex:
            continue
        actions = getattr(callback, "actions", None)
        if not actions or not pattern.name:
            continue  # the API root and plain APIViews (me/) have no viewset actions
        params = tuple(pattern.pattern.regex.groupindex)
        for method, action in actions.items():
            found.append(
                Endpoint(
                    name=pattern.name,
                    method=method,
                    action=action,
                    cls=callback.cls,
                    initkwargs=dict(callback.initkwargs),
                    params=params,
                )
            )
    return tuple(sorted(found, key=lambda e: (e.name, e.method)))


def list_endpoints() -> list[Endpoint]:
    return [
        e for e in api_endpoints() if e.method == "get" and not e.params and e.pagination_class is not None
    ]


def write_endpoints() -> list[Endpoint]:
    return [e for e in api_endpoints() if e.method in WRITE_METHODS]


# --- records behind the endpoints -------------------------------------------------------------
# ``BUILDERS[model label](admin, team, n)``: n records of the model that ``admin`` (scope all,
# owner of what is personal) sees in its list. A new list or write endpoint on a new model
# needs an entry here; the tests say so.


def _reviews(admin, team, n):
    """In-progress reviews with a pending task of ``admin`` (so the inbox lists them too)."""
    chain = ReviewChainFactory(kind="initiation")
    lead_type = ContentType.objects.get_for_model(Lead)
    reviews = []
    for i in range(n):
        review = Review.objects.create(
            content_type=lead_type,
            object_id=i + 1,
            kind="initiation",
            chain=chain,
            author=admin,
            started_by=admin,
            team=team,
            subject_summary=f"Subject {i}",
            current_step_order=1,
        )
        ReviewTask.objects.create(
            review=review, step_order=1, step_name="Step", mode="all", approver=admin, state="pending"
        )
        reviews.append(review)
    return reviews


def _timers(admin, team, n):
    lead_type = ContentType.objects.get_for_model(Lead)
    now = timezone.now()
    return [
        Timer.objects.create(
            kind="lead_first_contact",
            subject_type=lead_type,
            subject_id=LeadFactory(team=team).pk,
            owner=admin,
            team=team,
            started_at=now,
            due_at=now,
            policy={},
            policy_version=1,
        )
        for _ in range(n)
    ]


BUILDERS: dict[str, Callable] = {
    "leads.customer": lambda admin, team, n: [CustomerFactory(team=team) for _ in range(n)],
    "leads.contact": lambda admin, team, n: ContactFactory.create_batch(
        n, customer=CustomerFactory(team=team)
    ),
    "leads.lead": lambda admin, team, n: [LeadFactory(team=team) for _ in range(n)],
    "leads.communicationrecord": lambda admin, team, n: CommunicationFactory.create_batch(
        n, customer=CustomerFactory(team=team), author=admin
    ),
    # Issue 14: visit plans (R-CUST-7).
    "leads.visitplan": lambda admin, team, n: _visit_plans(admin, team, n),
    "opportunities.opportunity": lambda admin, team, n: OpportunityFactory.create_batch(
        n, team=team, customer=CustomerFactory(team=team), sales_owner=admin, presales_owner=admin
    ),
    "reviews.review": _reviews,
    "reviews.reviewchain": lambda admin, team, n: [
        ReviewChainFactory(kind="initiation", is_active=False) for _ in range(n)
    ],
    "presales.timer": _timers,
    "presales.notification": lambda admin, team, n: NotificationFactory.create_batch(n, recipient=admin),
    "presales.exportjob": lambda admin, team, n: ExportJobFactory.create_batch(n, user=admin),
    "presales.document": lambda admin, team, n: _documents(admin, team, n),
    **SOLUTION_BUILDERS,
    # needs analysis (proposals/needs)
    **NEEDS_BUILDERS,
    "proposals.demo": lambda admin, team, n: _demos(admin, team, n),
    "proposals.trialrequest": lambda admin, team, n: _trials(admin, team, n),
    # contracts (bids/contracts)
    "bids.contract": lambda admin, team, n: _contracts(admin, team, n),
    "bids.contractline": lambda admin, team, n: _contract_lines(admin, team, n),
    # tenders and bids (bids/tenders)
    **TENDERS_BUILDERS,
    # standard clauses, minutes, clause changes (bids/contracts, R-CON-5)
    **CLAUSES_BUILDERS,
    # handoffs and acceptances (bids/handoff)
    **HANDOFF_BUILDERS,
    # payment collection (bids/payments)
    **PAYMENTS_BUILDERS,
    # sales targets and monthly team reports (kpi/targets, kpi/reports)
    **KPI_TARGETS_BUILDERS,
    # scorecards (kpi/scorecards, R-KPI-2)
    "kpi.scorecard": lambda admin, team, n: _scorecards(admin, team, n),
    "kpi.scorecardtemplate": lambda admin, team, n: _scorecard_templates(admin, n),
    "knowledge.article": lambda admin, team, n: _articles(admin, n),
    # the risk register and credit assessments (bids/risks, R-RISK-1)
    **RISKS_BUILDERS,
    # satisfaction surveys and improvement actions (kpi/surveys)
    **SURVEY_BUILDERS,
    # competitor records and competitors in play (R-COMP-1)
    **COMPETITOR_BUILDERS,
    # retrospectives (kpi/retrospectives, R-POST-2)
    **RETROSPECTIVE_BUILDERS,
    # training (kpi/training, R-KPI-1)
    **TRAINING_BUILDERS,
    # collaboration requests and meeting minutes (collaboration, R-COLL-1, R-COLL-2)
    **COLLABORATION_BUILDERS,
}


def _scorecards(admin, team, n):
    """Draft scorecards of ``n`` people of ``team``, made by ``admin`` (R-KPI-2)."""
    from kpi.models.scorecards import ScorecardTemplate
    from kpi.scorecards.services import ensure_default_scorecard_templates, scorecard_create
    from tests.factories import UserFactory

    ensure_default_scorecard_templates()
    template = ScorecardTemplate.objects.filter(audience="presales_engineer", period_kind="month").first()
    return [
        scorecard_create(
            actor=admin,
            person=UserFactory(roles=["presales_engineer"], team=team),
            template=template,
            period="2026-11",
        )
        for _ in range(n)
    ]


def _scorecard_templates(admin, n):
    """``n`` templates, and only them (the migration's default templates are removed)."""
    from uuid import uuid4

    from kpi.models import ScorecardTemplate
    from kpi.scorecards.defaults import default_template_items
    from kpi.scorecards.services import scorecard_template_create

    ScorecardTemplate.objects.filter(scorecards__isnull=True).delete()

    return [
        scorecard_template_create(
            actor=admin,
            name=f"Template {i} {uuid4().hex[:8]}",
            audience="sales_rep",
            period_kind="quarter",
            items=default_template_items("quarter"),
        )
        for i in range(n)
    ]


def _articles(admin, n):
    """``n`` published knowledge articles (R-KB-1): reusable bid answers, so that both the
    knowledge-article and the answer library's defence-answer endpoints (R-BID-3) list them."""
    from knowledge import services

    return [
        services.bid_answer_save(
            actor=admin, data={"question": f"产品知识 {i}？", "answer": f"正文 {i}", "product": "MES"}
        )
        for i in range(n)
    ]


def _visit_plans(admin, team, n):
    from leads.models import VisitPlan

    customer = CustomerFactory(team=team)
    return [
        VisitPlan.objects.create(
            customer=customer, planner=admin, planned_at=timezone.now(), purpose=f"Visit {i}"
        )
        for i in range(n)
    ]


def _documents(admin, team, n):
    """``n`` documents the caller asked for, of one opportunity of ``team`` (issue 12)."""
    from django.contrib.contenttypes.models import ContentType

    from presales.documents.models import Document

    opportunity = OpportunityFactory(
        team=team, customer=CustomerFactory(team=team), sales_owner=admin, presales_owner=admin
    )
    kind = ContentType.objects.get_for_model(opportunity)
    return [
        Document.objects.create(
            doc_type="needs_confirmation",
            content_type=kind,
            object_id=opportunity.pk,
            variant="standard",
            language="en",
            fingerprint=f"f{i}",
            requested_by=admin,
        )
        for i in range(n)
    ]


def _demos(admin, team, n):
    """Draft demos on an approved version of one opportunity of ``team`` (R-DEMO-1)."""
    from tests.proposals.demos.factories import DemoFactory

    return DemoFactory.create_batch(n, team=team, owner=admin)


def _trials(admin, team, n):
    from tests.proposals.demos.factories import TrialRequestFactory

    return TrialRequestFactory.create_batch(n, team=team, owner=admin)


def _contracts(admin, team, n):
    """Draft contracts drawn from an accepted version of opportunities of ``team`` (R-SOL-6)."""
    from bids.contracts.services import contract_create
    from tests.bids.contracts.factories import accepted_version

    contracts = []
    for _ in range(n):
        opportunity = OpportunityFactory(
            team=team,
            customer=CustomerFactory(team=team),
            sales_owner=admin,
            presales_owner=admin,
            stage="contract",
        )
        accepted_version(opportunity)
        contracts.append(contract_create(actor=admin, opportunity=opportunity))
    return contracts


def _contract_lines(admin, team, n):
    """The ``n`` lines of one draft contract of ``team`` (R-CON-2)."""
    from decimal import Decimal

    from bids.contracts.services import contract_create
    from tests.bids.contracts.factories import accepted_version

    opportunity = OpportunityFactory(
        team=team,
        customer=CustomerFactory(team=team),
        sales_owner=admin,
        presales_owner=admin,
        stage="contract",
    )
    accepted_version(opportunity, prices=tuple(Decimal("100.00") + i for i in range(n)))
    contract = contract_create(actor=admin, opportunity=opportunity)
    return list(contract.lines.order_by("position", "id"))

"""Chains are configured by admins (R-REV-1); the default chains follow PROCESS.md
(R-OPP-2, R-REV-2, R-REV-3, R-REV-4)."""

from decimal import Decimal

import pytest

from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.roles import Role
from reviews.choices import ApproverScope, StepMode, TaskState
from reviews.defaults import ensure_default_chains
from reviews.models import ReviewChain, ReviewChainStep
from reviews.services import (
    review_chain_create,
    review_chain_delete,
    review_chain_update,
    review_decide,
    review_start,
)
from tests.reviews.conftest import KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="admin")


STEPS = [
    {"order": 1, "name": "Manager", "approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ALL},
    {"order": 2, "name": "Legal", "approver_role": Role.LEGAL, "mode": StepMode.ANY},
]


def test_an_admin_configures_a_chain(admin, lead_subject_type):
    chain = review_chain_create(
        actor=admin,
        data={"kind": KIND, "name": "Lead review", "score_criteria": [{"code": "rationality", "label": "R"}]},
        steps=STEPS,
    )
    assert [(s.order, s.approver_role, s.mode) for s in chain.steps.all()] == [
        (1, Role.PRESALES_MANAGER, StepMode.ALL),
        (2, Role.LEGAL, StepMode.ANY),
    ]
    assert chain.history.count() == 1 and chain.history.first().history_user == admin


def test_only_admins_configure_chains(manager, lead_subject_type):
    with pytest.raises(NotAllowed):
        review_chain_create(actor=manager, data={"kind": KIND, "name": "Mine"}, steps=STEPS)
    assert not ReviewChain.objects.exists()


@pytest.mark.parametrize(
    ("data", "steps", "field"),
    [
        ({"kind": "nonsense", "name": "X"}, STEPS, "kind"),
        ({"kind": KIND, "name": "X", "score_criteria": [{"label": "no code"}]}, STEPS, "score_criteria"),
        ({"kind": KIND, "name": "X"}, [{"order": 1, "name": "Nobody", "approver_role": ""}], "steps"),
        ({"kind": KIND, "name": "X"}, [STEPS[0], {**STEPS[1], "order": 1}], "steps"),
        ({"kind": KIND, "name": "X"}, [{**STEPS[0], "condition_min_amount": Decimal("-1")}], "steps"),
    ],
)
def test_invalid_chains_are_refused_with_field_messages(admin, lead_subject_type, data, steps, field):
    with pytest.raises(DomainError) as exc:
        review_chain_create(actor=admin, data=data, steps=steps)
    assert field in exc.value.fields
    assert not ReviewChain.objects.exists()


def test_a_step_names_a_role_or_a_person_not_both(admin, lead_subject_type, manager):
    with pytest.raises(DomainError) as exc:
        review_chain_create(
            actor=admin,
            data={"kind": KIND, "name": "X"},
            steps=[{"order": 1, "name": "Both", "approver_role": Role.LEGAL, "approver_user": manager}],
        )
    assert "A step names either an approver role or an approver, not both." in exc.value.fields["steps"][0]


def test_one_active_chain_per_kind(admin, make_chain):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    with pytest.raises(DomainError) as exc:
        review_chain_create(actor=admin, data={"kind": KIND, "name": "Second"}, steps=STEPS)
    assert "deactivate it first" in str(exc.value.fields)
    # an inactive second chain is fine
    review_chain_create(actor=admin, data={"kind": KIND, "name": "Second", "is_active": False}, steps=STEPS)


def test_editing_a_chain_leaves_reviews_under_way_alone(admin, make_chain, lead, author, manager, make_user):
    """A review keeps the plan it started with when an admin edits the chain."""
    chain = make_chain([{"approver_role": Role.PRESALES_MANAGER, "name": "Old name"}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    make_user(Role.LEGAL)
    # when the admin replaces the steps
    review_chain_update(
        actor=admin,
        chain=chain,
        data={"name": "Renamed"},
        steps=[{"order": 1, "name": "Legal first", "approver_role": Role.LEGAL, "mode": StepMode.ANY}],
    )
    # then the review still waits for the manager under the old step name
    task = review.tasks.get()
    assert (task.step_name, task.approver, task.state) == ("Old name", manager, TaskState.PENDING)
    review = review_decide(actor=manager, review=review, decision="approve")
    assert review.status == "approved"
    assert list(chain.steps.values_list("name", flat=True)) == ["Legal first"]


def test_a_chain_with_reviews_cannot_be_deleted(admin, make_chain, lead, author, manager):
    chain = make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review_start(actor=author, subject=lead, kind=KIND)
    with pytest.raises(Conflict):
        review_chain_delete(actor=admin, chain=chain)
    unused = make_chain([{"approver_role": Role.LEGAL}], is_active=False)
    review_chain_delete(actor=admin, chain=unused)
    assert not ReviewChain.objects.filter(pk=unused.pk).exists()


def test_default_chains_follow_the_process_and_are_idempotent(db):
    """R-OPP-2, R-REV-2, R-REV-3, R-REV-4, R-QUOTE-1: the four default chains."""
    ensure_default_chains()
    ensure_default_chains()
    chains = {c.kind: c for c in ReviewChain.objects.all()}
    assert set(chains) == {"initiation", "solution_version", "bid", "contract"}
    assert ReviewChain.objects.count() == 4 and ReviewChainStep.objects.count() == 13

    def plan(kind):
        return [
            (s.approver_role, s.mode, s.approver_scope, s.condition_min_amount)
            for s in chains[kind].steps.order_by("order")
        ]

    assert plan("initiation") == [(Role.SALES_MANAGER, StepMode.ANY, ApproverScope.TEAM, None)]
    assert plan("solution_version") == [
        (Role.PRESALES_MANAGER, StepMode.ALL, ApproverScope.TEAM, None),
        (Role.LEGAL, StepMode.ANY, ApproverScope.TEAM, None),
        (Role.SALES_MANAGER, StepMode.ANY, ApproverScope.TEAM, None),
        (Role.DEPARTMENT_HEAD, StepMode.ANY, ApproverScope.COMPANY, None),
        (Role.FINANCE, StepMode.ANY, ApproverScope.TEAM, None),
        (Role.GENERAL_MANAGER, StepMode.ANY, ApproverScope.TEAM, None),
    ]
    solution_steps = list(chains["solution_version"].steps.order_by("order"))
    # R-REV-2: each head signs off their part item by item.
    assert [[i["code"] for i in s.check_items] for s in solution_steps] == [
        [],
        ["contract_terms", "ip_statements"],
        ["price_reasonableness", "margin_within_policy"],
        ["feasibility", "implementation_resources"],
        [],
        [],
    ]
    # R-QUOTE-1: finance below the 15% floor, the general manager below 5%.
    assert [s.condition_max_margin for s in solution_steps] == [
        None,
        None,
        None,
        None,
        Decimal("15.00"),
        Decimal("5.00"),
    ]
    # the heads sign off at the same time, then finance, then the general manager
    assert [s.parallel_with_previous for s in solution_steps] == [False, False, True, True, False, False]
    assert chains["solution_version"].scores_required_on_reject is True
    assert chains["initiation"].scores_required_on_reject is False
    assert [c["code"] for c in chains["solution_version"].score_criteria] == [
        "rationality",
        "innovation",
        "completeness",
    ]
    assert [s[0] for s in plan("bid")] == [Role.PRESALES_MANAGER, Role.LEGAL, Role.FINANCE]
    assert plan("contract")[2] == (
        Role.GENERAL_MANAGER,
        StepMode.ANY,
        ApproverScope.TEAM,
        Decimal("10000.00"),
    )


def test_default_chains_keep_what_an_admin_changed(db, admin):
    ensure_default_chains()
    gm = ReviewChainStep.objects.get(chain__kind="contract", order=3)
    gm.condition_min_amount = Decimal("50000")
    gm.save()
    ReviewChain.objects.filter(kind="bid").update(is_active=False)
    ReviewChain.objects.create(kind="bid", name="Our own bid review", is_active=True)
    ensure_default_chains()
    gm.refresh_from_db()
    assert gm.condition_min_amount == Decimal("50000")
    assert ReviewChain.objects.filter(kind="bid", is_active=True).get().name == "Our own bid review"

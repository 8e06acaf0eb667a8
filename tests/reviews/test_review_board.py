"""The solution review board's engine (R-REV-2, R-REV-5, R-REV-6, R-QUOTE-1), generic over
subject types: check items per step, scores (also on rejections when the chain says so),
price-authority steps by margin band, watchers told the outcome, the review form and the
inbox, the API. Exercised on the stand-in lead subject of tests/reviews/conftest.py."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Role
from presales.sla.models import Delivery, DeliveryChannel, Notification
from presales.sla.notifications import notification_preferences_set
from reviews.choices import ReviewStatus, StepMode, TaskState
from reviews.models import ReviewChainStep, ReviewTask
from reviews.notifications import REVIEW_OUTCOME, REVIEW_WAITING
from reviews.registry import register_subject_type
from reviews.selectors import review_scores
from reviews.services import review_cancel, review_chain_update, review_decide, review_start
from tests.factories import TeamWebhookFactory
from tests.reviews.conftest import CRITERIA, FULL_SCORES, KIND

pytestmark = pytest.mark.django_db

LEGAL_ITEMS = [
    {"code": "contract_terms", "label": "Contract terms"},
    {"code": "ip_statements", "label": "IP statements"},
]
ALL_OK = {"contract_terms": {"ok": True}, "ip_statements": {"ok": True}}


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL, username="legal")


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="finance")


@pytest.fixture
def legal_review(make_chain, lead, author, legal):
    make_chain([{"approver_role": Role.LEGAL, "mode": StepMode.ANY, "check_items": LEGAL_ITEMS}])
    return review_start(actor=author, subject=lead, kind=KIND)


def _fields(exc) -> dict:
    return exc.value.fields


# --- check items (R-REV-2) ----------------------------------------------------------------


def test_a_step_check_items_are_copied_to_its_tasks_and_survive_chain_edits_R_REV_2(
    legal_review, legal, make_user
):
    admin = make_user(Role.ADMIN, username="admin")
    task = ReviewTask.objects.get(review=legal_review)
    assert task.check_items == LEGAL_ITEMS
    # when an admin changes the chain's check items afterwards
    chain = legal_review.chain
    step = chain.steps.get()
    review_chain_update(
        actor=admin,
        chain=chain,
        data={},
        steps=[
            {
                "order": 1,
                "name": step.name,
                "approver_role": Role.LEGAL,
                "mode": StepMode.ANY,
                "check_items": [{"code": "other", "label": "Other"}],
            }
        ],
    )
    # then the review under way keeps the items it started with
    task.refresh_from_db()
    assert [code for code, _label in task.check_item_labels] == ["contract_terms", "ip_statements"]


def test_approving_with_an_item_neither_ticked_nor_commented_is_refused_R_REV_2(legal_review, legal):
    for checks in (None, {"contract_terms": {"ok": True}}, {**ALL_OK, "ip_statements": {"ok": False}}):
        with pytest.raises(DomainError) as exc:
            review_decide(actor=legal, review=legal_review, decision="approve", checks=checks)
        assert exc.value.status_code == 400
        assert any("IP statements" in m for m in _fields(exc)["checks"])
    assert ReviewTask.objects.get(review=legal_review).state == TaskState.PENDING


@pytest.mark.parametrize(
    ("checks", "message"),
    [
        ({**ALL_OK, "unknown": {"ok": True}}, "Unknown check items: unknown"),
        ({**ALL_OK, "contract_terms": True}, "say whether it is ok"),
        ({**ALL_OK, "contract_terms": {"ok": "yes"}}, "say whether it is ok"),
        ({**ALL_OK, "contract_terms": {"ok": False, "comment": 3}}, "must be text"),
        ({**ALL_OK, "contract_terms": {"ok": False, "comment": "   "}}, "not ticked"),
        (["contract_terms"], "Give the check results"),
    ],
)
def test_malformed_check_results_are_refused_with_field_messages_R_REV_2(
    legal_review, legal, checks, message
):
    with pytest.raises(DomainError) as exc:
        review_decide(actor=legal, review=legal_review, decision="approve", checks=checks)
    assert any(message in m for m in _fields(exc)["checks"]), _fields(exc)


def test_an_approval_records_each_item_ticked_or_commented_R_REV_2(legal_review, legal):
    checks = {
        "contract_terms": {"ok": True, "comment": ""},
        "ip_statements": {"ok": False, "comment": " Third-party licence list missing "},
    }
    review = review_decide(actor=legal, review=legal_review, decision="approve", checks=checks)
    assert review.status == ReviewStatus.APPROVED
    task = ReviewTask.objects.get(review=review)
    assert task.checks == {
        "contract_terms": {"ok": True, "comment": ""},
        "ip_statements": {"ok": False, "comment": "Third-party licence list missing"},
    }
    assert task.check_rows == [
        ("contract_terms", "Contract terms", True, ""),
        ("ip_statements", "IP statements", False, "Third-party licence list missing"),
    ]


def test_a_rejection_may_leave_items_unmarked_but_not_an_uncommented_fail_R_REV_2(legal_review, legal):
    with pytest.raises(DomainError):
        review_decide(
            actor=legal,
            review=legal_review,
            decision="reject",
            comment="IP unclear",
            checks={"ip_statements": {"ok": False}},
        )
    review = review_decide(
        actor=legal,
        review=legal_review,
        decision="reject",
        comment="IP unclear",
        checks={"ip_statements": {"ok": False, "comment": "Who owns the adapters?"}},
    )
    assert review.status == ReviewStatus.REJECTED
    assert ReviewTask.objects.get(review=review).checks == {
        "ip_statements": {"ok": False, "comment": "Who owns the adapters?"}
    }


def test_check_results_are_refused_on_a_step_without_items_R_REV_2(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    with pytest.raises(DomainError) as exc:
        review_decide(actor=manager, review=review, decision="approve", checks={"x": {"ok": True}})
    assert _fields(exc)["checks"] == ["This step has no check items."]
    assert review_decide(actor=manager, review=review, decision="approve").status == ReviewStatus.APPROVED


@pytest.mark.parametrize(
    "items",
    [
        "contract_terms",
        [{"code": "bad code", "label": "x"}],
        [{"code": "a", "label": "A"}, {"code": "a", "label": "again"}],
        [{"code": "a", "label": ""}],
    ],
)
def test_a_chain_step_with_malformed_check_items_is_refused_R_REV_2(make_chain, make_user, items):
    admin = make_user(Role.ADMIN, username="admin")
    chain = make_chain([{"approver_role": Role.LEGAL}])
    with pytest.raises(DomainError) as exc:
        review_chain_update(
            actor=admin,
            chain=chain,
            data={},
            steps=[{"order": 1, "name": "Legal", "approver_role": Role.LEGAL, "check_items": items}],
        )
    assert any("check_items" in m for m in _fields(exc)["steps"])


# --- scores (R-REV-2) ---------------------------------------------------------------------


def test_a_chain_may_require_scores_on_rejections_too_R_REV_2(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}], criteria=CRITERIA, scores_required_on_reject=True)
    review = review_start(actor=author, subject=lead, kind=KIND)
    assert review.scores_required_on_reject is True
    with pytest.raises(DomainError) as exc:
        review_decide(actor=manager, review=review, decision="reject", comment="Too thin")
    assert len(_fields(exc)["scores"]) == 3
    review = review_decide(
        actor=manager, review=review, decision="reject", comment="Too thin", scores=FULL_SCORES
    )
    assert ReviewTask.objects.get(review=review).scores == FULL_SCORES


def test_review_scores_average_each_finished_review_in_one_query_R_REV_2(
    make_chain, lead, author, manager, make_user, team, django_assert_num_queries
):
    second = make_user(Role.PRESALES_MANAGER, team=team, username="second")
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ALL}], criteria=CRITERIA)
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=manager, review=review, decision="approve", scores=FULL_SCORES)
    review_decide(
        actor=second,
        review=review,
        decision="approve",
        scores={"rationality": 3, "innovation": 4, "completeness": 4},
    )
    # a withdrawn review counts for nothing
    withdrawn = review_start(actor=author, subject=lead, kind=KIND)
    review_cancel(actor=author, review=withdrawn, reason="changed")
    with django_assert_num_queries(1):
        rows = review_scores(KIND)
    [row] = rows
    assert (row.review_id, row.object_id, row.author_id, row.status, row.reviewers) == (
        review.pk,
        lead.pk,
        author.pk,
        ReviewStatus.APPROVED,
        2,
    )
    assert row.averages == {
        "rationality": Decimal("3.50"),
        "innovation": Decimal("3.50"),
        "completeness": Decimal("4.50"),
    }
    assert row.overall == Decimal("3.83")
    assert review_scores(KIND, author_ids=[manager.pk]) == []
    assert review_scores("other_kind") == []
    assert review_scores(KIND, finished_until=review.started_at) == []


# --- price-authority bands (R-QUOTE-1) -----------------------------------------------------


@pytest.fixture
def banded(lead_subject_type, make_chain, manager, finance, general_manager):
    """A chain with finance below a 15% margin and the general manager below 5%; the lead
    reports the margin the test sets."""
    margin = {"value": None}
    register_subject_type(replace(lead_subject_type, margin_of=lambda subject: margin["value"]))
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.FINANCE, "mode": StepMode.ANY, "condition_max_margin": Decimal("15")},
            {
                "approver_role": Role.GENERAL_MANAGER,
                "mode": StepMode.ANY,
                "condition_max_margin": Decimal("5"),
            },
        ]
    )
    return margin


@pytest.mark.parametrize(
    ("margin", "finance_step", "gm_step"),
    [
        (Decimal("20"), TaskState.SKIPPED, TaskState.SKIPPED),
        (Decimal("15"), TaskState.SKIPPED, TaskState.SKIPPED),  # at the floor: not below it
        (Decimal("14.99"), TaskState.WAITING, TaskState.SKIPPED),
        (Decimal("5"), TaskState.WAITING, TaskState.SKIPPED),
        (Decimal("4.5"), TaskState.WAITING, TaskState.WAITING),
        (Decimal("-10"), TaskState.WAITING, TaskState.WAITING),
        (None, TaskState.WAITING, TaskState.WAITING),  # unknown margin: fail safe
    ],
)
def test_price_authority_steps_apply_below_their_margin_band_R_QUOTE_1(
    banded, lead, author, margin, finance_step, gm_step
):
    banded["value"] = margin
    review = review_start(actor=author, subject=lead, kind=KIND)
    states = dict(ReviewTask.objects.filter(review=review).values_list("step_order", "state"))
    assert (states[2], states[3]) == (finance_step, gm_step)
    assert review.margin == (None if margin is None else Decimal(margin).quantize(Decimal("0.01")))


def test_a_subject_type_without_margin_gets_every_band_step_R_QUOTE_1(
    make_chain, lead, author, manager, finance
):
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.FINANCE, "mode": StepMode.ANY, "condition_max_margin": Decimal("15")},
        ]
    )
    review = review_start(actor=author, subject=lead, kind=KIND)
    assert ReviewTask.objects.get(review=review, step_order=2).approver == finance
    assert review.margin is None


def test_amount_and_margin_conditions_both_hold_R_QUOTE_1(
    lead_subject_type, make_chain, lead, author, manager
):
    """A step with both conditions applies only when the amount exceeds its threshold AND
    the margin is below its band (the lead's budget is 50,000)."""
    register_subject_type(replace(lead_subject_type, margin_of=lambda subject: Decimal("10")))
    step = ReviewChainStep(condition_min_amount=Decimal("60000"), condition_max_margin=Decimal("15"))
    assert step.applies_to(Decimal("50000"), Decimal("10")) is False
    assert step.applies_to(Decimal("70000"), Decimal("10")) is True
    assert step.applies_to(Decimal("70000"), Decimal("20")) is False
    assert step.applies_to(None, None) is True


def test_the_finance_step_decides_like_any_other_and_the_form_says_why_a_band_was_skipped_R_QUOTE_1(
    banded, lead, author, manager, finance, client
):
    banded["value"] = Decimal("12.5")
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=manager, review=review, decision="approve")
    assert ReviewTask.objects.get(review=review, approver=finance).state == TaskState.PENDING
    client.force_login(finance)
    inbox = client.get(reverse("reviews:inbox")).content.decode()
    assert 'data-testid="inbox-margin">12.50%' in inbox
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'data-testid="review-margin">12.50%' in page
    assert "applies only when the margin is below 5.00%" in page
    review = review_decide(actor=finance, review=review, decision="approve")
    assert review.status == ReviewStatus.APPROVED


# --- R-REV-5 --------------------------------------------------------------------------------


def test_nobody_authors_of_names_may_decide_on_any_route_R_REV_5(
    lead_subject_type, make_chain, lead, author, manager, make_user, team, client_for, client
):
    """A co-writer the subject type names (not the submitter) who is also an approver gets no
    task; named after the start, they are refused on the API and the web form as well."""
    writer = make_user(Role.PRESALES_MANAGER, team=team, username="writer")
    owners = {author.pk}
    register_subject_type(replace(lead_subject_type, authors_of=lambda subject: set(owners)))
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    owners.add(writer.pk)
    response = client_for(writer).post(
        reverse("review-decide", args=[review.pk]), {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    client.force_login(writer)
    page = client.post(
        reverse("reviews:decide", args=[review.pk]), {f"r{review.pk}-decision": "approve"}
    ).content.decode()
    assert "Nobody may approve their own work." in page
    with pytest.raises(NotAllowed):
        review_decide(actor=writer, review=review, decision="reject", comment="no")
    assert ReviewTask.objects.filter(review=review, state=TaskState.PENDING).count() == 2


# --- notifications: every channel, watchers -------------------------------------------------


def test_watchers_and_authors_hear_the_outcome_by_bell_mail_and_robot_R_REV_5(
    lead_subject_type, make_chain, lead, author, manager, make_user, team
):
    """The author, everyone ``authors_of`` names and the subject's watchers (e.g. the
    opportunity's sales owner) are told the outcome: a bell for each, an e-mail by each
    one's preference, one post of the team robot; approvers are told when their step opens."""
    owner = make_user(Role.SALES_REP, team=team, username="owner", email="owner@example.com")
    quiet = make_user(Role.SALES_REP, team=team, username="quiet", email="quiet@example.com")
    notification_preferences_set(actor=quiet, email_kinds=set())
    register_subject_type(replace(lead_subject_type, watchers_of=lambda subject: [owner.pk, quiet.pk, None]))
    hook = TeamWebhookFactory(team=team, kinds=[REVIEW_OUTCOME, REVIEW_WAITING])
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    assert list(Notification.objects.filter(kind=REVIEW_WAITING).values_list("recipient", flat=True)) == [
        manager.pk
    ]
    review_decide(actor=manager, review=review, decision="reject", comment="Add the IP statements")
    outcome = Notification.objects.filter(kind=REVIEW_OUTCOME)
    assert sorted(outcome.values_list("recipient__username", flat=True)) == ["author", "owner", "quiet"]
    assert all("Add the IP statements" in n.body for n in outcome)
    mails = Delivery.objects.filter(notification__kind=REVIEW_OUTCOME, channel=DeliveryChannel.EMAIL)
    emailed = sorted(mails.values_list("notification__recipient__username", flat=True))
    assert "quiet" not in emailed and "owner" in emailed
    assert (
        Delivery.objects.filter(
            notification__kind=REVIEW_OUTCOME, channel=DeliveryChannel.WEBHOOK, webhook=hook
        ).count()
        == 1
    )
    # watchers may still decide: they are not kept from a task as authors are
    assert review.author == author


# --- web: the review form and the inbox (R-REV-6) -------------------------------------------


def test_the_inbox_shows_the_steps_check_items_and_the_form_takes_them_R_REV_6(legal_review, legal, client):
    client.force_login(legal)
    inbox = client.get(reverse("reviews:inbox")).content.decode()
    assert 'data-testid="inbox-check-items"' in inbox
    assert "Contract terms" in inbox and "IP statements" in inbox
    prefix = f"r{legal_review.pk}"
    assert f'name="{prefix}-check_contract_terms"' in inbox
    url = reverse("reviews:decide", args=[legal_review.pk])
    # an unticked, uncommented item: refused with the form's errors, nothing decided
    page = client.post(
        url, {f"{prefix}-decision": "approve", f"{prefix}-check_contract_terms": "on"}
    ).content.decode()
    assert "Check item IP statements: tick it, or say what is wrong with it." in page
    assert ReviewTask.objects.get(review=legal_review).state == TaskState.PENDING
    # ticked and commented: approved, and the review form shows each result
    response = client.post(
        url,
        {
            f"{prefix}-decision": "approve",
            f"{prefix}-check_contract_terms": "on",
            f"{prefix}-check_ip_statements_comment": "Licence list to follow",
        },
    )
    assert response.status_code == 302
    task = ReviewTask.objects.get(review=legal_review)
    assert task.checks == {
        "contract_terms": {"ok": True, "comment": ""},
        "ip_statements": {"ok": False, "comment": "Licence list to follow"},
    }
    page = client.get(legal_review.get_absolute_url()).content.decode()
    assert 'data-testid="task-checks"' in page
    assert "IP statements" in page and "Licence list to follow" in page


def test_the_inbox_htmx_decision_keeps_the_check_items_on_refusal_R_REV_6(legal_review, legal, client):
    client.force_login(legal)
    prefix = f"r{legal_review.pk}"
    page = client.post(
        reverse("reviews:decide", args=[legal_review.pk]),
        {f"{prefix}-decision": "approve", "context": "inbox"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-testid="inbox-item"' in page and 'data-testid="check-items"' in page
    assert "Check item Contract terms" in page


# --- API ------------------------------------------------------------------------------------


def test_the_api_takes_check_results_and_returns_them_R_REV_2(legal_review, legal, client_for):
    api = client_for(legal)
    url = reverse("review-decide", args=[legal_review.pk])
    for body in (
        {"decision": "approve"},
        {"decision": "approve", "checks": {"contract_terms": {"ok": True}}},
        {"decision": "approve", "checks": {**ALL_OK, "ip_statements": {"ok": False}}},
        {"decision": "approve", "checks": {"contract_terms": {"ok": True, "extra": 1}}},
        {"decision": "approve", "checks": ["contract_terms"]},
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (body, response.json())
    assert ReviewTask.objects.get(review=legal_review).state == TaskState.PENDING
    response = api.post(
        url,
        {"decision": "approve", "checks": {**ALL_OK, "ip_statements": {"ok": False, "comment": "later"}}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    [task] = response.json()["tasks"]
    assert task["check_items"] == LEGAL_ITEMS
    assert task["checks"] == {
        "contract_terms": {"ok": True, "comment": ""},
        "ip_statements": {"ok": False, "comment": "later"},
    }
    assert response.json()["margin"] is None


def test_the_chain_api_writes_check_items_and_margin_bands_R_QUOTE_1(make_chain, make_user, client_for):
    admin = make_user(Role.ADMIN, username="admin")
    chain = make_chain([{"approver_role": Role.LEGAL}])
    url = reverse("review-chain-detail", args=[chain.pk])
    step = {
        "order": 1,
        "name": "Finance",
        "approver_role": Role.FINANCE,
        "condition_max_margin": "15.00",
        "check_items": [{"code": "price", "label": "Price reasonableness"}],
    }
    response = client_for(admin).patch(url, {"steps": [step]}, format="json")
    assert response.status_code == 200, response.json()
    [saved] = response.json()["steps"]
    assert saved["condition_max_margin"] == "15.00"
    assert saved["check_items"] == [{"code": "price", "label": "Price reasonableness"}]
    bad = {**step, "check_items": [{"code": "bad code", "label": "x"}]}
    response = client_for(admin).patch(url, {"steps": [bad]}, format="json")
    assert response.status_code == 400
    bad = {**step, "check_items": [{"code": "a", "label": "A", "other": 1}]}
    assert client_for(admin).patch(url, {"steps": [bad]}, format="json").status_code == 400


# --- the default solution chain (R-REV-2, R-QUOTE-1) ----------------------------------------


def _legacy_solution_chain():
    from reviews.defaults import DEFAULT_CHAINS
    from reviews.models import ReviewChain

    spec = next(c for c in DEFAULT_CHAINS if c["kind"] == "solution_version")
    chain = ReviewChain.objects.create(kind="solution_version", name=spec["name"], score_criteria=CRITERIA)
    ReviewChainStep.objects.create(
        chain=chain, order=1, name="Presales manager", approver_role=Role.PRESALES_MANAGER, mode=StepMode.ALL
    )
    ReviewChainStep.objects.create(
        chain=chain,
        order=2,
        name="Department heads",
        approver_role=Role.DEPARTMENT_HEAD,
        approver_scope="company",
        mode=StepMode.ANY,
    )
    return chain


def test_an_untouched_old_default_solution_chain_is_brought_up_to_date_R_REV_2_R_QUOTE_1(db):
    from reviews.defaults import ensure_default_chains, upgrade_default_solution_chain

    chain = _legacy_solution_chain()
    ensure_default_chains()
    chain.refresh_from_db()
    steps = list(chain.steps.order_by("order"))
    assert [s.approver_role for s in steps] == [
        Role.PRESALES_MANAGER,
        Role.LEGAL,
        Role.SALES_MANAGER,
        Role.DEPARTMENT_HEAD,
        Role.FINANCE,
        Role.GENERAL_MANAGER,
    ]
    assert chain.scores_required_on_reject is True
    # idempotent: a second run changes nothing
    assert upgrade_default_solution_chain() is False
    assert chain.steps.count() == 6


def test_an_old_default_solution_chain_an_admin_changed_is_left_alone_R_REV_2(db):
    from reviews.defaults import upgrade_default_solution_chain

    chain = _legacy_solution_chain()
    ReviewChainStep.objects.filter(chain=chain, order=2).update(mode=StepMode.ALL)
    assert upgrade_default_solution_chain() is False
    assert chain.steps.count() == 2


def test_a_rejection_shows_the_failed_check_items_where_the_author_revises_R_REV_5(legal_review, legal, lead):
    from django.template.loader import render_to_string

    from reviews.selectors import latest_rejection

    review_decide(
        actor=legal,
        review=legal_review,
        decision="reject",
        comment="IP unclear",
        checks={"ip_statements": {"ok": False, "comment": "Who owns the adapters?"}},
    )
    html = render_to_string("reviews/partials/rejection_comments.html", {"rejected": latest_rejection(lead)})
    assert "IP unclear" in html
    assert 'data-check="ip_statements"' in html and "Who owns the adapters?" in html


# --- parallel steps: the heads sign off at the same time (R-REV-1, R-REV-2) -----------------


@pytest.fixture
def heads_review(make_chain, lead, author, manager, legal, make_user):
    """Presales manager, then legal and the finance head in parallel, then the general manager."""
    finance_head = make_user(Role.FINANCE, username="finance_head")
    gm = make_user(Role.GENERAL_MANAGER, username="gm")
    make_chain(
        [
            {"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ANY},
            {"approver_role": Role.LEGAL, "mode": StepMode.ANY, "check_items": LEGAL_ITEMS},
            {"approver_role": Role.FINANCE, "mode": StepMode.ANY, "parallel_with_previous": True},
            {"approver_role": Role.GENERAL_MANAGER, "mode": StepMode.ANY},
        ]
    )
    review = review_start(actor=author, subject=lead, kind=KIND)
    return review, finance_head, gm


def _states(review):
    return dict(ReviewTask.objects.filter(review=review).values_list("step_order", "state"))


def test_parallel_steps_open_together_and_the_next_waits_for_all_of_them_R_REV_1(
    heads_review, manager, legal
):
    review, finance_head, gm = heads_review
    assert list(
        ReviewTask.objects.filter(review=review).order_by("step_order").values_list("stage_order", flat=True)
    ) == [
        1,
        2,
        2,
        4,
    ]
    review_decide(actor=manager, review=review, decision="approve")
    assert _states(review) == {1: "approved", 2: "pending", 3: "pending", 4: "waiting"}
    waiting = Notification.objects.filter(kind=REVIEW_WAITING)
    assert sorted(waiting.values_list("recipient__username", flat=True)) == [
        "finance_head",
        "legal",
        "manager",
    ]
    # the finance head decides first: legal is still pending, the general manager waits
    review = review_decide(actor=finance_head, review=review, decision="approve")
    assert _states(review) == {1: "approved", 2: "pending", 3: "approved", 4: "waiting"}
    assert review.current_step_order == 2
    from reviews.models import Review

    steps = {s.order: s.state for s in Review.objects.with_tasks().get(pk=review.pk).steps}
    assert steps == {1: "approved", 2: "current", 3: "approved", 4: "waiting"}
    # deciding twice in the stage is refused
    with pytest.raises(DomainError) as exc:
        review_decide(actor=finance_head, review=review, decision="approve")
    assert exc.value.code == "already_decided"
    review = review_decide(actor=legal, review=review, decision="approve", checks=ALL_OK)
    assert _states(review) == {1: "approved", 2: "approved", 3: "approved", 4: "pending"}
    assert review.current_step_order == 4
    assert review_decide(actor=gm, review=review, decision="approve").status == ReviewStatus.APPROVED


def test_a_rejection_in_a_parallel_stage_ends_the_review_R_REV_1(heads_review, manager, legal):
    review, finance_head, _gm = heads_review
    review_decide(actor=manager, review=review, decision="approve")
    review = review_decide(actor=finance_head, review=review, decision="reject", comment="Price too low")
    assert review.status == ReviewStatus.REJECTED
    assert _states(review) == {1: "approved", 2: "superseded", 3: "rejected", 4: "superseded"}


def test_each_parallel_approver_sees_their_own_steps_items_in_the_inbox_R_REV_6(
    heads_review, manager, legal, client
):
    review, finance_head, _gm = heads_review
    review_decide(actor=manager, review=review, decision="approve")
    client.force_login(legal)
    assert 'data-testid="inbox-check-items"' in client.get(reverse("reviews:inbox")).content.decode()
    client.force_login(finance_head)
    page = client.get(reverse("reviews:inbox")).content.decode()
    assert 'data-testid="inbox-step">3.' in page and 'data-testid="inbox-check-items"' not in page

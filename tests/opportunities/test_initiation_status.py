"""One door for the initiation request's status (R-OPP-2, R-OPP-3, R-REV-5): every status
change goes through INITIATION_MACHINE and writes its InitiationStatusChange row (who,
when, from, to, move, note, revision); the rows are shown on the opportunity page and read
from the API with the request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Customer
from opportunities.choices import CloseReason, InitiationStatus, Stage
from opportunities.models import InitiationStatusChange, ProjectInitiation
from opportunities.services import initiation_save, initiation_submit, initiation_withdraw, opportunity_move
from opportunities.transitions import INITIATION_MACHINE
from presales.core.errors import GateRefused, NotAllowed
from presales.core.roles import Role
from reviews.defaults import ensure_default_chains
from reviews.selectors import reviews_for_subject
from reviews.services import review_cancel, review_decide
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

REQUEST = {
    "background": "500 staff, ¥100M revenue; two production lines to upgrade.",
    "sales_strategy": "Lead with the production-efficiency case.",
    "expected_goals": "Win phase 1.",
}
DRAFT, IN_REVIEW = InitiationStatus.DRAFT, InitiationStatus.IN_REVIEW
APPROVED, REJECTED = InitiationStatus.APPROVED, InitiationStatus.REJECTED


@pytest.fixture
def chains(db):
    return ensure_default_chains()


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)


def submitted(engineer, opportunity) -> ProjectInitiation:
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    return initiation_submit(actor=engineer, initiation=initiation)


def review_of(initiation):
    return reviews_for_subject(initiation).first()


def rows(initiation) -> list[tuple]:
    """The request's status changes, oldest first, as (from, to, move, actor, note, revision)."""
    return list(
        InitiationStatusChange.objects.filter(initiation=initiation)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "move", "actor__username", "note", "revision")
    )


# --- every status change writes its row ----------------------------------------------------


def test_submit_reject_resubmit_approve_are_each_recorded_R_OPP_2_R_REV_5(
    chains, engineer, sales_manager, opportunity
):
    # given a request sent to review and rejected
    before = timezone.now()
    initiation = submitted(engineer, opportunity)
    review_decide(actor=sales_manager, review=review_of(initiation), decision="reject", comment="Too vague.")
    # when it is revised, sent again and approved
    initiation = initiation_save(
        actor=engineer, opportunity=opportunity, data={**REQUEST, "expected_goals": "Win phase 1 and 2."}
    )
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review_decide(actor=sales_manager, review=review_of(initiation), decision="approve")
    # then every status change has its row: who, from, to, move, the reviewer's comment, revision
    assert rows(initiation) == [
        (DRAFT, IN_REVIEW, "submit", engineer.username, "", 1),
        (IN_REVIEW, REJECTED, "reject", sales_manager.username, "Too vague.", 1),
        (REJECTED, IN_REVIEW, "submit", engineer.username, "", 2),
        (IN_REVIEW, APPROVED, "approve", sales_manager.username, "", 2),
    ]
    assert all(at >= before for at in InitiationStatusChange.objects.values_list("at", flat=True))


def test_withdrawing_is_recorded_with_its_reason_R_REV_5(chains, engineer, sales_manager, opportunity):
    initiation = submitted(engineer, opportunity)
    initiation = initiation_withdraw(
        actor=engineer, initiation=initiation, reason="Adding the budget source."
    )
    assert initiation.status == DRAFT
    assert rows(initiation)[-1] == (
        IN_REVIEW,
        DRAFT,
        "withdraw",
        engineer.username,
        "Adding the budget source.",
        1,
    )
    # one row for the withdrawal: the review's cancellation found the draft already
    assert len(rows(initiation)) == 2


def test_a_review_cancelled_on_its_page_moves_the_request_back_to_draft_R_REV_5(
    chains, engineer, sales_manager, opportunity
):
    initiation = submitted(engineer, opportunity)
    review_cancel(actor=engineer, review=review_of(initiation), reason="Wrong amount.")
    assert rows(initiation)[-1] == (IN_REVIEW, DRAFT, "back_to_draft", engineer.username, "Wrong amount.", 1)


def test_closing_the_opportunity_moves_its_pending_request_back_to_draft(
    chains, engineer, sales_manager, opportunity
):
    initiation = submitted(engineer, opportunity)
    opportunity_move(actor=engineer, opportunity=opportunity, move="abandon", reason=CloseReason.BUDGET)
    assert [r[:4] for r in rows(initiation)][-1] == (IN_REVIEW, DRAFT, "back_to_draft", engineer.username)


# --- refused moves change nothing ----------------------------------------------------------


def test_withdrawing_without_a_reason_or_by_an_outsider_is_refused_R_REV_5(
    chains, engineer, other_engineer, sales_manager, opportunity
):
    # given a request in review
    initiation = submitted(engineer, opportunity)
    before = rows(initiation)
    # when it is withdrawn without a reason, then the move's input gate refuses it
    with pytest.raises(GateRefused) as refused:
        initiation_withdraw(actor=engineer, initiation=initiation, reason="  ")
    assert refused.value.reasons == ["Say why the request is withdrawn."]
    # and someone outside the team may not withdraw it at all
    with pytest.raises(NotAllowed):
        initiation_withdraw(actor=other_engineer, initiation=initiation, reason="Mine now.")
    # then nothing changed: still in review, its review still running, no new row
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == IN_REVIEW
    assert review_of(initiation).status == "in_progress"
    assert rows(initiation) == before


def test_a_draft_cannot_go_back_to_draft_or_be_withdrawn(chains, engineer, opportunity):
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    for move, context in (("back_to_draft", {}), ("withdraw", {"reason": "Why not."})):
        with pytest.raises(GateRefused):
            INITIATION_MACHINE.check(initiation, engineer, move, **context)
    with pytest.raises(GateRefused):
        initiation_withdraw(actor=engineer, initiation=initiation, reason="Why not.")
    assert rows(initiation) == []


def test_withdraw_is_offered_before_its_reason_is_given(chains, engineer, sales_manager, opportunity):
    """The input guard (the reason) runs when the move is made, not when it is offered."""
    initiation = submitted(engineer, opportunity)
    options = {o.move.name: o.reasons for o in INITIATION_MACHINE.options(initiation, engineer)}
    assert options["withdraw"] == []


# --- progress with the customer (R-CUST-3) ---------------------------------------------------


def test_a_stage_move_is_progress_with_the_customer_R_CUST_3(engineer, team, opportunity):
    Customer.objects.filter(pk=opportunity.customer_id).update(
        last_progress_at=timezone.now() - timedelta(days=60)
    )
    opportunity_move(actor=engineer, opportunity=opportunity, move="abandon", reason=CloseReason.BUDGET)
    change = opportunity.stage_changes.get()
    assert change.to_stage == Stage.ABANDONED
    assert Customer.objects.get(pk=opportunity.customer_id).last_progress_at == change.at


# --- page and API --------------------------------------------------------------------------


def test_the_opportunity_page_shows_the_requests_status_history_R_OPP_2(
    chains, client, engineer, sales_manager, opportunity
):
    initiation = submitted(engineer, opportunity)
    review_decide(actor=sales_manager, review=review_of(initiation), decision="reject", comment="Too vague.")
    client.force_login(engineer)
    html = client.get(opportunity.get_absolute_url()).content.decode()
    section = html[html.index('data-testid="initiation-status-history"') :]
    section = section[: section.index("</table>")]
    assert "In review" in section and "Rejected" in section and "Too vague." in section
    assert str(sales_manager) in section and str(engineer) in section


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("no_role_user", 403), ("other_engineer", 404), ("engineer", 200)],
)
def test_the_api_shows_the_status_changes_with_the_request(
    chains, request, client_for, engineer, sales_manager, opportunity, who, status
):
    submitted(engineer, opportunity)
    actor = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(actor).get(reverse("opportunity-initiation", args=[opportunity.pk]))
    assert response.status_code == status, response.content
    if status == 200:
        [change] = response.json()["status_changes"]
        assert (change["from_status"], change["to_status"], change["move"]) == (DRAFT, IN_REVIEW, "submit")
        assert (change["actor"], change["actor_name"], change["revision"]) == (engineer.pk, str(engineer), 1)


def test_status_changes_cannot_be_written_through_the_api(chains, client_for, engineer, opportunity):
    initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    response = client_for(engineer).put(
        reverse("opportunity-initiation", args=[opportunity.pk]),
        {**REQUEST, "status_changes": [{"to_status": "approved"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"status_changes": ["This field is read-only."]}
    assert not InitiationStatusChange.objects.exists()


@pytest.mark.parametrize("count", [2, 10])
def test_the_requests_status_changes_cost_the_same_queries_for_few_or_many(
    chains, client_for, engineer, sales_manager, opportunity, django_assert_num_queries, count
):
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    for i in range(count):
        InitiationStatusChange.objects.create(
            initiation=initiation,
            from_status=DRAFT,
            to_status=IN_REVIEW,
            move="submit",
            actor=engineer if i % 2 else sales_manager,
            revision=1,
            at=timezone.now() - timedelta(minutes=i),
        )
    client = client_for(engineer)
    # 6: the opportunity is read with its competitors in play (R-COMP-1), one prefetch
    with django_assert_num_queries(6):
        response = client.get(reverse("opportunity-initiation", args=[opportunity.pk]))
    assert len(response.json()["status_changes"]) == count

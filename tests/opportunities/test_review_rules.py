"""The review rules on the project initiation, through the real review engine:
R-REV-5 (nobody who wrote or owns a subject decides on it; a changed reviewed fact sends an
approved request back to review) and R-REV-4 (thresholds compared in CNY at a recorded rate).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.choices import InitiationStatus, Stage
from opportunities.models import InitiationStatusChange, Opportunity, ProjectInitiation
from opportunities.services import (
    initiation_save,
    initiation_submit,
    opportunity_create,
    opportunity_move,
    opportunity_update,
)
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from presales.sla.models import Notification
from reviews.choices import ReviewStatus, StepMode, TaskState
from reviews.defaults import ensure_default_chains
from reviews.models import Review, ReviewChain, ReviewTask
from reviews.selectors import inbox_for, reviews_for_subject
from reviews.services import review_decide
from tests.factories import CustomerFactory, OpportunityFactory, ReviewChainFactory, ReviewChainStepFactory
from tests.proposals.needs.factories import confirmed_needs

pytestmark = pytest.mark.django_db

REQUEST = {
    "background": "500 staff; two production lines to upgrade.",
    "sales_strategy": "Lead with the production-efficiency case.",
    "expected_goals": "Win phase 1.",
}
RATE_DAY = date(2026, 12, 1)


@pytest.fixture
def chains(db):
    return ensure_default_chains()


@pytest.fixture
def boss(make_user, team):
    """A sales manager of the team who owns the deal."""
    return make_user(Role.SALES_MANAGER, team=team, username="boss")


@pytest.fixture
def other_manager(make_user, team):
    """A second sales manager of the team: the one who may approve."""
    return make_user(Role.SALES_MANAGER, team=team, username="other_sm")


def _review(initiation) -> Review:
    return reviews_for_subject(initiation).first()


def _decide_url(review) -> str:
    return reverse("review-decide", args=[review.pk])


def _snapshot(review: Review):
    review.refresh_from_db()
    tasks = list(ReviewTask.objects.filter(review=review).order_by("pk").values_list("state", "decided_at"))
    return (review.status, review.version, tasks)


# --- R-REV-5: own work ---------------------------------------------------------------------


def test_the_owning_sales_manager_who_wrote_the_request_cannot_decide_R_REV_5(
    chains, team, boss, other_manager, engineer, client_for
):
    """R-REV-5: the sales manager owns the deal and wrote the request, an engineer presses
    submit: the owner is no approver, has nothing in the inbox, and is refused (service and
    API, approve and reject); the other sales manager decides."""
    # given the owner's request, sent to review by the engineer
    opportunity = OpportunityFactory(team=team, sales_owner=boss, presales_owner=engineer)
    initiation = initiation_save(actor=boss, opportunity=opportunity, data=REQUEST)
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review = _review(initiation)
    # then only the other sales manager is an approver, and the owner's inbox is empty
    assert [t.approver for t in review.tasks.all()] == [other_manager]
    assert list(inbox_for(boss)) == [] and list(inbox_for(other_manager)) == [review]
    before = _snapshot(review)
    # when the owner approves or rejects anyway (service, then the API bypass)
    for decision in ("approve", "reject"):
        with pytest.raises(NotAllowed) as exc:
            review_decide(actor=boss, review=review, decision=decision, comment="Fine by me.")
        assert exc.value.code == "own_subject"
        response = client_for(boss).post(
            _decide_url(review), {"decision": decision, "comment": "Fine by me."}, format="json"
        )
        assert (response.status_code, response.json()["code"]) == (403, "own_subject")
    # then nothing changed
    assert _snapshot(review) == before
    # and the other sales manager's approval is accepted
    review_decide(actor=other_manager, review=review, decision="approve")
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.APPROVED


def test_a_review_that_only_the_owner_could_decide_is_refused_at_submit_R_REV_5(
    chains, team, boss, engineer, client_for
):
    """R-REV-5: when everyone who holds a step's role wrote or owns the request, submitting
    is refused with the step named (no review that waits for ever), and nothing changes."""
    # given a team whose only sales manager owns the deal and wrote the request
    opportunity = OpportunityFactory(team=team, sales_owner=boss, presales_owner=engineer)
    initiation = initiation_save(actor=boss, opportunity=opportunity, data=REQUEST)
    # when the engineer submits it (service, then API)
    with pytest.raises(Conflict) as exc:
        initiation_submit(actor=engineer, initiation=initiation)
    assert exc.value.code == "no_approver"
    assert exc.value.reasons == [
        "Step 1 “销售经理 Sales manager”: everyone who holds Sales manager (Boss) wrote or owns this "
        "subject, and nobody may approve their own work; ask an administrator to name another "
        "approver for this step."
    ]
    response = client_for(engineer).post(reverse("opportunity-initiation-submit", args=[opportunity.pk]))
    assert (response.status_code, response.json()["code"]) == (409, "no_approver")
    # then the request is still a draft and no review exists
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.DRAFT
    assert not Review.objects.exists()


def test_whoever_wrote_the_request_is_no_approver_R_REV_5(
    chains, team, boss, other_manager, make_user, engineer, sales_rep, client_for
):
    """R-REV-5: a sales manager who edited the request (neither owner nor submitter) is
    left out too, and refused through the API."""
    third = make_user(Role.SALES_MANAGER, team=team, username="third_sm")
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    initiation = initiation_save(actor=sales_rep, opportunity=opportunity, data=REQUEST)
    # given the other sales manager rewrote the strategy
    initiation_save(
        actor=other_manager, opportunity=opportunity, data={**REQUEST, "sales_strategy": "Lead with price."}
    )
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review = _review(initiation)
    # then the approvers are the sales managers who did not write it
    assert sorted(t.approver.username for t in review.tasks.all()) == sorted(["boss", "third_sm"])
    response = client_for(other_manager).post(_decide_url(review), {"decision": "approve"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "own_subject")
    del third, boss


def test_an_approver_who_rejected_an_earlier_revision_is_no_writer_R_REV_5(
    chains, team, other_manager, engineer, sales_rep
):
    """R-REV-5: deciding on a request is not writing it; the rejecting manager decides on
    the revised request again."""
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review_decide(actor=other_manager, review=_review(initiation), decision="reject", comment="Goals?")
    # when the engineer revises and resubmits
    initiation_save(actor=engineer, opportunity=opportunity, data={**REQUEST, "expected_goals": "Phase 1+2."})
    initiation = initiation_submit(actor=engineer, initiation=ProjectInitiation.objects.get(pk=initiation.pk))
    # then the same manager approves it
    review_decide(actor=other_manager, review=_review(initiation), decision="approve")
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == InitiationStatus.APPROVED


def test_making_an_approver_an_owner_withdraws_the_review_R_REV_5(
    chains, team, boss, other_manager, engineer, sales_rep, client_for
):
    """R-REV-5: an owner may not decide; when an approver becomes an owner during the review
    (API bypass attempt), the review is withdrawn and the request is a draft again."""
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review = _review(initiation)
    # when the sales owner is changed to an approver through the API
    response = client_for(sales_rep).patch(
        reverse("opportunity-detail", args=[opportunity.pk]), {"sales_owner": boss.pk}, format="json"
    )
    assert response.status_code == 200
    # then the review is withdrawn with the reason and the new owner decides nothing
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    assert "the sales owner changed" in review.outcome_note
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.DRAFT
    assert list(inbox_for(boss)) == []
    response = client_for(boss).post(_decide_url(review), {"decision": "approve"}, format="json")
    assert response.status_code == 409
    del other_manager


# --- R-REV-5: a change to reviewed facts sends an approved request back ------------------------


def _approved(engineer, approver, opportunity) -> ProjectInitiation:
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review_decide(actor=approver, review=_review(initiation), decision="approve")
    return ProjectInitiation.objects.get(pk=initiation.pk)


def test_changing_the_amount_of_an_approved_initiation_reopens_it_R_REV_5(
    chains, team, other_manager, engineer, sales_rep
):
    """R-REV-5: approved at 100,000, the amount becomes 50,000,000: the request is a draft
    again (move reopen, the note naming the change), its author is told, the opportunity
    keeps its stage but moves forward only after a new approval."""
    opportunity = OpportunityFactory(
        team=team, sales_owner=sales_rep, presales_owner=engineer, amount=Decimal("100000")
    )
    confirmed_needs(opportunity)  # R-NEED-4 passes: this test is about the initiation's gate
    initiation = _approved(engineer, other_manager, opportunity)
    assert initiation.reviewed_facts == {"amount": "100000.00", "currency": "CNY", "fx_rate_to_cny": None}
    opportunity.refresh_from_db()
    assert opportunity.stage == Stage.NEEDS_ANALYSIS
    # when the sales rep changes the amount
    opportunity_update(actor=sales_rep, opportunity=opportunity, data={"amount": Decimal("50000000")})
    # then the request is back to draft, with its status change naming what changed
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.DRAFT
    change = InitiationStatusChange.objects.filter(initiation=initiation).first()
    assert (change.move, change.from_status, change.to_status, change.actor) == (
        "reopen",
        InitiationStatus.APPROVED,
        InitiationStatus.DRAFT,
        sales_rep,
    )
    assert change.note == "Reviewed facts changed: amount changed from 100000.00 to 50000000.00."
    # and its author (who submitted it) is told once
    (note,) = Notification.objects.filter(kind="initiation_reopened")
    assert note.recipient == engineer
    assert "needs a new review" in note.title and "50000000.00" in note.body
    # and the opportunity keeps its stage, but may not move forward
    opportunity.refresh_from_db()
    assert opportunity.stage == Stage.NEEDS_ANALYSIS
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=sales_rep, opportunity=opportunity, move="start_solution")
    assert exc.value.reasons == [
        "The project initiation must be approved again after its facts changed (it is Draft)."
    ]
    # until the request is approved again
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review_decide(actor=other_manager, review=_review(initiation), decision="approve")
    initiation.refresh_from_db()
    assert initiation.reviewed_facts["amount"] == "50000000.00"
    opportunity_move(
        actor=sales_rep, opportunity=Opportunity.objects.get(pk=opportunity.pk), move="start_solution"
    )
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.SOLUTION


def test_changes_to_other_facts_keep_the_approval_R_REV_5(chains, team, other_manager, engineer, sales_rep):
    """R-REV-5: only reviewed facts send the request back; the title or the same amount do not."""
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    initiation = _approved(engineer, other_manager, opportunity)
    opportunity_update(
        actor=sales_rep,
        opportunity=opportunity,
        data={"title": "Renamed", "amount": Decimal(opportunity.amount)},
    )
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.APPROVED
    assert not Notification.objects.filter(kind="initiation_reopened").exists()


def test_raising_the_amount_through_the_api_reopens_the_request_R_REV_5(
    chains, team, other_manager, engineer, sales_rep, client_for
):
    """R-REV-5 bypass attempt: the API's PATCH goes through the same service; the forward
    move is then refused through the API too."""
    opportunity = OpportunityFactory(
        team=team, sales_owner=sales_rep, presales_owner=engineer, amount=Decimal("100000")
    )
    initiation = _approved(engineer, other_manager, opportunity)
    client = client_for(sales_rep)
    url = reverse("opportunity-detail", args=[opportunity.pk])
    assert client.patch(url, {"amount": "50000000"}, format="json").status_code == 200
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.DRAFT
    response = client.post(
        reverse("opportunity-move", args=[opportunity.pk]), {"move": "start_solution"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "gate_refused")


def test_changing_the_amount_during_the_review_withdraws_it_R_REV_5(
    chains, team, other_manager, engineer, sales_rep
):
    """R-REV-5: a changed subject needs a new review: the review in progress is withdrawn."""
    opportunity = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    review = _review(initiation)
    opportunity_update(actor=sales_rep, opportunity=opportunity, data={"amount": Decimal("9")})
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    assert "amount changed from 1200000.00 to 9.00" in review.outcome_note
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == InitiationStatus.DRAFT
    del other_manager


# --- R-REV-4: thresholds in CNY ------------------------------------------------------------


@pytest.fixture
def gm_chain(db, make_user, team):
    """An initiation chain: sales manager, then the general manager above CNY 10,000."""
    ReviewChain.objects.filter(kind="initiation").update(is_active=False)
    chain = ReviewChainFactory(kind="initiation", name="With GM")
    ReviewChainStepFactory(chain=chain, order=1, approver_role=Role.SALES_MANAGER, mode=StepMode.ANY)
    ReviewChainStepFactory(
        chain=chain,
        order=2,
        approver_role=Role.GENERAL_MANAGER,
        mode=StepMode.ANY,
        condition_min_amount=Decimal("10000"),
    )
    return chain


@pytest.mark.parametrize(
    ("amount", "currency", "rate", "cny", "gm_applies"),
    [
        (Decimal("9999.99"), "CNY", None, Decimal("9999.99"), False),
        (Decimal("10000.01"), "CNY", None, Decimal("10000.01"), True),
        (Decimal("1500"), "USD", Decimal("7.1"), Decimal("10650.00"), True),
        (Decimal("1408.44"), "USD", Decimal("7.1"), Decimal("9999.92"), False),
        (Decimal("9000"), "USD", Decimal("7.1"), Decimal("63900.00"), True),
    ],
)
def test_thresholds_are_compared_in_cny_R_REV_4(
    gm_chain,
    team,
    other_manager,
    general_manager,
    engineer,
    sales_rep,
    amount,
    currency,
    rate,
    cny,
    gm_applies,
):
    """R-REV-4: the general manager step applies when the amount in CNY, at the recorded
    rate, exceeds 10,000; the review keeps the CNY amount and what it was converted from."""
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=sales_rep,
        presales_owner=engineer,
        amount=amount,
        currency=currency,
        fx_rate_to_cny=rate,
        fx_rate_date=RATE_DAY if rate else None,
    )
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    review = _review(initiation_submit(actor=engineer, initiation=initiation))
    assert (review.amount, review.original_amount, review.currency, review.fx_rate_to_cny) == (
        cny,
        amount,
        currency,
        rate,
    )
    gm = list(ReviewTask.objects.filter(review=review, step_order=2).values_list("approver", "state"))
    assert gm == ([(general_manager.pk, TaskState.WAITING)] if gm_applies else [(None, TaskState.SKIPPED)])


def test_the_review_form_shows_the_conversion_R_REV_4(
    gm_chain, client, team, other_manager, general_manager, engineer, sales_rep
):
    """R-REV-4, R-REV-6: the form reads "9,000.00 USD × 7.1 = 63,900.00 CNY"."""
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=sales_rep,
        presales_owner=engineer,
        amount=Decimal("9000"),
        currency="USD",
        fx_rate_to_cny=Decimal("7.1"),
        fx_rate_date=RATE_DAY,
    )
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    review = _review(initiation_submit(actor=engineer, initiation=initiation))
    client.force_login(other_manager)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "9,000.00 USD × 7.1 = 63,900.00 CNY" in page
    assert "rate of 2026-12-01" in page
    inbox = client.get(reverse("reviews:inbox")).content.decode()
    assert "9,000.00 USD × 7.1 = 63,900.00 CNY" in inbox
    del general_manager


def test_a_foreign_amount_without_a_rate_is_refused_R_REV_4(chains, team, engineer, sales_rep, client_for):
    """R-REV-4 bypass attempts: an opportunity in USD cannot be created without its rate
    (API 400 on the field), and one saved before rates existed cannot be sent to review
    (400 fx_rate_missing), so its steps are never chosen on an unconverted amount."""
    customer = CustomerFactory(team=team)
    client = client_for(sales_rep)
    response = client.post(
        reverse("opportunity-list"),
        {"customer": customer.pk, "title": "Export deal", "amount": "9000", "currency": "USD"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["fields"]) == {"fx_rate_to_cny", "fx_rate_date"}
    assert body["fields"]["fx_rate_to_cny"] == [
        "Give the exchange rate of USD to CNY: thresholds are compared in CNY."
    ]
    # given an opportunity saved in USD before the rate was recorded
    legacy = OpportunityFactory(
        team=team, sales_owner=sales_rep, presales_owner=engineer, amount=Decimal("9000"), currency="USD"
    )
    initiation_save(actor=engineer, opportunity=legacy, data=REQUEST)
    response = client_for(engineer).post(reverse("opportunity-initiation-submit", args=[legacy.pk]))
    assert response.status_code == 400
    assert response.json()["code"] == "fx_rate_missing"
    assert "fx_rate_to_cny" in response.json()["fields"]
    assert ProjectInitiation.objects.get(opportunity=legacy).status == InitiationStatus.DRAFT
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"fx_rate_to_cny": "0", "fx_rate_date": "2026-12-01"}, "__all__"),
        ({"fx_rate_to_cny": "-7.1", "fx_rate_date": "2026-12-01"}, "__all__"),
        ({"fx_rate_to_cny": "7100", "fx_rate_date": "2026-12-01"}, "__all__"),
        ({"fx_rate_to_cny": "7.1"}, "fx_rate_date"),
    ],
)
def test_exchange_rates_are_bounded_and_dated_R_REV_4(team, sales_rep, data, field):
    """R-REV-4: a rate is above zero and sane (≤ 1000 CNY per unit), with its date."""
    customer = CustomerFactory(team=team)
    with pytest.raises(DomainError) as exc:
        opportunity_create(
            actor=sales_rep,
            data={"customer": customer, "title": "X", "amount": Decimal("10"), "currency": "USD", **data},
        )
    assert field in exc.value.fields
    assert not Opportunity.objects.exists()


def test_a_rate_from_the_future_or_on_a_cny_amount_is_refused_R_REV_4(team, sales_rep):
    customer = CustomerFactory(team=team)
    tomorrow = timezone.localdate() + timedelta(days=1)
    base = {"customer": customer, "title": "X", "amount": Decimal("10")}
    with pytest.raises(DomainError) as exc:
        opportunity_create(
            actor=sales_rep,
            data={**base, "currency": "USD", "fx_rate_to_cny": Decimal("7.1"), "fx_rate_date": tomorrow},
        )
    assert exc.value.fields["fx_rate_date"] == ["The rate's date cannot be in the future."]
    with pytest.raises(DomainError) as exc:
        opportunity_create(
            actor=sales_rep,
            data={**base, "currency": "CNY", "fx_rate_to_cny": Decimal("7.1"), "fx_rate_date": RATE_DAY},
        )
    assert exc.value.fields["__all__"] == ["An amount in CNY takes no exchange rate."]


def test_moving_to_cny_drops_the_rate_and_a_new_rate_reopens_the_approval_R_REV_4(
    chains, team, other_manager, engineer, sales_rep, client_for
):
    """R-REV-4, R-REV-5 bypass attempt: lowering the rate of an approved USD deal through
    the API (to pass under a threshold) sends the request back to review; moving the amount
    to CNY drops the rate."""
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=sales_rep,
        presales_owner=engineer,
        amount=Decimal("1500"),
        currency="USD",
        fx_rate_to_cny=Decimal("7.1"),
        fx_rate_date=RATE_DAY,
    )
    initiation = _approved(engineer, other_manager, opportunity)
    assert initiation.reviewed_facts == {"amount": "1500.00", "currency": "USD", "fx_rate_to_cny": "7.100000"}
    url = reverse("opportunity-detail", args=[opportunity.pk])
    client = client_for(sales_rep)
    response = client.patch(url, {"fx_rate_to_cny": "6.5", "fx_rate_date": "2026-12-02"}, format="json")
    assert response.status_code == 200
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.DRAFT
    assert initiation.status_changes.first().note == (
        "Reviewed facts changed: exchange rate to CNY changed from 7.100000 to 6.500000."
    )
    # when the amount moves to CNY, the rate goes with it
    response = client.patch(url, {"currency": "CNY", "amount": "10650"}, format="json")
    assert response.status_code == 200
    assert (response.json()["fx_rate_to_cny"], response.json()["fx_rate_date"]) == (None, None)


def test_the_opportunity_page_shows_the_recorded_rate_R_REV_4(client, team, sales_rep, engineer):
    opportunity = OpportunityFactory(
        team=team,
        sales_owner=sales_rep,
        presales_owner=engineer,
        amount=Decimal("9000"),
        currency="USD",
        fx_rate_to_cny=Decimal("7.1"),
        fx_rate_date=RATE_DAY,
    )
    client.force_login(sales_rep)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "at 7.1 CNY per unit (rate of 2026-12-01)" in page

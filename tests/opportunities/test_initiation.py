"""The project initiation request through the real review engine (R-OPP-2, R-REV-5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from opportunities.choices import CloseReason, InitiationStatus, ProjectRole, Stage
from opportunities.models import Opportunity, ProjectInitiation, ProjectMember, StageChange
from opportunities.services import (
    initiation_save,
    initiation_submit,
    initiation_withdraw,
    opportunity_move,
)
from presales.core.errors import Conflict, GateRefused, NotAllowed
from presales.core.roles import Role
from reviews.choices import ReviewStatus
from reviews.defaults import ensure_default_chains
from reviews.models import Review
from reviews.selectors import inbox_for, reviews_for_subject
from reviews.services import review_cancel, review_decide
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

REQUEST = {
    "background": "500 staff, ¥100M revenue; two production lines to upgrade.",
    "sales_strategy": "Lead with the production-efficiency case.",
    "expected_goals": "Win phase 1.",
}


@pytest.fixture
def chains(db):
    return ensure_default_chains()


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


@pytest.fixture
def expert(make_user, team):
    return make_user(Role.DEPARTMENT_HEAD, team=team, username="rd_head")


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=engineer)


def _submitted(engineer, opportunity, expert=None) -> ProjectInitiation:
    team = (
        [{"user": expert, "role": ProjectRole.TECHNICAL_EXPERT, "responsibility": "Interfaces"}]
        if expert
        else []
    )
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST, team=team)
    return initiation_submit(actor=engineer, initiation=initiation)


def _review(initiation) -> Review:
    return reviews_for_subject(initiation).first()


def test_submitted_request_waits_in_the_sales_managers_inbox_R_OPP_2(
    chains, engineer, sales_manager, opportunity
):
    # when the engineer sends the request to review
    initiation = _submitted(engineer, opportunity)
    # then it is in review, submitted by the engineer, and waits for the sales manager
    assert (initiation.status, initiation.submitted_by, initiation.reviewed_revision) == (
        InitiationStatus.IN_REVIEW,
        engineer,
        1,
    )
    review = _review(initiation)
    assert (review.kind, review.author, review.status) == ("initiation", engineer, ReviewStatus.IN_PROGRESS)
    assert list(inbox_for(sales_manager)) == [review]
    assert review.subject_url == initiation.get_absolute_url()


def test_approval_forms_the_team_and_starts_needs_analysis_R_OPP_2(
    chains, engineer, sales_rep, sales_manager, expert, opportunity
):
    # given a request in review with an R&D expert proposed
    initiation = _submitted(engineer, opportunity, expert)
    # when the sales manager approves it
    review_decide(actor=sales_manager, review=_review(initiation), decision="approve", comment="Go.")
    # then the request is approved, the team is formed with named roles ...
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.APPROVED
    assert initiation.approved_at is not None
    assert set(ProjectMember.objects.filter(opportunity=opportunity).values_list("user", "role")) == {
        (sales_rep.pk, ProjectRole.SALES_OWNER),
        (engineer.pk, ProjectRole.PRESALES_OWNER),
        (expert.pk, ProjectRole.TECHNICAL_EXPERT),
    }
    # ... and the opportunity moved to needs analysis through the table, recorded
    opportunity.refresh_from_db()
    assert opportunity.stage == Stage.NEEDS_ANALYSIS
    change = StageChange.objects.get(opportunity=opportunity)
    assert (change.move, change.actor, change.note) == (
        "start_needs_analysis",
        sales_manager,
        "Project initiation approved.",
    )


def test_rejection_returns_the_request_with_comments_and_keeps_the_gate_shut_R_OPP_2(
    chains, client, engineer, sales_manager, opportunity
):
    # given a request in review
    initiation = _submitted(engineer, opportunity)
    # when the sales manager rejects it with a comment
    review_decide(
        actor=sales_manager,
        review=_review(initiation),
        decision="reject",
        comment="Explain the budget source.",
    )
    # then it is rejected, nobody joined a team, the opportunity is still in lead intake ...
    initiation.refresh_from_db()
    assert initiation.status == InitiationStatus.REJECTED
    assert not ProjectMember.objects.exists()
    # ... and needs analysis cannot start (R-OPP-2)
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_needs_analysis")
    assert refused.value.reasons == ["The project initiation must be approved first (it is Rejected)."]
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.LEAD_INTAKE
    # and the author sees the comment on the opportunity's page
    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "Explain the budget source." in page
    assert 'data-testid="initiation-status">Rejected<' in page


def test_a_rejected_request_goes_back_to_review_only_once_changed_R_REV_5(
    chains, engineer, sales_manager, opportunity
):
    # given a rejected request
    initiation = _submitted(engineer, opportunity)
    review_decide(actor=sales_manager, review=_review(initiation), decision="reject", comment="Too vague.")
    # when it is sent again unchanged
    with pytest.raises(GateRefused) as refused:
        initiation_submit(actor=engineer, initiation=initiation)
    # then it is refused, and no new review started
    assert refused.value.reasons == [
        "Revise the request after the rejection before sending it to review again."
    ]
    assert reviews_for_subject(initiation).count() == 1
    # when it is changed and sent again, a new review starts and its approval counts
    initiation = initiation_save(
        actor=engineer,
        opportunity=opportunity,
        data={**REQUEST, "sales_strategy": "Budget from the 2026 capex."},
    )
    initiation = initiation_submit(actor=engineer, initiation=initiation)
    assert (initiation.revision, initiation.reviewed_revision) == (2, 2)
    assert reviews_for_subject(initiation).count() == 2
    review_decide(actor=sales_manager, review=_review(initiation), decision="approve")
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.NEEDS_ANALYSIS


def test_withdrawing_cancels_the_review_and_reopens_the_draft(chains, engineer, sales_manager, opportunity):
    initiation = _submitted(engineer, opportunity)
    with pytest.raises(Conflict):
        initiation_save(actor=engineer, opportunity=opportunity, data={**REQUEST, "expected_goals": "More"})
    initiation = initiation_withdraw(
        actor=engineer, initiation=initiation, reason="Adding the budget source."
    )
    assert initiation.status == InitiationStatus.DRAFT
    assert _review(initiation).status == ReviewStatus.CANCELLED
    assert list(inbox_for(sales_manager)) == []
    # the draft may change again
    initiation_save(actor=engineer, opportunity=opportunity, data={**REQUEST, "expected_goals": "More"})


def test_cancelling_the_review_on_its_page_reopens_the_draft(chains, engineer, opportunity, sales_manager):
    initiation = _submitted(engineer, opportunity)
    review_cancel(actor=engineer, review=_review(initiation), reason="Wrong amount.")
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == InitiationStatus.DRAFT


def test_closing_the_opportunity_withdraws_its_pending_initiation(
    chains, engineer, sales_manager, opportunity
):
    initiation = _submitted(engineer, opportunity)
    opportunity_move(actor=engineer, opportunity=opportunity, move="abandon", reason=CloseReason.BUDGET)
    assert _review(initiation).status == ReviewStatus.CANCELLED
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == InitiationStatus.DRAFT
    assert list(inbox_for(sales_manager)) == []


def test_submission_gates_and_permission(chains, engineer, other_engineer, sales_manager, team):
    # no presales owner named yet
    opportunity = OpportunityFactory(team=team, presales_owner=None)
    initiation = initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    with pytest.raises(GateRefused) as refused:
        initiation_submit(actor=engineer, initiation=initiation)
    assert refused.value.reasons == [
        "Name the opportunity's presales owner before sending the request to review."
    ]
    # someone outside the team may not send it
    Opportunity.objects.filter(pk=opportunity.pk).update(presales_owner=engineer)
    with pytest.raises(NotAllowed):
        initiation_submit(actor=other_engineer, initiation=initiation)
    # once in review it cannot be sent again
    initiation_submit(actor=engineer, initiation=initiation)
    with pytest.raises(GateRefused):
        initiation_submit(actor=engineer, initiation=initiation)
    assert reviews_for_subject(initiation).count() == 1


def test_the_sales_manager_cannot_approve_their_own_request_R_REV_5(chains, sales_manager, opportunity):
    # given the only sales manager writes and sends the request
    initiation = initiation_save(actor=sales_manager, opportunity=opportunity, data=REQUEST)
    # then no review can start: nobody else may approve it, and nothing changed
    with pytest.raises(Conflict) as refused:
        initiation_submit(actor=sales_manager, initiation=initiation)
    assert refused.value.code == "no_approver"
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == InitiationStatus.DRAFT


# --- web and API -------------------------------------------------------------------------


def test_web_send_and_approve_from_the_inbox(chains, client, engineer, sales_manager, opportunity):
    # the engineer saves and sends the request in one step
    client.force_login(engineer)
    response = client.post(
        reverse("opportunities:initiation", args=[opportunity.pk]),
        {**REQUEST, "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0", "send": "1"},
    )
    assert response.status_code == 302
    initiation = ProjectInitiation.objects.get(opportunity=opportunity)
    assert initiation.status == InitiationStatus.IN_REVIEW
    # the sales manager approves it from the inbox
    client.force_login(sales_manager)
    review = _review(initiation)
    response = client.post(
        reverse("reviews:decide", args=[review.pk]), {f"r{review.pk}-decision": "approve", "context": "inbox"}
    )
    assert response.status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.NEEDS_ANALYSIS


def test_web_withdraw_needs_a_reason(chains, client, engineer, opportunity, sales_manager):
    initiation = _submitted(engineer, opportunity)
    client.force_login(engineer)
    url = reverse("opportunities:initiation_withdraw", args=[opportunity.pk])
    client.post(url, {"reason": ""})
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == InitiationStatus.IN_REVIEW
    client.post(url, {"reason": "Budget changed."})
    assert ProjectInitiation.objects.get(pk=initiation.pk).status == InitiationStatus.DRAFT


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("no_role_user", 403), ("other_engineer", 404), ("engineer", 200), ("manager", 200)],
)
def test_api_submit_permission_matrix(chains, request, client_for, sales_manager, opportunity, who, status):
    initiation_save(actor=request.getfixturevalue("engineer"), opportunity=opportunity, data=REQUEST)
    actor = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(actor).post(reverse("opportunity-initiation-submit", args=[opportunity.pk]))
    assert response.status_code == status, response.content
    expected = InitiationStatus.IN_REVIEW if status == 200 else InitiationStatus.DRAFT
    assert ProjectInitiation.objects.get(opportunity=opportunity).status == expected


def test_api_submit_twice_is_409_and_withdraw_reopens(
    chains, client_for, engineer, sales_manager, opportunity
):
    initiation_save(actor=engineer, opportunity=opportunity, data=REQUEST)
    client = client_for(engineer)
    assert client.post(reverse("opportunity-initiation-submit", args=[opportunity.pk])).json()["status"] == (
        "in_review"
    )
    again = client.post(reverse("opportunity-initiation-submit", args=[opportunity.pk]))
    assert again.status_code == 409 and again.json()["code"] == "gate_refused"
    assert client.put(reverse("opportunity-initiation", args=[opportunity.pk]), REQUEST).status_code == 409
    bad = client.post(reverse("opportunity-initiation-withdraw", args=[opportunity.pk]), {})
    assert bad.status_code == 400
    done = client.post(
        reverse("opportunity-initiation-withdraw", args=[opportunity.pk]), {"reason": "Fix it."}
    )
    assert (done.status_code, done.json()["status"]) == (200, "draft")


def test_the_system_note_of_an_approval_is_shown_in_the_readers_language_R_OPP_3(
    chains, client, client_for, engineer, sales_rep, sales_manager, opportunity
):
    """Issue 8: "Project initiation approved." is kept as a code, not in the approver's
    language; each reader sees it in theirs, on the page and in the API."""
    # given an approver who works in Chinese and a reader who works in English
    sales_manager.language = "zh-hans"
    sales_manager.save(update_fields=["language"])
    engineer.language = "en"
    engineer.save(update_fields=["language"])
    initiation = _submitted(engineer, opportunity)
    # when the approval moves the opportunity on
    review_decide(actor=sales_manager, review=_review(initiation), decision="approve", comment="Go.")
    # then the row keeps the code, and each reader sees the note in their own language
    change = StageChange.objects.get(opportunity=opportunity)
    assert (change.note_code, change.note) == ("initiation_approved", "Project initiation approved.")
    client.force_login(engineer)
    assert "Project initiation approved." in client.get(opportunity.get_absolute_url()).content.decode()
    client.force_login(sales_manager)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "项目立项已通过。" in page and "Project initiation approved." not in page
    url = reverse("opportunity-stage-changes", args=[opportunity.pk])
    notes = [row["note"] for row in client_for(sales_manager).get(url).json()]
    assert notes == ["项目立项已通过。"]


def test_a_note_a_person_typed_is_shown_as_typed_R_OPP_3(sales_rep, opportunity):
    # given a move whose note a person typed in English
    opportunity_move(
        actor=sales_rep,
        opportunity=opportunity,
        move="abandon",
        note="Budget frozen.",
        reason=CloseReason.BUDGET,
    )
    change = StageChange.objects.get(opportunity=opportunity)
    # when a Chinese reader reads it
    with translation.override("zh-hans"):
        shown = change.note_text
    # then it is as typed, with no code
    assert (change.note_code, shown) == ("", "Budget frozen.")

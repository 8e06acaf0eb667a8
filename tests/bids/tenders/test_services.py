"""Bid decisions, tenders and bids through their services (R-BID-1, R-BID-2, R-BID-4,
R-BID-5, R-REV-3), with the stage gates and the tender flag."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bids.models import Bid, BidDecision, Tender
from bids.tenders import services
from bids.tenders.choices import BidStatus, Decision
from bids.tenders.timers import TENDER_BOND, TENDER_DEADLINE
from opportunities.choices import Stage
from opportunities.services import opportunity_move, opportunity_update
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.sla.models import Timer
from reviews.models import Review
from reviews.services import review_decide
from tests.bids.tenders.conftest import approve, fill_parts, future, tender_data

pytestmark = pytest.mark.django_db


def _timer(tender, kind):
    return (
        Timer.objects.filter(
            subject_type=ContentType.objects.get_for_model(Tender), subject_id=tender.pk, kind=kind
        )
        .order_by("-id")
        .first()
    )


def _decide_bid(engineer, manager, opportunity):
    services.decision_save(
        actor=engineer,
        opportunity=opportunity,
        data={"analysis": "評分辦法：綜合評分", "strategy": "技術分優先"},
    )
    return services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)


def _in_bid_stage(engineer, manager, opportunity):
    _decide_bid(engineer, manager, opportunity)
    return opportunity_move(actor=engineer, opportunity=opportunity, move="start_bid")


def _approved_bid(engineer, manager, legal, finance, opportunity):
    opportunity = _in_bid_stage(engineer, manager, opportunity)
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    bid = services.bid_save(actor=engineer, opportunity=opportunity, data={"summary": "投標文件"})
    fill_parts(engineer, bid)
    services.bid_submit(actor=engineer, bid=bid)
    review = Review.objects.get(kind="bid")
    for approver in (manager, legal, finance):
        approve(review, approver)
    bid.refresh_from_db()
    return bid


# --- R-BID-5 ------------------------------------------------------------------------------


def test_r_bid_5_start_bid_refused_without_a_bid_decision(engineer, manager, opportunity):
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_bid")
    assert "The presales manager must decide to bid first (R-BID-5)." in exc.value.reasons
    _decide_bid(engineer, manager, opportunity)
    moved = opportunity_move(actor=engineer, opportunity=opportunity, move="start_bid")
    assert moved.stage == Stage.BID


def test_r_bid_5_only_the_presales_manager_decides(engineer, manager, opportunity):
    services.decision_save(actor=engineer, opportunity=opportunity, data={"analysis": "a", "strategy": "s"})
    with pytest.raises(NotAllowed):
        services.decision_decide(actor=engineer, opportunity=opportunity, decision=Decision.BID)
    assert BidDecision.objects.get(opportunity=opportunity).decision == Decision.PENDING


def test_r_bid_5_decision_needs_the_analysis_and_strategy(manager, opportunity):
    with pytest.raises(GateRefused):
        services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)


def test_r_bid_5_no_bid_abandons_the_opportunity_with_the_reason(engineer, manager, opportunity):
    services.decision_save(actor=engineer, opportunity=opportunity, data={"analysis": "a", "strategy": "s"})
    with pytest.raises(DomainError):
        services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.NO_BID, reason="")
    record = services.decision_decide(
        actor=manager,
        opportunity=opportunity,
        decision=Decision.NO_BID,
        reason="low_win_chance",
        note="資質不符",
    )
    assert record.decision == Decision.NO_BID and record.decided_by == manager
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.close_reason, opportunity.close_note) == (
        Stage.ABANDONED,
        "low_win_chance",
        "資質不符",
    )
    with pytest.raises(Conflict):
        services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)


def test_r_bid_5_a_taken_decision_is_not_rewritten(engineer, manager, opportunity):
    _decide_bid(engineer, manager, opportunity)
    with pytest.raises(Conflict):
        services.decision_save(actor=engineer, opportunity=opportunity, data={"analysis": "new"})
    with pytest.raises(Conflict):
        services.decision_decide(
            actor=manager, opportunity=opportunity, decision=Decision.NO_BID, reason="price"
        )


def test_r_bid_5_decision_status_fields_cannot_be_written_through_save(engineer, opportunity):
    """Bypass: the decision and who took it are refused on the analysis' write (400)."""
    with pytest.raises(DomainError) as exc:
        services.decision_save(
            actor=engineer,
            opportunity=opportunity,
            data={"analysis": "a", "strategy": "s", "decision": "bid", "decided_by": engineer},
        )
    assert set(exc.value.fields) == {"decision", "decided_by"}
    assert not BidDecision.objects.filter(opportunity=opportunity).exists()


# --- tender flag --------------------------------------------------------------------------


def test_tender_flag_stays_on_once_a_tender_is_recorded(engineer, opportunity):
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    with pytest.raises(DomainError) as exc:
        opportunity_update(actor=engineer, opportunity=opportunity, data={"has_tender": False})
    assert "has_tender" in exc.value.fields
    opportunity.refresh_from_db()
    assert opportunity.has_tender is True


def test_tender_flag_can_be_switched_off_without_a_tender(engineer, opportunity):
    updated = opportunity_update(actor=engineer, opportunity=opportunity, data={"has_tender": False})
    assert updated.has_tender is False


# --- R-BID-1 ------------------------------------------------------------------------------


def test_r_bid_1_tender_records_dates_and_starts_the_deadline_timer(engineer, opportunity):
    tender = services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    timer = _timer(tender, TENDER_DEADLINE)
    assert timer.state == "open" and timer.due_at == tender.submission_deadline
    moved = services.tender_save(
        actor=engineer,
        opportunity=opportunity,
        data={"submission_deadline": future(9)},
        expected_version=tender.version,
    )
    assert _timer(moved, TENDER_DEADLINE).due_at == future(9)
    assert Timer.objects.filter(kind=TENDER_DEADLINE, state="open").count() == 1


def test_r_bid_1_tender_dates_must_follow_one_another(engineer, opportunity):
    with pytest.raises(DomainError) as exc:
        services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data(opening_at=future(9)))
    assert "opening_at" in exc.value.fields


def test_r_bid_1_only_a_tender_deal_records_a_tender(engineer, opportunity):
    opportunity_update(actor=engineer, opportunity=opportunity, data={"has_tender": False})
    with pytest.raises(DomainError):
        services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())


def test_r_bid_1_unreturned_bond_timer_after_the_opening(engineer, opportunity):
    tender = services.tender_save(
        actor=engineer, opportunity=opportunity, data=tender_data(bond_paid_on=future(3).date())
    )
    timer = _timer(tender, TENDER_BOND)
    assert timer.state == "open" and timer.due_at == tender.opening_at + timedelta(days=30)
    tender = services.tender_save(
        actor=engineer,
        opportunity=opportunity,
        data={"bond_returned_on": future(20).date()},
        expected_version=tender.version,
    )
    assert _timer(tender, TENDER_BOND).state == "satisfied"


def test_r_bid_1_bond_returned_before_paid_is_refused(engineer, opportunity):
    with pytest.raises(DomainError) as exc:
        services.tender_save(
            actor=engineer,
            opportunity=opportunity,
            data=tender_data(bond_paid_on=future(3).date(), bond_returned_on=future(1).date()),
        )
    assert "bond_returned_on" in exc.value.fields


def test_r_bid_1_required_documents_checklist(engineer, opportunity):
    tender = services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    document = services.tender_document_add(actor=engineer, tender=tender, name="營業執照副本")
    services.tender_document_mark(actor=engineer, document=document, done=True)
    assert list(tender.documents.values_list("name", "done")) == [("營業執照副本", True)]
    with pytest.raises(DomainError):
        services.tender_document_add(actor=engineer, tender=tender, name="  ")


# --- R-REV-3, R-BID-2 ---------------------------------------------------------------------


def test_r_rev_3_bid_review_chain_approves_the_bid(engineer, manager, legal, finance, opportunity, chains):
    bid = _approved_bid(engineer, manager, legal, finance, opportunity)
    assert bid.status == BidStatus.APPROVED
    review = Review.objects.get(kind="bid")
    assert review.tasks.count() == 3


def test_r_rev_3_rejected_bid_goes_back_and_can_be_resubmitted(
    engineer, manager, legal, finance, opportunity, chains
):
    opportunity = _in_bid_stage(engineer, manager, opportunity)
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    bid = services.bid_save(actor=engineer, opportunity=opportunity, data={"summary": "v1"})
    fill_parts(engineer, bid)
    services.bid_submit(actor=engineer, bid=bid)
    with pytest.raises(Conflict):
        services.bid_save(actor=engineer, opportunity=opportunity, data={"summary": "edit in review"})
    review_decide(actor=manager, review=Review.objects.get(kind="bid"), decision="reject", comment="價格偏高")
    bid.refresh_from_db()
    assert bid.status == BidStatus.REJECTED
    bid = services.bid_save(actor=engineer, opportunity=opportunity, data={"summary": "v2"})
    assert services.bid_submit(actor=engineer, bid=bid).status == BidStatus.IN_REVIEW


def test_r_bid_2_seal_refused_before_approval(engineer, manager, legal, finance, opportunity, chains):
    opportunity = _in_bid_stage(engineer, manager, opportunity)
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    bid = services.bid_save(actor=engineer, opportunity=opportunity, data={})
    with pytest.raises(GateRefused) as exc:
        services.bid_seal(actor=engineer, bid=bid)
    assert any("approve" in reason for reason in exc.value.reasons)
    fill_parts(engineer, bid)
    services.bid_submit(actor=engineer, bid=bid)
    with pytest.raises(GateRefused):
        services.bid_seal(actor=engineer, bid=bid)
    bid.refresh_from_db()
    assert bid.status == BidStatus.IN_REVIEW


def test_r_bid_2_seal_refused_after_the_deadline(engineer, manager, legal, finance, opportunity, chains):
    bid = _approved_bid(engineer, manager, legal, finance, opportunity)
    Tender.objects.filter(opportunity=opportunity).update(
        documents_purchase_at=None,
        questions_until=None,
        submission_deadline=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(GateRefused) as exc:
        services.bid_seal(actor=engineer, bid=bid)
    assert "The tender's submission deadline has passed." in exc.value.reasons
    bid.refresh_from_db()
    assert bid.status == BidStatus.APPROVED


def test_r_bid_2_sealing_satisfies_the_deadline_timer(engineer, manager, legal, finance, opportunity, chains):
    bid = _approved_bid(engineer, manager, legal, finance, opportunity)
    bid = services.bid_seal(actor=engineer, bid=bid)
    assert bid.status == BidStatus.SEALED and bid.sealed_at is not None
    assert _timer(Tender.objects.get(opportunity=opportunity), TENDER_DEADLINE).state == "satisfied"


# --- R-BID-4 ------------------------------------------------------------------------------


def test_r_bid_4_contract_gate_needs_a_won_bid(engineer, manager, legal, finance, opportunity, chains):
    bid = _approved_bid(engineer, manager, legal, finance, opportunity)
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_contract")
    assert "The bid must be won before the contract (R-BID-4)." in exc.value.reasons
    with pytest.raises(GateRefused):
        services.bid_record_result(actor=engineer, bid=bid, won=True)  # not sealed yet
    services.bid_seal(actor=engineer, bid=bid)
    bid = services.bid_record_result(
        actor=engineer, bid=bid, won=True, winning_vendor="本公司", winning_price="1180000"
    )
    assert bid.status == BidStatus.WON
    moved = opportunity_move(actor=engineer, opportunity=opportunity, move="start_contract")
    assert moved.stage == Stage.CONTRACT


def test_r_bid_4_lost_bid_closes_the_opportunity_as_lost(
    engineer, manager, legal, finance, opportunity, chains
):
    bid = _approved_bid(engineer, manager, legal, finance, opportunity)
    services.bid_seal(actor=engineer, bid=bid)
    bid = services.bid_record_result(
        actor=engineer,
        bid=bid,
        won=False,
        winning_vendor="Acme Systems",
        winning_price="990000",
        reason="price",
    )
    assert (bid.status, bid.winning_vendor, bid.winning_price) == (
        BidStatus.LOST,
        "Acme Systems",
        Decimal("990000"),
    )
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.close_reason, opportunity.winning_competitor) == (
        Stage.LOST,
        "price",
        "Acme Systems",
    )


def test_r_bid_4_a_deal_without_tender_still_skips_the_bid(engineer, opportunity):
    opportunity_update(actor=engineer, opportunity=opportunity, data={"has_tender": False})
    moved = opportunity_move(
        actor=engineer, opportunity=opportunity, move="skip_bid", bid_skip_reason="議價採購"
    )
    assert moved.stage == Stage.CONTRACT


def test_bid_statuses_are_not_writable_through_bid_save(engineer, manager, opportunity):
    """Bypass: the status and the result are refused on the bid's write (400)."""
    opportunity = _in_bid_stage(engineer, manager, opportunity)
    bid = services.bid_save(actor=engineer, opportunity=opportunity, data={"summary": "x"})
    with pytest.raises(DomainError) as exc:
        services.bid_save(
            actor=engineer,
            opportunity=opportunity,
            data={"status": "sealed", "winning_vendor": "me"},
            expected_version=bid.version,
        )
    assert set(exc.value.fields) == {"status", "winning_vendor"}
    assert Bid.objects.get(pk=bid.pk).status == BidStatus.DRAFT


def test_r_bid_5_owners_are_told_of_the_decision(engineer, manager, sales_rep, opportunity):
    from presales.sla.models import Notification

    _decide_bid(engineer, manager, opportunity)
    notes = Notification.objects.filter(kind="bid_decision")
    assert set(notes.values_list("recipient_id", flat=True)) == {engineer.pk, sales_rep.pk}
    with pytest.raises(Conflict):
        services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)
    assert notes.count() == 2

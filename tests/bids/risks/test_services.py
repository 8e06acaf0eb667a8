"""The risk register's rules through the services (R-RISK-1): score and level, the owner's
alert at the warning threshold, the review timer, the manager's acceptance, the contract's
gates (open high risk, credit assessment) and the handoff package's section."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from bids import hooks
from bids.contracts import services as contracts
from bids.models import CreditAssessment, Risk
from bids.risks import registry, services
from bids.risks.timers import RISK_REVIEW, due_at_of
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.sla.models import Notification, Timer
from reviews.models import Review, ReviewTask
from reviews.services import review_decide
from tests.bids.contracts.factories import accepted_version
from tests.bids.risks.factories import credit_assessed, risk

pytestmark = pytest.mark.django_db


def _timers(r, state=None):
    rows = Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(Risk), subject_id=r.pk, kind=RISK_REVIEW
    )
    return rows.filter(state=state) if state else rows


def _alerts(user):
    return Notification.objects.filter(recipient=user, kind="risk")


def _drawn(sales_rep, opportunity):
    accepted_version(opportunity, prices=(Decimal("5000.00"),))
    return contracts.contract_create(actor=sales_rep, opportunity=opportunity)


def _approve(contract, approvers):
    """Each pending step approves, by whichever of ``approvers`` holds its task."""
    review = Review.objects.get(kind="contract", object_id=contract.pk, status="in_progress")
    ids = {user.pk for user in approvers.values()}
    for _step in range(5):
        review.refresh_from_db()
        if review.status != "in_progress":
            break
        task = ReviewTask.objects.filter(review=review, state="pending", approver_id__in=ids).first()
        review_decide(actor=task.approver, review=review, decision="approve")
    contract.refresh_from_db()
    return contract


# --- score and level ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "level"),
    [(1, 1, 1, "low"), (2, 5, 10, "low"), (3, 4, 12, "warning"), (5, 3, 15, "high"), (3, 5, 15, "high")],
)
def test_score_is_likelihood_times_impact_and_level_follows_thresholds_r_risk_1(
    sales_rep, opportunity, likelihood, impact, score, level
):
    """Defaults: warning from 12, high from 15 (settings RISK_WARNING_SCORE, RISK_HIGH_SCORE)."""
    # given / when
    r = risk(sales_rep, opportunity, likelihood=likelihood, impact=impact)
    # then
    r.refresh_from_db()
    assert (r.score, r.level) == (score, level)


@override_settings(RISK_WARNING_SCORE=6, RISK_HIGH_SCORE=9)
def test_thresholds_come_from_settings_r_risk_1(sales_rep, opportunity):
    # given / when
    r = risk(sales_rep, opportunity, likelihood=3, impact=3)
    # then
    assert r.level == "high"
    assert Risk.objects.high().filter(pk=r.pk).exists()


def test_likelihood_out_of_scale_is_a_400_r_risk_1(sales_rep, opportunity):
    # when / then
    with pytest.raises(DomainError) as refused:
        risk(sales_rep, opportunity, likelihood=6)
    assert "likelihood" in refused.value.fields
    assert not Risk.objects.exists()


# --- the owner's alert --------------------------------------------------------------------------


def test_risk_created_at_warning_alerts_its_owner_r_risk_1(sales_rep, engineer, opportunity):
    # when
    r = risk(sales_rep, opportunity, likelihood=3, impact=4, owner=engineer)
    # then
    alerts = list(_alerts(engineer))
    assert len(alerts) == 1
    assert r.title in alerts[0].title


def test_risk_below_warning_alerts_nobody_r_risk_1(sales_rep, engineer, opportunity):
    # when
    risk(sales_rep, opportunity, likelihood=2, impact=5, owner=engineer)
    # then
    assert not _alerts(engineer).exists()


def test_raising_a_risk_to_warning_alerts_its_owner_once_r_risk_1(sales_rep, engineer, opportunity):
    # given
    r = risk(sales_rep, opportunity, likelihood=2, impact=3, owner=engineer)
    # when
    r = services.risk_update(actor=sales_rep, risk=r, data={"likelihood": 4})
    services.risk_update(actor=sales_rep, risk=r, data={"title": "Budget not approved yet"})
    # then
    assert _alerts(engineer).count() == 1
    # a fall sends nothing; a new rise does
    r = services.risk_update(actor=sales_rep, risk=r, data={"impact": 2})
    assert _alerts(engineer).count() == 1
    services.risk_update(actor=sales_rep, risk=r, data={"impact": 5})
    assert _alerts(engineer).count() == 2


# --- the review timer ---------------------------------------------------------------------------


def test_review_timer_starts_restarts_and_is_satisfied_on_close_r_risk_1(sales_rep, engineer, opportunity):
    # given
    review_on = timezone.localdate() + timedelta(days=10)
    r = risk(sales_rep, opportunity, owner=engineer, review_on=review_on)
    (timer,) = _timers(r, "open")
    assert timer.owner == engineer
    assert timer.due_at == due_at_of(review_on)
    # when: a review is recorded
    next_on = timezone.localdate() + timedelta(days=40)
    r = services.risk_review_record(actor=engineer, risk=r, next_review_on=next_on, note="Budget call held.")
    # then
    (restarted,) = _timers(r, "open")
    assert restarted.pk != timer.pk and restarted.due_at == due_at_of(next_on)
    assert _timers(r, "cancelled").count() == 1
    assert r.review_note == "Budget call held." and r.last_reviewed_at is not None
    # when: closed
    services.risk_close(actor=engineer, risk=r, note="Budget approved.")
    # then
    assert not _timers(r, "open").exists()
    assert _timers(r, "satisfied").count() == 1


def test_review_needs_a_future_date_r_risk_1(sales_rep, opportunity):
    r = risk(sales_rep, opportunity)
    with pytest.raises(DomainError) as refused:
        services.risk_review_record(actor=sales_rep, risk=r, next_review_on=timezone.localdate())
    assert "next_review_on" in refused.value.fields


def test_closing_the_opportunity_cancels_the_review_timers_r_risk_1(sales_rep, opportunity):
    r = risk(sales_rep, opportunity)
    services.risks_on_opportunity_closed(opportunity=opportunity, actor=sales_rep)
    assert _timers(r, "cancelled").count() == 1


def test_a_closed_risk_changes_no_more_r_risk_1(sales_rep, opportunity):
    r = services.risk_close(actor=sales_rep, risk=risk(sales_rep, opportunity))
    with pytest.raises(DomainError):
        services.risk_update(actor=sales_rep, risk=r, data={"impact": 5})


# --- acceptance ---------------------------------------------------------------------------------


def test_an_engineer_cannot_accept_a_risk_r_risk_1(engineer, opportunity):
    r = risk(engineer, opportunity, likelihood=5, impact=5)
    with pytest.raises(NotAllowed):
        services.risk_accept(actor=engineer, risk=r, reason="Fine.")
    r.refresh_from_db()
    assert r.status == "open"


def test_a_manager_of_another_team_cannot_accept_r_risk_1(make_user, other_team, engineer, opportunity):
    other_manager = make_user("sales_manager", team=other_team, username="other_sm")
    r = risk(engineer, opportunity, likelihood=5, impact=5)
    with pytest.raises(NotAllowed):
        services.risk_accept(actor=other_manager, risk=r, reason="Fine.")


def test_acceptance_needs_a_reason_r_risk_1(sales_manager, engineer, opportunity):
    r = risk(engineer, opportunity, likelihood=5, impact=5)
    with pytest.raises(DomainError) as refused:
        services.risk_accept(actor=sales_manager, risk=r, reason="  ")
    assert "reason" in refused.value.fields


@pytest.mark.parametrize("who", ["sales_manager", "manager", "general_manager"])
def test_managers_accept_a_risk_r_risk_1(request, who, engineer, opportunity):
    # given
    actor = request.getfixturevalue(who)
    r = risk(engineer, opportunity, likelihood=5, impact=5)
    # when
    r = services.risk_accept(actor=actor, risk=r, reason="Customer's budget is confirmed by letter.")
    # then
    assert r.status == "accepted" and r.accepted_by == actor and r.accepted_at is not None
    assert r.history.count() == 2


def test_an_accepted_risk_whose_score_rises_is_open_again_r_risk_1(sales_manager, engineer, opportunity):
    r = risk(engineer, opportunity, likelihood=3, impact=5)
    r = services.risk_accept(actor=sales_manager, risk=r, reason="Known.")
    r = services.risk_update(actor=engineer, risk=r, data={"likelihood": 4})
    assert r.status == "open" and r.accepted_by is None


# --- the contract's gates -----------------------------------------------------------------------


def test_open_high_risk_refuses_the_contract_submission_r_risk_1(sales_rep, sales_manager, opportunity):
    # given
    contract = _drawn(sales_rep, opportunity)
    r = risk(sales_rep, opportunity, likelihood=5, impact=4, title="Customer may go bankrupt")
    # when / then
    with pytest.raises(GateRefused) as refused:
        contracts.contract_submit(actor=sales_rep, contract=contract)
    assert any("Customer may go bankrupt" in reason for reason in refused.value.reasons)
    contract.refresh_from_db()
    assert contract.status == "draft"
    # when: a manager accepts it
    services.risk_accept(actor=sales_manager, risk=r, reason="Guarantee from the parent company.")
    # then
    assert contracts.contract_submit(actor=sales_rep, contract=contract).status == "in_review"


def test_warning_and_closed_risks_do_not_block_r_risk_1(sales_rep, opportunity):
    contract = _drawn(sales_rep, opportunity)
    risk(sales_rep, opportunity, likelihood=3, impact=4)
    services.risk_close(actor=sales_rep, risk=risk(sales_rep, opportunity, likelihood=5, impact=5))
    assert contracts.contract_submit(actor=sales_rep, contract=contract).status == "in_review"


def test_high_risk_opened_in_review_refuses_the_approval_r_risk_1(
    sales_rep, sales_manager, approvers, opportunity
):
    # given: the contract is in review
    contract = contracts.contract_submit(actor=sales_rep, contract=_drawn(sales_rep, opportunity))
    r = risk(sales_rep, opportunity, likelihood=5, impact=5, title="Sanctions")
    # when / then: the final approval is refused, nothing of it kept
    with pytest.raises(GateRefused) as refused:
        _approve(contract, approvers)
    assert any("Sanctions" in reason for reason in refused.value.reasons)
    contract.refresh_from_db()
    assert contract.status == "in_review"
    # when: accepted by a manager, the approval goes through
    services.risk_accept(actor=sales_manager, risk=r, reason="Checked with legal.")
    assert _approve(contract, approvers).status == "approved"


def test_no_credit_assessment_refuses_the_submission_r_risk_1(sales_rep, opportunity):
    # given: a contract drawn, the credit never assessed
    contract = _drawn(sales_rep, opportunity)
    CreditAssessment.objects.filter(opportunity=opportunity).delete()
    # when / then
    with pytest.raises(GateRefused) as refused:
        contracts.contract_submit(actor=sales_rep, contract=contract)
    assert any("credit assessment" in reason for reason in refused.value.reasons)


def test_an_expired_credit_assessment_does_not_count_r_risk_1(sales_rep, opportunity):
    contract = _drawn(sales_rep, opportunity)
    CreditAssessment.objects.filter(opportunity=opportunity).delete()
    past = timezone.localdate() - timedelta(days=400)
    services.credit_assessment_record(
        actor=sales_rep,
        opportunity=opportunity,
        data={"rating": "B", "credit_limit": Decimal("1.00"), "assessed_on": past, "valid_until": past},
    )
    with pytest.raises(GateRefused):
        contracts.contract_submit(actor=sales_rep, contract=contract)
    credit_assessed(opportunity)
    assert contracts.contract_submit(actor=sales_rep, contract=contract).status == "in_review"


def test_credit_assessment_valid_until_before_assessed_is_a_400_r_risk_1(sales_rep, opportunity):
    today = timezone.localdate()
    with pytest.raises(DomainError):
        services.credit_assessment_record(
            actor=sales_rep,
            opportunity=opportunity,
            data={
                "rating": "A",
                "credit_limit": Decimal("1.00"),
                "assessed_on": today,
                "valid_until": today - timedelta(days=1),
            },
        )


def test_other_team_cannot_record_risks_or_credit_r_risk_1(other_engineer, opportunity):
    with pytest.raises(NotAllowed):
        risk(other_engineer, opportunity)
    with pytest.raises(NotAllowed):
        credit_assessed(opportunity, other_engineer)


# --- the handoff package ------------------------------------------------------------------------


def test_package_section_lists_the_live_risks_r_risk_1(sales_rep, sales_manager, opportunity):
    # given
    contract = _drawn(sales_rep, opportunity)
    risk(sales_rep, opportunity, likelihood=3, impact=5, title="Late delivery")
    risk(sales_rep, opportunity, likelihood=1, impact=1, title="Minor")
    services.risk_close(actor=sales_rep, risk=risk(sales_rep, opportunity, title="Gone"))
    # when
    section = next(s for s in hooks.package_sections() if s.key == registry.PACKAGE_SECTION)
    built = section.build(contract)
    # then
    titles = [row[0] for row in built["rows"]]
    assert titles == ["Late delivery", "Minor"]
    assert built["rows"][0][2] == "15"


def test_direct_model_save_keeps_the_score_r_risk_1(sales_rep, opportunity):
    r = risk(sales_rep, opportunity)
    r.likelihood = 5
    r.save()
    r.refresh_from_db()
    assert r.score == 10


def test_opportunity_of_other_team_lists_nothing_r_risk_1(other_engineer, sales_rep, opportunity):
    risk(sales_rep, opportunity)
    assert not Risk.objects.visible_to(other_engineer).exists()
    assert Risk.objects.visible_to(sales_rep).count() == 1

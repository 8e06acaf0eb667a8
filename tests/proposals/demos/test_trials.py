"""Trials, POCs and demo-equipment loans (R-DEMO-3): approval through the review engine at the
configured level (chain of kind "trial"), a period, a return date and its timer."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.sla.models import Timer
from proposals.demos import services
from proposals.demos.choices import TrialStatus
from proposals.demos.defaults import ensure_trial_chain
from proposals.demos.timers import TRIAL_RETURN
from reviews.models import Review, ReviewChain
from reviews.services import review_decide
from tests.proposals.demos.factories import trial_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chain(db):
    """The default approval chain of trials (an admin would configure it)."""
    return ensure_trial_chain()


@pytest.fixture
def trial(engineer, opportunity):
    return services.trial_create(actor=engineer, opportunity=opportunity, data=trial_data())


def _timer(trial):
    return Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(trial), subject_id=trial.pk, kind=TRIAL_RETURN
    ).first()


def test_r_demo_3_default_chain_is_configured_once(chain):
    assert ensure_trial_chain() == chain
    assert ReviewChain.objects.filter(kind="trial").count() == 1
    assert [s.approver_role for s in chain.steps.all()] == ["presales_manager"]


def test_r_demo_3_without_a_configured_chain_nothing_is_submitted(engineer, trial, chain):
    chain.is_active = False
    chain.save()
    with pytest.raises(DomainError):
        services.trial_submit(actor=engineer, trial=trial)
    trial.refresh_from_db()
    assert trial.status == TrialStatus.DRAFT


def test_r_demo_3_approval_starts_the_return_timer(engineer, manager, trial):
    trial = services.trial_submit(actor=engineer, trial=trial)
    assert trial.status == TrialStatus.IN_REVIEW
    review = Review.objects.get(kind="trial")
    with pytest.raises(DomainError):
        review_decide(actor=engineer, review=review, decision="approve")  # R-REV-5: not one's own
    review_decide(actor=manager, review=review, decision="approve")
    trial.refresh_from_db()
    assert trial.status == TrialStatus.APPROVED and trial.decided_at is not None
    timer = _timer(trial)
    assert timer.state == "open" and timer.owner_id == engineer.pk
    expected = datetime.combine(trial.return_date, time(23, 59, 59), tzinfo=ZoneInfo("Asia/Shanghai"))
    assert timer.due_at == expected
    trial = services.trial_mark_returned(actor=engineer, trial=trial, note="設備完好歸還")
    assert trial.status == TrialStatus.RETURNED and trial.returned_by == engineer
    assert _timer(trial).state == "satisfied"
    assert list(trial.status_changes.order_by("at", "id").values_list("move", flat=True)) == [
        "submit",
        "approve",
        "mark_returned",
    ]


def test_r_demo_3_rejection_returns_to_author_and_can_be_resubmitted(engineer, manager, trial):
    services.trial_submit(actor=engineer, trial=trial)
    review = Review.objects.get(kind="trial")
    review_decide(actor=manager, review=review, decision="reject", comment="縮短試用期")
    trial.refresh_from_db()
    assert trial.status == TrialStatus.REJECTED and _timer(trial) is None
    services.trial_update(
        actor=engineer, trial=trial, data={"period_end": timezone.localdate() + timedelta(days=7)}
    )
    trial = services.trial_submit(actor=engineer, trial=trial)
    assert trial.status == TrialStatus.IN_REVIEW


def test_r_demo_3_withdraw_returns_to_draft(engineer, manager, trial):
    services.trial_submit(actor=engineer, trial=trial)
    with pytest.raises(DomainError):
        services.trial_withdraw(actor=engineer, trial=trial, reason="")
    trial = services.trial_withdraw(actor=engineer, trial=trial, reason="客戶暫緩")
    assert trial.status == TrialStatus.DRAFT
    assert Review.objects.get(kind="trial").status == "cancelled"


def test_r_demo_3_not_returned_before_approval(engineer, trial):
    with pytest.raises(GateRefused):
        services.trial_mark_returned(actor=engineer, trial=trial)


def test_r_demo_3_dates_are_checked(engineer, opportunity):
    today = timezone.localdate()
    with pytest.raises(DomainError) as err:
        services.trial_create(
            actor=engineer,
            opportunity=opportunity,
            data=trial_data(period_start=today, period_end=today - timedelta(days=1)),
        )
    assert "period_end" in err.value.fields
    with pytest.raises(DomainError) as err:
        services.trial_create(
            actor=engineer, opportunity=opportunity, data=trial_data(return_date=today - timedelta(days=1))
        )
    assert "return_date" in err.value.fields


def test_r_demo_3_approved_request_cannot_be_edited(engineer, manager, trial):
    services.trial_submit(actor=engineer, trial=trial)
    with pytest.raises(DomainError):
        services.trial_update(actor=engineer, trial=trial, data={"items": "more"})


def test_r_demo_3_other_team_cannot_request_or_submit(other_engineer, opportunity, trial):
    with pytest.raises(NotAllowed):
        services.trial_create(actor=other_engineer, opportunity=opportunity, data=trial_data())
    with pytest.raises(NotAllowed):
        services.trial_submit(actor=other_engineer, trial=trial)

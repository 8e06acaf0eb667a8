"""One lock order for demos and trial requests (proposals/demos/locks.py): the opportunity,
then the demo or trial, then (a trial in review) its review and tasks, then the rows after
them (checklist, timers). A withdrawal racing the manager's approval of a trial queues on
the opportunity row instead of deadlocking: one wins, the other is refused (R-DEMO-3)."""

from __future__ import annotations

import pytest

from presales.core.errors import DomainError
from proposals.demos import services
from proposals.demos.choices import TrialStatus
from proposals.demos.defaults import ensure_trial_chain
from proposals.models import TrialRequest
from reviews.models import Review
from reviews.services import review_decide
from tests.concurrency import PauseAfterFirstLock, assert_lock_order, recorded_row_locks, run_in_threads
from tests.proposals.demos.factories import DemoFactory, TrialRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOCK_ORDER = [
    "presales_opportunity",
    "proposals_demo",
    "proposals_trialrequest",
    "reviews_review",
    "reviews_reviewtask",
    "proposals_demochecklistitem",
    "presales_timer",
]


def test_demo_moves_lock_in_order(engineer, team, opportunity):
    demo = DemoFactory(team=team, owner=engineer, opportunity=opportunity)
    with recorded_row_locks() as tables:
        for item in demo.checklist.all():
            services.demo_checklist_set(actor=engineer, item=item, done=True)
    assert_lock_order(tables, LOCK_ORDER)
    assert tables[:2] == ["presales_opportunity", "proposals_demo"]


def test_trial_approval_locks_in_order(engineer, manager, team, opportunity):
    ensure_trial_chain()
    trial = TrialRequestFactory(team=team, owner=engineer, opportunity=opportunity)
    with recorded_row_locks() as tables:
        services.trial_submit(actor=engineer, trial=trial)
    assert_lock_order(tables, LOCK_ORDER)
    review = Review.objects.get(kind="trial")
    with recorded_row_locks() as tables:
        review_decide(actor=manager, review=review, decision="approve")
    assert list(dict.fromkeys(tables))[:3] == [
        "presales_opportunity",
        "proposals_trialrequest",
        "reviews_review",
    ]
    assert_lock_order(tables, LOCK_ORDER)


def test_withdraw_racing_approval_one_wins_r_demo_3(engineer, manager, team, opportunity):
    ensure_trial_chain()
    trial = TrialRequestFactory(team=team, owner=engineer, opportunity=opportunity)
    services.trial_submit(actor=engineer, trial=trial)
    review = Review.objects.get(kind="trial")
    pause = PauseAfterFirstLock()

    def withdraw():
        with pause.installed():
            return services.trial_withdraw(actor=engineer, trial=trial, reason="客戶暫緩")

    def approve():
        pause.holding.wait(timeout=30)  # starts once the withdrawal holds its first lock
        return review_decide(actor=manager, review=review, decision="approve")

    outcomes = run_in_threads(withdraw, approve)
    assert pause.waited == [True]  # the approval really queued behind the withdrawal
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], DomainError), outcomes
    assert TrialRequest.objects.get(pk=trial.pk).status == TrialStatus.DRAFT

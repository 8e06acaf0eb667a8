"""Two people move the same card at the same moment: exactly one move happens (R-OPP-3).

Each thread has its own connection. The first takes the opportunity's row lock and holds it
until PostgreSQL shows the second connection waiting for that lock (tests/concurrency.py);
then it moves and commits, and the second re-reads the stage under the lock and is refused.
Without ``select_for_update`` both would read "solution" and both would move.
"""

import pytest

from opportunities.choices import Stage
from opportunities.models import Opportunity, StageChange
from opportunities.services import opportunity_move
from presales.core.errors import GateRefused
from tests.concurrency import PauseAfterFirstLock, run_in_threads
from tests.factories import OpportunityFactory
from tests.proposals.solutions.factories import approved_solution

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_moves_yield_one_winner_R_OPP_3(engineer, sales_rep, team):
    # given an opportunity in solution
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    approved_solution(opportunity)  # the review gate (R-SOL-5)
    pause = PauseAfterFirstLock()

    def first():
        with pause.installed():
            return opportunity_move(actor=engineer, opportunity=opportunity, move="submit_for_review")

    def second():
        pause.holding.wait(timeout=30)
        return opportunity_move(actor=sales_rep, opportunity=opportunity, move="submit_for_review")

    # when both move it at once
    outcomes = run_in_threads(first, second)
    # then the second really waited for the first, and was refused after reading the new stage
    assert pause.waited == [True]
    assert isinstance(outcomes[0], Opportunity)
    assert isinstance(outcomes[1], GateRefused)
    assert "not possible from the current state (Review)" in outcomes[1].reasons[0]
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.REVIEW
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1

"""Two people move the same card at the same moment: exactly one move happens (R-OPP-3).

Each thread has its own connection. The first holds the opportunity's row lock (its move
is done, its transaction still open) until PostgreSQL shows the second connection waiting
for that lock; then it commits, and the second re-reads the stage under the lock and is
refused. Without ``select_for_update`` both would read "solution" and both would move.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from opportunities.choices import Stage
from opportunities.models import Opportunity, StageChange
from opportunities.services import opportunity_move
from presales.core.errors import GateRefused
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _another_connection_waits_for_a_lock(deadline_seconds: float = 10.0) -> bool:
    """Poll pg_stat_activity (this database only) until another backend waits on a lock.
    Inside a transaction the statistics are a snapshot: clear it before each look."""
    end = time.monotonic() + deadline_seconds
    with connection.cursor() as cursor:
        while time.monotonic() < end:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                  AND pid <> pg_backend_pid()
                """
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


def test_concurrent_moves_yield_one_winner_R_OPP_3(engineer, sales_rep, team):
    # given an opportunity in solution
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    first_moved = threading.Event()
    outcomes: dict[str, object] = {}
    waited: list[bool] = []

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = opportunity_move(
                    actor=engineer, opportunity=opportunity, move="submit_for_review"
                )
                first_moved.set()
                waited.append(_another_connection_waits_for_a_lock())
        except Exception as exc:
            outcomes["first"] = exc
        finally:
            first_moved.set()
            connections.close_all()

    def second():
        try:
            first_moved.wait(timeout=10)
            outcomes["second"] = opportunity_move(
                actor=sales_rep, opportunity=opportunity, move="submit_for_review"
            )
        except Exception as exc:  # the loser's refusal is the expected outcome
            outcomes["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    # when both move it at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then the second really waited for the first, and was refused after reading the new stage
    assert waited == [True]
    assert isinstance(outcomes["first"], Opportunity)
    assert isinstance(outcomes["second"], GateRefused)
    assert "not possible from the current state (Review)" in outcomes["second"].reasons[0]
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.REVIEW
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1

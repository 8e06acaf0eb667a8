"""The opportunity desk's Reviews and Timers tabs show the work of proposals (issue 10,
R-REV-6, R-SLA-1): solution version reviews and trial approvals; the writers' section
deadlines, the revision timer (R-SOL-3), the demo feedback (R-DEMO-2) and trial return
(R-DEMO-3) timers. Each tab stays one query however many records there are
(``opportunities.desk.register_desk_reviews`` / ``register_desk_timers``)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opportunities.choices import Stage
from presales.core.roles import Role
from presales.sla.defaults import DEMO_FEEDBACK, SOLUTION_REVISION
from presales.sla.models import Timer
from proposals.demos.timers import TRIAL_RETURN
from proposals.solutions.timers import SECTION_DUE
from tests.factories import OpportunityFactory
from tests.proposals.world import review_of, work_in_progress

pytestmark = pytest.mark.django_db


def _timer(kind, subject) -> Timer:
    return Timer.objects.get(
        kind=kind, subject_type=ContentType.objects.get_for_model(type(subject)), subject_id=subject.pk
    )


def _tab(page: str, key: str) -> str:
    return page.split(f'<section id="{key}"')[1].split("</section>")[0]


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(
        team=team, presales_owner=engineer, sales_owner=sales_rep, stage=Stage.DEMO, amount=1_000_000
    )


def test_the_desk_tabs_show_the_reviews_and_timers_of_solutions_demos_and_trials_R_REV_6(
    client, team, engineer, manager, make_user, opportunity, other_team
):
    writer = make_user(Role.PRESALES_ENGINEER, team=team)
    w = work_in_progress(opportunity, engineer=engineer, manager=manager, writer=writer)
    # another opportunity's work stays on its own desk
    elsewhere = work_in_progress(
        OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.DEMO),
        engineer=engineer,
        manager=manager,
        writer=writer,
    )
    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    reviews = _tab(page, "reviews")
    for subject in ("in_review", "trial_in_review", "lent"):
        assert f'data-review="{review_of(w[subject]).pk}"' in reviews, subject
        assert f'data-review="{review_of(elsewhere[subject]).pk}"' not in reviews, subject
    timers = _tab(page, "timers")
    for kind, key in (
        (SECTION_DUE, "written"),
        (SOLUTION_REVISION, "other"),
        (DEMO_FEEDBACK, "held"),
        (TRIAL_RETURN, "lent"),
    ):
        assert f'data-timer="{_timer(kind, w[key]).pk}"' in timers, kind
        assert f'data-timer="{_timer(kind, elsewhere[key]).pk}"' not in timers, kind


def test_the_desk_costs_the_same_queries_with_more_proposals_work(
    client, team, engineer, manager, make_user, opportunity
):
    writer = make_user(Role.PRESALES_ENGINEER, team=team)
    work_in_progress(opportunity, engineer=engineer, manager=manager, writer=writer)
    client.force_login(engineer)
    url = opportunity.get_absolute_url()
    client.get(url)  # warm the caches (content types, policies)

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    once = measure()
    for _i in range(2):
        work_in_progress(opportunity, engineer=engineer, manager=manager, writer=writer)
    assert measure() == once

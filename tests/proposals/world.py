"""Work in progress of every kind ``proposals`` holds on one opportunity, written through the
services: the close hook's and the desk tabs' tests (issue 10) share it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from presales.core.roles import Role
from proposals.demos import services as demos
from proposals.demos.choices import DemoStatus
from proposals.demos.defaults import ensure_trial_chain
from proposals.solutions import services as solutions
from proposals.solutions import timers as solution_timers
from reviews.models import Review, ReviewChain
from reviews.services import review_decide
from tests.factories import ReviewChainFactory, ReviewChainStepFactory
from tests.proposals.demos.factories import DemoFactory, SolutionFactory, SolutionVersionFactory, trial_data
from tests.proposals.solutions.conftest import LINE
from tests.proposals.solutions.factories import RequirementFactory


def review_of(subject) -> Review:
    return Review.objects.filter(
        content_type=ContentType.objects.get_for_model(type(subject)), object_id=subject.pk
    ).latest("id")


def ensure_chains() -> None:
    """The solution version's chain (the presales manager) and the trial's default chain."""
    if not ReviewChain.objects.filter(kind="solution_version", is_active=True).exists():
        chain = ReviewChainFactory(kind="solution_version")
        ReviewChainStepFactory(chain=chain, order=1, approver_role=Role.PRESALES_MANAGER)
    ensure_trial_chain()


def work_in_progress(opportunity, *, engineer, manager, writer) -> dict[str, Any]:
    """On ``opportunity`` (presales owner ``engineer``, ``manager`` the team's presales
    manager): a version in review (R-SOL-1, R-REV-2), a writer's deadline and a revision timer
    on another solution (R-SOL-1, R-SOL-3), a draft, a scheduled and a held demo with its
    feedback timer (R-DEMO-1, R-DEMO-2), and trial requests in review, draft and approved
    with its return timer (R-DEMO-3)."""
    ensure_chains()
    RequirementFactory(
        opportunity=opportunity,
        created_by=engineer,
        kind="rigid",
        number=(opportunity.requirements.order_by("-number").values_list("number", flat=True).first() or 0)
        + 1,
    )
    solution = solutions.solution_create(actor=engineer, opportunity=opportunity, title="節能方案")
    in_review = solution.versions.get()
    section = solutions.section_create(
        actor=engineer, version=in_review, kind="background", data={"body_html": "<p>30%</p>"}
    )
    solutions.line_create(actor=engineer, version=in_review, data=dict(LINE))
    for rigid in opportunity.requirements.filter(kind="rigid"):  # this one and any earlier
        solutions.answer_create(
            actor=engineer, version=in_review, data={"requirement": rigid, "section": section, "note": ""}
        )
    solutions.version_submit(actor=engineer, version=in_review)
    other = solutions.solution_create(actor=engineer, opportunity=opportunity, title="備選方案")
    written = solutions.section_create(
        actor=engineer,
        version=other.versions.get(),
        kind="modules",
        data={"writer": writer, "due_date": timezone.localdate() + timedelta(days=5)},
    )
    solution_timers.revision_timer_start(other, owner=engineer, start=timezone.now())
    approved = SolutionVersionFactory(solution=SolutionFactory(opportunity=opportunity, created_by=engineer))
    made = {
        "team": opportunity.team,
        "owner": engineer,
        "opportunity": opportunity,
        "solution_version": approved,
    }
    draft_demo = DemoFactory(**made)
    scheduled = DemoFactory(**made, status=DemoStatus.SCHEDULED, sequence=0)
    scheduled.our_attendees.add(engineer, writer)
    held = DemoFactory(**made, status=DemoStatus.DONE)
    demos.start_feedback_timer(held, start=timezone.now())
    trial_in_review = demos.trial_submit(
        actor=engineer, trial=demos.trial_create(actor=engineer, opportunity=opportunity, data=trial_data())
    )
    trial_draft = demos.trial_create(actor=engineer, opportunity=opportunity, data=trial_data())
    lent = demos.trial_submit(
        actor=engineer, trial=demos.trial_create(actor=engineer, opportunity=opportunity, data=trial_data())
    )
    review_decide(actor=manager, review=review_of(lent), decision="approve")
    return {
        "opportunity": opportunity,
        "in_review": in_review,
        "written": written,
        "other": other,
        "draft_demo": draft_demo,
        "scheduled": scheduled,
        "held": held,
        "trial_in_review": trial_in_review,
        "trial_draft": trial_draft,
        "lent": lent,
    }

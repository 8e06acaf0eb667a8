"""The opportunity page as the engineer's desk (issue 10 "Pages", R-OPP-3): a header with the
facts, the stage path and the next moves; tabs for the overview, every section registered
with ``opportunities.desk.register_desk_section`` in order, the reviews of every subject, the
timers and the history; a query count that does not grow with the rows the sections show."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from opportunities import desk
from opportunities.choices import InitiationStatus, Stage
from opportunities.models import ProjectInitiation
from opportunities.services import opportunity_move
from presales.core.roles import Role
from presales.sla.models import Timer
from reviews.models import Review, ReviewTask
from tests.factories import (
    LeadFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
    ProjectMemberFactory,
    ReviewChainFactory,
    UserFactory,
)

# The opportunities' registries on their own: the gates and sections of proposals are
# tested in tests/proposals.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("opportunities_only")]

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture
def desk_templates(settings):
    """The test sections' template (tests/opportunities/templates/desk_test/section.html)."""
    engines = [dict(engine) for engine in settings.TEMPLATES]
    engines[0]["DIRS"] = [*engines[0]["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = engines


@pytest.fixture
def test_sections(desk_templates):
    """Two test-only sections, one before the built-in reviews tab and one between timers
    and history; their context functions count their calls. Removed after the test."""
    calls = {"early": 0, "late": 0}

    def context_for(key):
        def context(request, opportunity):
            calls[key] += 1
            members = opportunity.members.all()  # prefetched by the page's queryset
            return {"desk_test_key": key, "desk_test_members": members}

        return context

    sections = [
        desk.DeskSection(
            key="desk_test_early",
            label=gettext_lazy("Early test section"),
            order=20,
            template="desk_test/section.html",
            context=context_for("early"),
            badge=lambda opportunity: len(opportunity.members.all()),
        ),
        desk.DeskSection(
            key="desk_test_late",
            label=gettext_lazy("Late test section"),
            order=85,
            template="desk_test/section.html",
            context=context_for("late"),
        ),
    ]
    for section in sections:
        desk.register_desk_section(section)
    yield calls
    for section in sections:
        desk._SECTIONS.pop(section.key, None)


def _approved(opportunity):
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    return opportunity


def _review(subject, person, team, chain, status="in_progress") -> Review:
    review = Review.objects.create(
        content_type=ContentType.objects.get_for_model(type(subject)),
        object_id=subject.pk,
        kind="initiation",
        chain=chain,
        author=person,
        started_by=person,
        team=team,
        subject_summary=f"Review of {subject}",
        current_step_order=1 if status == "in_progress" else None,
        status=status,
        finished_at=None if status == "in_progress" else timezone.now(),
    )
    ReviewTask.objects.create(
        review=review, step_order=1, step_name="Step", mode="all", approver=person, state="pending"
    )
    return review


def _timer(kind, subject, owner, team, state="open") -> Timer:
    now = timezone.now()
    return Timer.objects.create(
        state=state,
        satisfied_at=now if state == "satisfied" else None,
        kind=kind,
        subject_type=ContentType.objects.get_for_model(type(subject)),
        subject_id=subject.pk,
        owner=owner,
        team=team,
        started_at=now - timedelta(days=1),
        due_at=now + timedelta(days=2),
        policy={},
        policy_version=1,
    )


def _section_ids(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z_]+)" class="desk-pane"', page)


def test_issue_10_desk_renders_registered_sections_in_order_each_context_called_once(
    client, engineer, team, test_sections
):
    # given an opportunity with two project members and two test sections registered
    opportunity = _approved(OpportunityFactory(team=team, presales_owner=engineer, title="Desk deal"))
    for _i in range(2):
        ProjectMemberFactory(opportunity=opportunity)
    client.force_login(engineer)
    # when the desk is opened
    page = client.get(opportunity.get_absolute_url()).content.decode()
    # then the sections come in their order, after the overview, each context called once
    assert _section_ids(page) == [
        "overview",
        "desk_test_early",
        "competitors",
        "reviews",
        "timers",
        "desk_test_late",
        "history",
    ]
    assert test_sections == {"early": 1, "late": 1}
    # each tab is a link to its section's anchor (deep-linkable; a table of contents without JS)
    for key in ("overview", "desk_test_early", "reviews", "timers", "desk_test_late", "history"):
        assert f'href="#{key}"' in page
    # nothing is hidden without JavaScript: the sections stack
    assert " hidden" not in "".join(re.findall(r"<section [^>]*>", page))
    # a section's template gets its own context and the page's (opportunity, can_work)
    early = page.split('data-testid="desk-test-early"')[1].split("</div>")[0]
    assert "Desk deal" in early and early.count('class="desk-test-row"') == 2
    assert 'data-testid="desk-test-action"' in early
    # the badge is shown on the tab
    assert re.search(r'data-testid="badge-desk_test_early">2<', page)


def test_issue_10_desk_header_has_facts_path_next_moves_with_reasons_R_OPP_3(client, engineer, team):
    # given an opportunity in lead intake whose initiation is not approved yet
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, title="Header deal")
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.DRAFT)
    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    header = page.split('data-testid="desk-header"')[1].split("</header>")[0]
    # then the header names the customer (a link) and the facts
    assert opportunity.customer.get_absolute_url() in header
    assert "Expected close" in header
    # the stage path marks the current stage
    assert 'aria-current="step">Lead intake<' in page
    # the blocked move is shown disabled, with its gate's reason (text and tooltip)
    assert 'data-testid="reasons-start_needs_analysis"' in page
    assert "The project initiation must be approved first" in page
    assert re.search(
        r'disabled aria-describedby="why-start_needs_analysis" title="The project initiation', page
    )
    # and the actions are one click away: edit in the header, the request in the overview
    assert reverse("opportunities:update", args=[opportunity.pk]) in header
    overview = page.split('<section id="overview"')[1].split("</section>")[0]
    assert 'id="initiation"' in overview
    assert reverse("opportunities:initiation", args=[opportunity.pk]) in overview


def test_issue_10_desk_reviews_tab_gathers_every_subjects_reviews_R_REV_6(client, engineer, team):
    # given an opportunity whose initiation was reviewed, and a review of another subject
    # that an app registers as belonging to the opportunity (here: the opportunity's lead)
    lead = LeadFactory(team=team)
    opportunity = _approved(OpportunityFactory(team=team, presales_owner=engineer, lead=lead))
    chain = ReviewChainFactory()
    initiation_review = _review(opportunity.initiation, engineer, team, chain)
    lead_review = _review(lead, engineer, team, chain)
    unrelated = _review(LeadFactory(team=team), engineer, team, chain)

    def lead_reviews(opp):
        return Q(content_type=ContentType.objects.get_for_model(type(lead)), object_id=opp.lead_id)

    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    reviews_tab = page.split('<section id="reviews"')[1].split("</section>")[0]
    # without the source, the tab shows the initiation's reviews only
    assert f'data-review="{initiation_review.pk}"' in reviews_tab
    assert f'data-review="{lead_review.pk}"' not in reviews_tab
    desk.register_desk_reviews(lead_reviews)
    try:
        page = client.get(opportunity.get_absolute_url()).content.decode()
    finally:
        desk._REVIEW_SOURCES.remove(lead_reviews)
    reviews_tab = page.split('<section id="reviews"')[1].split("</section>")[0]
    # with it, the registered subject's reviews join them; another opportunity's do not
    assert f'data-review="{initiation_review.pk}"' in reviews_tab
    assert f'data-review="{lead_review.pk}"' in reviews_tab
    assert f'data-review="{unrelated.pk}"' not in reviews_tab


def test_issue_10_desk_timers_tab_shows_the_opportunitys_and_its_requests_timers(client, engineer, team):
    opportunity = _approved(OpportunityFactory(team=team, presales_owner=engineer))
    own = _timer("initiation_review", opportunity, engineer, team)
    of_request = _timer("initiation_review", opportunity.initiation, engineer, team)
    other = _timer("initiation_review", OpportunityFactory(team=team), engineer, team)
    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    timers_tab = page.split('<section id="timers"')[1].split("</section>")[0]
    assert f'data-timer="{own.pk}"' in timers_tab
    assert f'data-timer="{of_request.pk}"' in timers_tab
    assert f'data-timer="{other.pk}"' not in timers_tab


def _grow(opportunity, engineer, team, chain, n):
    """``n`` more rows of everything the desk shows: project members (the test sections'
    rows), finished reviews of the request, timers, stage changes, audit history."""
    for i in range(n):
        ProjectMemberFactory(
            opportunity=opportunity, user=UserFactory(roles=[Role.PRESALES_ENGINEER], team=team)
        )
        person = UserFactory(roles=[Role.PRESALES_MANAGER], team=team)
        _review(opportunity.initiation, person, team, chain, status="rejected")
        owner = UserFactory(roles=[Role.PRESALES_ENGINEER], team=team)
        _timer("initiation_review", opportunity, owner, team, state="satisfied")
        opportunity_move(actor=engineer, opportunity=opportunity, move="submit_for_review")
        opportunity_move(actor=engineer, opportunity=opportunity, move="back_to_solution", note=f"Rework {i}")
        opportunity.refresh_from_db()
        opportunity.description = f"Change {i}"
        opportunity._history_user = person
        opportunity.save()


def _measure(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# The desk as an engineer opens it (3 of them are the session, the user and the roles),
# with the two test sections registered; the same at 5 and at 20 rows of every kind.
# Issue 14: +1 for the competitors in play (opportunities' own tab).
DESK_QUERIES = 30


def test_issue_10_desk_query_count_is_constant_with_the_rows_it_shows(client, engineer, team, test_sections):
    opportunity = _approved(OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.SOLUTION))
    chain = ReviewChainFactory()
    client.force_login(engineer)
    url = opportunity.get_absolute_url()
    counts = []
    # The process's content-type cache is filled once, by a first visit.
    _measure(client, url)
    # From 5 rows on, the first window of the audit trail is all grown changes: the names
    # it resolves are of the same models at both sizes (presales.core.audit.history_page).
    for n in (5, 15):
        _grow(opportunity, engineer, team, chain, n)
        counts.append(_measure(client, url))
    assert counts[0] == counts[1], counts
    assert counts[1] == DESK_QUERIES, counts
    assert ProjectInitiation.objects.filter(opportunity=opportunity).count() == 1


def test_issue_10_api_desk_summary_lists_sections_badges_options_and_links(
    client_for, engineer, other_engineer, team, test_sections
):
    opportunity = _approved(
        OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.NEEDS_ANALYSIS)
    )
    ProjectMemberFactory(opportunity=opportunity)
    url = reverse("opportunity-desk", args=[opportunity.pk])
    body = client_for(engineer).get(url).json()
    assert [s["key"] for s in body["sections"]] == [
        "desk_test_early",
        "competitors",
        "reviews",
        "timers",
        "desk_test_late",
        "history",
    ]
    assert body["sections"][0]["badge"] == "1"
    assert body["sections"][1]["badge"] is None
    assert body["web"] == opportunity.get_absolute_url()
    assert body["links"]["customer"] == opportunity.customer_id
    assert {o["move"] for o in body["options"]} >= {"start_solution", "mark_lost"}
    # out of scope is 404, as for the opportunity itself
    assert client_for(other_engineer).get(url).status_code == 404

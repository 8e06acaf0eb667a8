"""R-NEED-6, last part: "a solution version built on the old text is marked as needing
revision". A requirement added or changed after the customer's confirmation (a needs change
request) since a version was submitted (a draft: started) marks the version: its editor
warns, the solution page and the desk show it, the API says ``needs_revision`` with the
``changed_requirements`` codes; one annotation, no query per version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals.models import NeedsAnalysis, Requirement, RequirementConfirmation, SolutionVersion
from proposals.needs import services as needs
from proposals.solutions import services
from proposals.solutions.selectors import with_requirement_changes
from reviews.services import review_decide
from tests.factories import OpportunityFactory
from tests.proposals.solutions.conftest import review_of
from tests.proposals.solutions.factories import RequirementFactory

pytestmark = pytest.mark.django_db


def _confirmed(requirement: Requirement) -> Requirement:
    """The customer's confirmation by e-mail, as the needs services record it (R-NEED-3)."""
    RequirementConfirmation.objects.create(
        requirement=requirement,
        status="confirmed",
        confirmer_name="王經理",
        method="email",
        at=timezone.now(),
    )
    Requirement.objects.filter(pk=requirement.pk).update(
        confirmation_status="confirmed",
        confirmed_by_name="王經理",
        confirmation_method="email",
        confirmed_at=timezone.now(),
    )
    requirement.refresh_from_db()
    return requirement


@pytest.fixture
def approved(opportunity, engineer, rigid, chain, reviewer, write_version):
    """An approved version answering the confirmed rigid requirement."""
    _confirmed(rigid)
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    review_decide(actor=reviewer, review=review_of(version), decision="approve", comment="OK")
    version.refresh_from_db()
    assert version.status == "approved"
    return version


def _fresh(version) -> SolutionVersion:
    return with_requirement_changes(SolutionVersion.objects.filter(pk=version.pk)).get()


def test_a_version_built_on_the_old_text_needs_revision_R_NEED_6(approved, engineer, rigid, opportunity):
    assert not _fresh(approved).needs_revision
    # a change of substance that is not after a confirmation, elsewhere, marks nothing here
    other = RequirementFactory(opportunity=OpportunityFactory(team=opportunity.team), created_by=engineer)
    needs.requirement_update(actor=engineer, requirement=_confirmed(other), data={"description": "別處"})
    assert not _fresh(approved).needs_revision
    # when the customer's confirmed requirement changes after the version was submitted
    needs.requirement_update(actor=engineer, requirement=rigid, data={"description": "降低生產線能耗40%"})
    version = _fresh(approved)
    assert version.needs_revision
    assert version.changed_requirement_codes == [rigid.code]
    # a requirement added after the confirmation counts too (the version does not answer it);
    # (the customer confirmed the changed one again: the list stands confirmed); the needs
    # analysis numbers on from the highest number written so far
    _confirmed(rigid)
    NeedsAnalysis.objects.update_or_create(
        opportunity=opportunity, defaults={"last_number": Requirement.objects.order_by("-number")[0].number}
    )
    added = needs.requirement_create(
        actor=engineer,
        opportunity=opportunity,
        data={"kind": "flexible", "category": "service", "description": "提供操作培訓,員工掌握率100%"},
    )
    assert _fresh(approved).changed_requirement_codes == sorted([rigid.code, added.code])
    # without the annotation the property reads it itself (one query)
    plain = SolutionVersion.objects.get(pk=approved.pk)
    assert plain.changed_requirement_codes == sorted([rigid.code, added.code])
    # the next version, started after the change, is built on the new text
    nxt = services.version_create_next(actor=engineer, solution=approved.solution)
    assert not _fresh(nxt).needs_revision
    assert _fresh(approved).needs_revision  # the old one keeps its mark


def test_the_editor_the_solution_page_the_desk_and_the_api_show_it_R_NEED_6(
    approved, engineer, rigid, opportunity, client, client_for
):
    needs.requirement_update(actor=engineer, requirement=rigid, data={"description": "降低生產線能耗40%"})
    client.force_login(engineer)
    editor = client.get(reverse("proposals:solutions:version", args=[approved.pk])).content.decode()
    warning = editor.split('data-testid="needs-revision"')[1].split("</div>")[0]
    assert rigid.code in warning
    page = client.get(reverse("proposals:solutions:solution", args=[approved.solution_id])).content.decode()
    assert f'data-testid="needs-revision-{approved.pk}"' in page
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    solutions_tab = desk.split('<section id="solutions"')[1].split("</section>")[0]
    badge = solutions_tab.split(f'data-testid="needs-revision-{approved.pk}"')[1].split("</span>")[0]
    assert rigid.code in badge
    body = client_for(engineer).get(reverse("solution-version-detail", args=[approved.pk])).json()
    assert body["needs_revision"] is True
    assert body["changed_requirements"] == [rigid.code]


def test_an_unchanged_version_shows_no_warning(approved, engineer, client, client_for):
    client.force_login(engineer)
    editor = client.get(reverse("proposals:solutions:version", args=[approved.pk])).content.decode()
    assert 'data-testid="needs-revision"' not in editor
    body = client_for(engineer).get(reverse("solution-version-detail", args=[approved.pk])).json()
    assert body["needs_revision"] is False and body["changed_requirements"] == []


def test_the_versions_list_costs_the_same_with_more_marked_versions_R_NEED_6(
    approved, engineer, rigid, opportunity, client_for
):
    api = client_for(engineer)
    url = reverse("solution-version-list")

    def measure() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as ctx:
            rows = api.get(url, {"opportunity": opportunity.pk}).json()["results"]
        return len(ctx.captured_queries), rows

    needs.requirement_update(actor=engineer, requirement=rigid, data={"description": "v2"})
    once, rows = measure()
    assert [r["needs_revision"] for r in rows] == [True]
    for title in ("B", "C"):
        services.solution_create(actor=engineer, opportunity=opportunity, title=title)
    needs.requirement_update(actor=engineer, requirement=rigid, data={"description": "v3"})
    _confirmed(rigid)
    needs.requirement_update(actor=engineer, requirement=rigid, data={"description": "v4"})
    count, rows = measure()
    assert count == once
    assert len(rows) == 3 and all(r["needs_revision"] for r in rows)

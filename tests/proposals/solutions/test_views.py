"""Solution pages, the admin route and the desk section (R-SOL-1..6, R-SOL-4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from opportunities.choices import Stage
from opportunities.desk import desk_sections
from presales.core.roles import Role
from proposals.models import QuoteLine, SolutionSection, SolutionVersion
from proposals.solutions import services
from proposals.solutions.desk import desk_context
from proposals.solutions.selectors import success_cases
from reviews.services import review_decide
from tests.factories import CustomerFactory, OpportunityFactory, UserFactory
from tests.proposals.solutions.conftest import review_of

pytestmark = pytest.mark.django_db


def test_editor_shows_sections_quote_totals_and_submit_reasons_R_SOL_1(client, engineer, opportunity, rigid):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    client.force_login(engineer)
    page = client.get(reverse("proposals:solutions:version", args=[version.pk])).content.decode()
    assert 'data-testid="submit-reasons"' in page
    assert rigid.code in page and 'data-testid="unanswered"' in page
    assert "disabled" in page


def test_web_section_save_sanitises_and_htmx_line_add_returns_server_totals_R_SOL_2(
    client, engineer, opportunity
):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    client.force_login(engineer)
    client.post(
        reverse("proposals:solutions:section_add", args=[version.pk]),
        {"new-kind": "background", "new-body_html": "<p>Hi<script>x()</script></p>"},
    )
    assert SolutionSection.objects.get(solution_version=version).body_html == "<p>Hi</p>"
    response = client.post(
        reverse("proposals:solutions:line_add", args=[version.pk]),
        {
            "line-kind": "hardware",
            "line-item": "Sensor",
            "line-quantity": "3",
            "line-unit": "pcs",
            "line-unit_cost": "20",
            "line-unit_price": "33.33",
            "line-tax_rate": "13",
            "line-tax_inclusive": "on",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="quote"' in html and "<html" not in html
    assert "88.49" in html and "99.99" in html and "32.20%" in html
    # the page's submit reasons and requirement mapping reload on this event
    assert response["HX-Trigger"] == "version-changed"
    page = client.get(reverse("proposals:solutions:version", args=[version.pk])).content.decode()
    assert page.count('hx-trigger="version-changed from:body"') == 2
    # bad input comes back in the partial, nothing saved
    response = client.post(
        reverse("proposals:solutions:line_add", args=[version.pk]),
        {
            "line-kind": "hardware",
            "line-item": "X",
            "line-quantity": "0",
            "line-unit_cost": "1",
            "line-unit_price": "1",
            "line-tax_rate": "13",
        },
        headers={"HX-Request": "true"},
    )
    assert 'data-testid="quote-errors"' in response.content.decode()
    assert QuoteLine.objects.filter(solution_version=version).count() == 1


def test_customer_copy_page_only_after_approval_and_without_cost_R_SOL_5(
    client, engineer, opportunity, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    client.force_login(engineer)
    url = reverse("proposals:solutions:customer_copy", args=[version.pk])
    assert client.get(url).status_code == 409
    services.version_submit(actor=engineer, version=version)
    assert client.get(url).status_code == 409
    review_decide(actor=reviewer, review=review_of(version), decision="approve")
    page = client.get(url).content.decode()
    assert "Two lines, 30% less energy." in page and "11,300.00" in page
    assert "7,000.00" not in page and "700.00" not in page and "Margin" not in page and "Cost" not in page


def test_web_present_refused_before_approval_R_SOL_5(
    client, engineer, opportunity, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    client.force_login(engineer)
    client.post(reverse("proposals:solutions:present", args=[version.pk]))
    assert SolutionVersion.objects.get(pk=version.pk).presented_at is None


def test_admin_action_cannot_present_an_unapproved_version_R_SOL_5(
    client, opportunity, engineer, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    admin = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.post(
        reverse("admin:proposals_solutionversion_changelist"),
        {"action": "mark_presented", "_selected_action": [version.pk]},
    )
    assert SolutionVersion.objects.get(pk=version.pk).presented_at is None
    # nor change it through the change form
    response = client.post(
        reverse("admin:proposals_solutionversion_change", args=[version.pk]), {"status": "approved"}
    )
    assert response.status_code == 403
    assert SolutionVersion.objects.get(pk=version.pk).status == "in_review"
    # once approved, the same action presents it (the action runs: the refusal above was the rule)
    review_decide(actor=reviewer, review=review_of(version), decision="approve")
    client.post(
        reverse("admin:proposals_solutionversion_changelist"),
        {"action": "mark_presented", "_selected_action": [version.pk]},
    )
    assert SolutionVersion.objects.get(pk=version.pk).presented_at is not None


def test_rejection_comments_shown_where_the_author_edits_R_REV_5(
    client, engineer, opportunity, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    review_decide(
        actor=reviewer, review=review_of(version), decision="reject", comment="Margin below policy."
    )
    client.force_login(engineer)
    page = client.get(reverse("proposals:solutions:solution", args=[version.solution_id])).content.decode()
    assert "Margin below policy." in page and 'data-testid="new-version"' in page
    client.post(reverse("proposals:solutions:solution", args=[version.solution_id]))
    draft = SolutionVersion.objects.get(solution=version.solution, status="draft")
    # the next version's editor shows the comments it answers
    page = client.get(reverse("proposals:solutions:version", args=[draft.pk])).content.decode()
    assert 'data-testid="previous-rejection"' in page and "Margin below policy." in page


def test_diff_page_R_SOL_3(client, engineer, opportunity, rigid, chain, reviewer, write_version):
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    review_decide(actor=reviewer, review=review_of(version), decision="reject", comment="x")
    nxt = services.version_create_next(actor=engineer, solution=version.solution)
    services.line_update(actor=engineer, line=nxt.quote_lines.get(), data={"quantity": Decimal("12")})
    client.force_login(engineer)
    page = client.get(reverse("proposals:solutions:diff", args=[nxt.pk])).content.decode()
    assert 'data-testid="diff-lines"' in page and "12000.00" in page and "10000.00" in page


def test_other_teams_cannot_open_a_version(client, other_engineer, engineer, opportunity):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    client.force_login(other_engineer)
    assert client.get(reverse("proposals:solutions:version", args=[version.pk])).status_code == 404
    assert client.get(reverse("proposals:solutions:customer_copy", args=[version.pk])).status_code == 404


# --- desk section and success cases (R-SOL-4) --------------------------------------------


def test_desk_section_registered_and_rendered_in_constant_queries(
    engineer, opportunity, write_version, django_assert_num_queries
):
    assert "solutions" in [s.key for s in desk_sections()]
    request = RequestFactory().get("/")
    request.user = engineer
    write_version(opportunity)
    # versions, won opportunities and the knowledge base's solution cases (R-KB-1)
    with django_assert_num_queries(4):
        context = desk_context(request, opportunity)
    for _ in range(3):
        write_version(opportunity)
    with django_assert_num_queries(4):
        context = desk_context(request, opportunity)
    html = render_to_string(
        "proposals/solutions/desk.html", {**context, "opportunity": opportunity, "request": request}
    )
    assert html.count('data-testid="desk-version-') == 4


def test_success_cases_same_industry_similar_size_explained_and_scoped_R_SOL_4(
    engineer, team, other_team, opportunity
):
    industry = opportunity.customer.industry
    won = OpportunityFactory(
        team=team,
        stage=Stage.HANDOFF,
        amount=1_200_000,
        customer=CustomerFactory(team=team, industry=industry, size_class=opportunity.customer.size_class),
    )
    far = OpportunityFactory(
        team=team,
        stage=Stage.HANDOFF,
        amount=10_000_000,
        customer=CustomerFactory(team=team, industry=industry, size_class="small"),
    )
    other_industry = OpportunityFactory(
        team=team,
        stage=Stage.HANDOFF,
        amount=1_000_000,
        customer=CustomerFactory(team=team, industry="finance"),
    )
    unseen = OpportunityFactory(
        team=other_team,
        stage=Stage.HANDOFF,
        amount=1_000_000,
        customer=CustomerFactory(team=other_team, industry=industry),
    )
    open_one = OpportunityFactory(
        team=team,
        stage=Stage.SOLUTION,
        amount=1_000_000,
        customer=CustomerFactory(team=team, industry=industry),
    )
    cases = success_cases(engineer, opportunity)
    found = [c.opportunity for c in cases]
    assert won in found
    assert far not in found and other_industry not in found and unseen not in found and open_one not in found
    (case,) = [c for c in cases if c.opportunity == won]
    assert "same industry" in case.reasons and "amount 1.2× this one" in case.reasons


def test_live_preview_is_the_sanitised_text_R_SOL_1(client, engineer, opportunity):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    client.force_login(engineer)
    response = client.post(
        reverse("proposals:solutions:section_preview", args=[version.pk]),
        {"s1-body_html": '<h2>T</h2><img src="x" onerror="alert(1)"><script>1</script>'},
        headers={"HX-Request": "true"},
    )
    assert response.content.decode() == "<h2>T</h2><img>"


def test_version_editor_costs_constant_queries(client, engineer, opportunity, make_user, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.proposals.solutions.factories import QuoteLineFactory, RequirementFactory

    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    client.force_login(engineer)
    url = reverse("proposals:solutions:version", args=[version.pk])
    kinds = ["background", "architecture", "modules", "configuration", "differentiation", "references"]

    def grow(start: int, stop: int) -> None:
        for kind in kinds[start:stop]:
            writer = make_user(Role.PRESALES_ENGINEER, team=team)
            section = services.section_create(
                actor=engineer, version=version, kind=kind, data={"writer": writer}
            )
            line = QuoteLineFactory(solution_version=version)
            requirement = RequirementFactory(opportunity=opportunity, created_by=engineer)
            services.answer_create(
                actor=engineer, version=version, data={"requirement": requirement, "quote_line": line}
            )
            assert section.pk

    def measure() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(0, 2)
    small = measure()
    grow(2, 6)
    assert measure() == small


def test_the_reviewer_reads_the_version_in_the_inbox_and_on_the_review_R_REV_6(
    client, engineer, opportunity, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    client.force_login(reviewer)
    inbox = client.get(reverse("reviews:inbox")).content.decode()
    assert "Line upgrade v1" in inbox and "margin 30.00%" in inbox
    page = client.get(review_of(version).get_absolute_url()).content.decode()
    assert "Two lines, 30% less energy." in page
    assert "Energy meter" in page and "3000.00" in page and "30.00%" in page
    assert "Unanswered rigid requirements" in page


def test_web_create_from_the_desk_then_accept_and_feedback_R_SOL_6(
    client, engineer, opportunity, rigid, chain, reviewer, write_version
):
    from presales.sla.models import Timer
    from proposals.models import Acceptance, Feedback, Solution

    client.force_login(engineer)
    response = client.post(
        reverse("proposals:solutions:create", args=[opportunity.pk]), {"title": "网关方案"}
    )
    solution = Solution.objects.get(title="网关方案")
    assert response.url == reverse("proposals:solutions:version", args=[solution.versions.get().pk])
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    review_decide(actor=reviewer, review=review_of(version), decision="approve")
    # not presented yet: the acceptance is refused, nothing recorded
    accept = reverse("proposals:solutions:accept", args=[version.pk])
    body = {"contact_name": "王總", "method": "email", "accepted_at": "2026-12-01T10:00"}
    client.post(accept, body)
    assert not Acceptance.objects.exists()
    client.post(reverse("proposals:solutions:present", args=[version.pk]))
    page = client.get(reverse("proposals:solutions:version", args=[version.pk])).content.decode()
    assert 'data-testid="accept-form"' in page and 'data-testid="feedback-form"' in page
    client.post(accept, body)
    assert Acceptance.objects.get().who == "王總"
    client.post(reverse("proposals:solutions:feedback", args=[version.pk]), {"content": "請增加培訓"})
    assert Feedback.objects.get().content == "請增加培訓"
    assert Timer.objects.get(kind="solution_revision").state == "open"


def test_htmx_line_change_recomputes_the_totals_R_SOL_2(client, engineer, opportunity, write_version):
    version = write_version(opportunity)
    line = version.quote_lines.get()
    client.force_login(engineer)
    page = client.get(reverse("proposals:solutions:version", args=[version.pk])).content.decode()
    assert f'data-testid="edit-line-{line.pk}"' in page
    prefix = f"l{line.pk}"
    body = {
        f"{prefix}-kind": "hardware",
        f"{prefix}-item": "Energy meter",
        f"{prefix}-quantity": "10",
        f"{prefix}-unit": "pcs",
        f"{prefix}-unit_cost": "700",
        f"{prefix}-unit_price": "1200",
        f"{prefix}-tax_rate": "13",
    }
    html = client.post(
        reverse("proposals:solutions:line", args=[version.pk, line.pk]), body, headers={"HX-Request": "true"}
    ).content.decode()
    assert "12,000.00" in html and "41.67%" in html  # (12000 - 7000) / 12000
    assert QuoteLine.objects.get(pk=line.pk).unit_price == Decimal("1200.00")

"""The solutions API (R-SOL-1..6, R-QUOTE-1): permission matrix, the error contract, the
frozen version refused through PATCH/PUT/DELETE, the gates through the move endpoint."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from presales.core.roles import Role
from proposals.choices import VersionStatus
from proposals.models import QuoteLine, SolutionVersion
from proposals.solutions import services
from reviews.services import review_decide
from tests.factories import ProjectInitiationFactory
from tests.proposals.solutions.conftest import review_of
from tests.proposals.solutions.factories import QuoteLineFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _line_body(version):
    return {
        "solution_version": version.pk,
        "kind": "software",
        "item": "MES licence",
        "quantity": "2",
        "unit": "set",
        "unit_cost": "30000.00",
        "unit_price": "45200.00",
        "tax_rate": "13.00",
        "tax_inclusive": True,
    }


def test_create_solution_and_quote_line_computes_amounts_R_SOL_2(client_for, engineer, opportunity):
    client = client_for(engineer)
    response = client.post(
        reverse("solution-list"), {"opportunity": opportunity.pk, "title": "MES rollout"}, format="json"
    )
    assert response.status_code == 201, response.content
    version = SolutionVersion.objects.get(solution_id=response.json()["id"])
    response = client.post(reverse("quote-line-list"), _line_body(version), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["amounts"] == {
        "cost": "60000.00",
        "price_excl_tax": "80000.00",
        "tax": "10400.00",
        "price_incl_tax": "90400.00",
        "margin": "20000.00",
        "margin_percent": "25.00",
    }
    body = client.get(reverse("solution-version-detail", args=[version.pk])).json()
    assert body["totals"]["margin_percent"] == "25.00" and body["currency"] == "CNY"


def test_bad_input_is_a_400_with_fields(client_for, engineer, opportunity):
    client = client_for(engineer)
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    body = dict(_line_body(version), quantity="-1", tax_rate="150", margin="1")
    response = client.post(reverse("quote-line-list"), body, format="json")
    assert response.status_code == 400
    assert {"quantity", "tax_rate", "margin"} <= set(response.json()["fields"])


def test_frozen_version_refuses_patch_put_delete_and_create_R_SOL_3(
    client_for, engineer, opportunity, rigid, chain, reviewer, write_version
):
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    client = client_for(engineer)
    line = version.quote_lines.get()
    section = version.sections.get()
    answer = version.answers.get()
    attempts = [
        client.patch(reverse("quote-line-detail", args=[line.pk]), {"unit_price": "1.00"}, format="json"),
        client.put(reverse("quote-line-detail", args=[line.pk]), dict(_line_body(version)), format="json"),
        client.delete(reverse("quote-line-detail", args=[line.pk])),
        client.post(reverse("quote-line-list"), _line_body(version), format="json"),
        client.patch(
            reverse("solution-section-detail", args=[section.pk]), {"body_html": "<p>x</p>"}, format="json"
        ),
        client.delete(reverse("solution-answer-detail", args=[answer.pk])),
    ]
    for response in attempts:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "version_frozen"
    assert QuoteLine.objects.get(pk=line.pk).unit_price == Decimal("1000.00")
    # an edit is a new version: a draft copy, editable
    response = client.post(reverse("solution-new-version", args=[version.solution_id]), format="json")
    assert (
        response.status_code == 201
        and response.json()["status"] == "draft"
        and response.json()["number"] == 2
    )
    # the status is not writable through the API
    response = client.patch(reverse("quote-line-detail", args=[line.pk]), {"status": "draft"}, format="json")
    assert response.status_code == 400


def test_stale_patch_is_a_409(client_for, engineer, opportunity):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    line = services.line_create(
        actor=engineer,
        version=version,
        data={k: v for k, v in _line_body(version).items() if k != "solution_version"},
    )
    client = client_for(engineer)
    url = reverse("quote-line-detail", args=[line.pk])
    assert client.patch(url, {"unit": "pcs"}, format="json", HTTP_IF_MATCH='W/"1"').status_code == 200
    response = client.patch(url, {"unit": "box"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 409 and response.json()["code"] == "stale"


def test_submit_lists_blocking_reasons_then_the_version_lifecycle_R_SOL_5(
    client_for, engineer, opportunity, rigid, chain, reviewer, write_version
):
    client = client_for(engineer)
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    response = client.post(reverse("solution-version-submit", args=[version.pk]), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "gate_refused"
    assert any(rigid.code in r for r in response.json()["reasons"])
    version = (
        write_version(SolutionVersion.objects.get(pk=version.pk).solution.opportunity) if False else None
    )
    # a complete version (a second solution of the same opportunity)
    version = write_version(opportunity)
    assert (
        client.post(reverse("solution-version-submit", args=[version.pk]), format="json").status_code == 200
    )
    # R-SOL-5: not presented, no customer copy before the approval
    assert (
        client.post(reverse("solution-version-present", args=[version.pk]), format="json").status_code == 409
    )
    response = client.get(reverse("solution-version-customer-copy", args=[version.pk]))
    assert response.status_code == 409 and response.json()["code"] == "version_not_approved"
    review_decide(actor=reviewer, review=review_of(version), decision="approve")
    copy = client.get(reverse("solution-version-customer-copy", args=[version.pk]))
    assert copy.status_code == 200
    text = copy.content.decode()
    assert "cost" not in text and "margin" not in text and "700" not in text
    assert copy.json()["totals"]["price_incl_tax"] == "11300.00"
    assert client.post(reverse("solution-version-present", args=[version.pk]), format="json").json()[
        "presented_at"
    ]
    response = client.post(
        reverse("solution-version-accept", args=[version.pk]),
        {"contact_name": "王總", "method": "signature", "accepted_at": "2026-12-01T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    response = client.post(
        reverse("solution-version-feedback", args=[version.pk]),
        {"content": "Add training days."},
        format="json",
    )
    assert response.status_code == 201


def test_diff_endpoint_R_SOL_3(client_for, engineer, opportunity, rigid, chain, reviewer, write_version):
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    review_decide(actor=reviewer, review=review_of(version), decision="reject", comment="Cheaper")
    nxt = services.version_create_next(actor=engineer, solution=version.solution)
    services.line_update(actor=engineer, line=nxt.quote_lines.get(), data={"unit_price": Decimal("900")})
    section = nxt.sections.get()
    services.section_update(
        actor=engineer, section=section, data={"body_html": "<p>Two lines, 35% less energy.</p>"}
    )
    client = client_for(engineer)
    body = client.get(reverse("solution-version-diff", args=[nxt.pk, version.pk])).json()
    assert body["sections"][0]["status"] == "changed"
    assert ["replace", "Two lines, 30% less energy.", "Two lines, 35% less energy."] in body["sections"][0][
        "rows"
    ]
    (line,) = body["lines"]
    assert (
        line["status"] == "changed"
        and line["old"]["price_excl"] == "10000.00"
        and line["new"]["price_excl"] == "9000.00"
    )
    assert client.get(reverse("solution-version-diff", args=[nxt.pk, 999999])).status_code == 404


# --- permission matrix -------------------------------------------------------------------


@pytest.fixture
def matrix_users(make_user, team, other_team, engineer):
    return {
        "anonymous": None,
        "no_role": make_user(team=team),
        "other_team_engineer": make_user(Role.PRESALES_ENGINEER, team=other_team),
        "engineer": engineer,
        "viewer": make_user(Role.LEGAL, team=team),
    }


# anonymous, no role, out of scope, owner, a read-only role of another scope that sees all
MATRIX = {
    "list": [401, 403, 200, 200, 200],
    "retrieve": [401, 403, 404, 200, 200],
    "patch_line": [401, 403, 404, 200, 403],
    "delete_line": [401, 403, 404, 204, 403],
    # an empty draft: the owner is refused by the gates (409), the others before them
    "submit": [401, 403, 404, 409, 403],
    # a draft: nobody gets a customer copy (R-SOL-5), whoever sees the version is told why
    "customer_copy": [401, 403, 404, 409, 409],
    "create_solution": [401, 403, 400, 201, 403],
}


@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(action, matrix_users, api_client, client_for, engineer, opportunity):
    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    line = QuoteLineFactory(solution_version=version)
    for (name, user), expected in zip(matrix_users.items(), MATRIX[action], strict=True):
        client = client_for(user) if user else api_client
        if action == "list":
            response = client.get(reverse("quote-line-list"))
        elif action == "retrieve":
            response = client.get(reverse("quote-line-detail", args=[line.pk]))
        elif action == "delete_line":
            target = QuoteLineFactory(solution_version=version)
            response = client.delete(reverse("quote-line-detail", args=[target.pk]))
        elif action == "submit":
            response = client.post(reverse("solution-version-submit", args=[version.pk]), format="json")
        elif action == "customer_copy":
            response = client.get(reverse("solution-version-customer-copy", args=[version.pk]))
        elif action == "create_solution":
            body = {"opportunity": opportunity.pk, "title": f"By {name}"}
            response = client.post(reverse("solution-list"), body, format="json")
        else:
            response = client.patch(
                reverse("quote-line-detail", args=[line.pk]), {"unit": "set"}, format="json"
            )
        assert response.status_code == expected, (name, action, response.content[:200])
        if action == "list" and expected == 200:
            ids = [row["id"] for row in response.json()["results"]]
            assert (line.pk in ids) == (name != "other_team_engineer"), name


def test_lists_cost_constant_queries(
    client_for, engineer, opportunity, django_assert_num_queries, write_version
):
    client = client_for(engineer)
    write_version(opportunity)
    client.get(reverse("solution-version-list"))
    with django_assert_num_queries(4):
        assert client.get(reverse("solution-version-list")).status_code == 200
    for _ in range(4):
        write_version(opportunity)
        SectionFactory(solution_version=SolutionVersion.objects.latest("id"), kind="modules")
    with django_assert_num_queries(4):
        assert len(client.get(reverse("solution-version-list")).json()["results"]) == 5


# --- the gates through the API and the board (R-SOL-5) -----------------------------------


def test_move_endpoint_answers_409_with_the_solution_reasons_R_SOL_5(client_for, engineer, opportunity):
    ProjectInitiationFactory(opportunity=opportunity, status="approved")
    client = client_for(engineer)
    response = client.post(
        reverse("opportunity-move", args=[opportunity.pk]), {"move": "submit_for_review"}, format="json"
    )
    assert response.status_code == 409
    assert "Submit a solution version for review first." in response.json()["reasons"]


def test_board_drag_into_demo_is_refused_without_an_approved_version_R_SOL_5(
    client, engineer, opportunity, rigid, chain, reviewer, write_version
):
    from opportunities.choices import Stage
    from opportunities.models import Opportunity

    ProjectInitiationFactory(opportunity=opportunity, status="approved")
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    Opportunity.objects.filter(pk=opportunity.pk).update(stage=Stage.REVIEW)
    client.force_login(engineer)
    url = reverse("opportunities:move", args=[opportunity.pk, "start_demo"])
    page = client.post(url, {"board": "1", "filters": ""}, headers={"HX-Request": "true"}).content.decode()
    assert "A solution version must be approved by its review before the demo (R-SOL-5)." in page
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.REVIEW
    # the board's menu shows the same reason, read from the card fact
    board = client.get(reverse("opportunities:board")).content.decode()
    assert "A solution version must be approved by its review before the demo (R-SOL-5)." in board
    review_decide(actor=reviewer, review=review_of(version), decision="approve")
    client.post(url, {"board": "1", "filters": ""}, headers={"HX-Request": "true"})
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.DEMO
    assert SolutionVersion.objects.get(pk=version.pk).status == VersionStatus.APPROVED


def test_answers_name_only_what_the_caller_sees_R_SOL_1(
    client_for, engineer, other_engineer, opportunity, rigid
):
    from tests.factories import OpportunityFactory
    from tests.proposals.solutions.factories import RequirementFactory

    version = services.solution_create(actor=engineer, opportunity=opportunity, title="S").versions.get()
    section = SectionFactory(solution_version=version)
    hidden = RequirementFactory(
        opportunity=OpportunityFactory(team=other_engineer.team), created_by=other_engineer
    )
    client = client_for(engineer)
    body = {"solution_version": version.pk, "requirement": hidden.pk, "section": section.pk}
    response = client.post(reverse("solution-answer-list"), body, format="json")
    assert response.status_code == 400 and "requirement" in response.json()["fields"]
    response = client.post(reverse("solution-answer-list"), dict(body, requirement=rigid.pk), format="json")
    assert response.status_code == 201 and response.json()["requirement_code"] == rigid.code
    # one section or one line, not both, not neither
    line = QuoteLineFactory(solution_version=version)
    both = dict(body, requirement=rigid.pk, quote_line=line.pk, section=section.pk)
    assert client.post(reverse("solution-answer-list"), both, format="json").status_code == 400

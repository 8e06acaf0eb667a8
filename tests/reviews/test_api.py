"""The reviews API: permission matrix, decisions, withdrawals, inbox, chains (R-REV-1,
R-REV-2, R-REV-5, R-REV-6)."""

import pytest
from django.urls import reverse

from presales.core.roles import Role
from reviews.choices import ReviewStatus, StepMode
from reviews.models import ReviewChain, ReviewTask
from reviews.services import review_decide, review_start
from tests.factories import TeamFactory
from tests.reviews.conftest import CRITERIA, FULL_SCORES, KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(make_chain, lead, author, manager):
    make_chain([{"approver_role": Role.PRESALES_MANAGER}])
    return review_start(actor=author, subject=lead, kind=KIND)


def detail_url(review):
    return reverse("review-detail", args=[review.pk])


def decide_url(review):
    return reverse("review-decide", args=[review.pk])


def cancel_url(review):
    return reverse("review-cancel", args=[review.pk])


@pytest.fixture
def people(make_user, team, other_team, manager, author, no_role_user):
    other_manager = make_user(Role.PRESALES_MANAGER, team=other_team, username="other_manager")
    other_team.manager = other_manager
    other_team.save()
    return {
        "anonymous": None,
        "no_role": no_role_user,
        "other_team": make_user(Role.PRESALES_ENGINEER, team=other_team, username="stranger"),
        "other_manager": other_manager,
        "sales_rep": make_user(Role.SALES_REP, team=team, username="teammate"),
        "author": author,
        "manager": manager,
    }


@pytest.mark.parametrize(
    ("who", "read", "decide"),
    [
        ("anonymous", 401, 401),
        ("no_role", 403, 403),
        ("other_team", 404, 404),
        ("other_manager", 404, 404),  # a manager decides only for their own team
        ("sales_rep", 200, 403),  # same team, not an approver
        ("author", 200, 403),  # own work
        ("manager", 200, 200),
    ],
)
def test_permission_matrix(client_for, people, review, who, read, decide):
    client = client_for(people[who])
    # reading
    response = client.get(detail_url(review))
    assert response.status_code == read
    assert set(response.json()) >= ({"id", "tasks"} if read == 200 else {"code", "message", "fields"})
    # deciding
    response = client.post(decide_url(review), {"decision": "approve"}, format="json")
    assert response.status_code == decide, response.json()
    if decide != 200:
        assert set(response.json()) >= {"code", "message", "fields"}
        assert ReviewTask.objects.get(review=review).state == "pending"
    else:
        assert response.json()["status"] == ReviewStatus.APPROVED


def test_list_shows_only_visible_reviews_and_filters(
    client_for, people, review, make_chain, other_team, make_user
):
    # a review of another team, invisible to the team's people
    from tests.factories import LeadFactory

    foreign_author = make_user(Role.SALES_REP, team=other_team)
    foreign = review_start(
        actor=foreign_author, subject=LeadFactory(team=other_team, owner=foreign_author), kind=KIND
    )
    url = reverse("review-list")
    ids = [r["id"] for r in client_for(people["sales_rep"]).get(url).json()["results"]]
    assert ids == [review.pk]
    ids = [r["id"] for r in client_for(people["other_manager"]).get(url).json()["results"]]
    assert ids == [foreign.pk]
    legal = make_user(Role.LEGAL, team=TeamFactory(name="Legal"))
    assert len(client_for(legal).get(url).json()["results"]) == 2
    # filters: status, kind, team
    client = client_for(legal)
    assert client.get(url, {"status": "approved"}).json()["results"] == []
    assert len(client.get(url, {"kind": KIND, "status": "in_progress"}).json()["results"]) == 2
    assert [r["id"] for r in client.get(url, {"team": other_team.pk}).json()["results"]] == [foreign.pk]
    assert client.get(url, {"status": "bogus"}).status_code == 400


def test_retrieve_shows_the_review_form(client_for, make_chain, lead, author, manager):
    """R-REV-6 over the API: tasks, decisions, scores and their averages."""
    make_chain([{"approver_role": Role.PRESALES_MANAGER}], criteria=CRITERIA)
    review = review_start(actor=author, subject=lead, kind=KIND)
    review_decide(actor=manager, review=review, decision="approve", scores=FULL_SCORES, comment="OK")
    body = client_for(author).get(detail_url(review)).json()
    assert body["status"] == "approved" and body["steps_done"] == 1 and body["steps_total"] == 1
    assert body["subject"] == {
        "type": KIND,
        "id": lead.pk,
        "summary": review.subject_summary,
        "url": f"/leads/{lead.pk}/",
    }
    [task] = body["tasks"]
    assert task["approver"]["username"] == "manager" and task["state"] == "approved"
    assert task["scores"] == FULL_SCORES and task["comment"] == "OK" and task["decided_at"]
    assert [(a["code"], a["average"]) for a in body["score_averages"]] == [
        ("rationality", "4.00"),
        ("innovation", "3.00"),
        ("completeness", "5.00"),
    ]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"decision": "reject"}, 400, "comment"),
        ({"decision": "reject", "comment": ""}, 400, "comment"),
        ({"decision": "maybe"}, 400, "decision"),
        ({}, 400, "decision"),
        ({"decision": "approve", "scores": {"rationality": 9}}, 400, "scores"),
        ({"decision": "approve", "scores": "many"}, 400, "scores"),
        ({"decision": "approve", "version": 99}, 409, None),
    ],
)
def test_decide_refusals_answer_with_the_error_contract(client_for, review, manager, payload, status, field):
    response = client_for(manager).post(decide_url(review), payload, format="json")
    assert response.status_code == status
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}
    if field:
        assert field in body["fields"]
    assert ReviewTask.objects.get(review=review).state == "pending"


def test_deciding_twice_over_the_api_is_a_conflict(client_for, make_chain, lead, author, team, make_user):
    """R-REV-5: approving twice is refused (409)."""
    first = make_user(Role.PRESALES_MANAGER, team=team)
    make_user(Role.PRESALES_MANAGER, team=team)
    make_chain([{"approver_role": Role.PRESALES_MANAGER, "mode": StepMode.ALL}])
    review = review_start(actor=author, subject=lead, kind=KIND)
    client = client_for(first)
    assert client.post(decide_url(review), {"decision": "approve"}, format="json").status_code == 200
    response = client.post(decide_url(review), {"decision": "approve"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_decided"


def test_reject_with_comment_returns_to_author(client_for, review, manager, calls):
    response = client_for(manager).post(
        decide_url(review), {"decision": "reject", "comment": "Add the references"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected" and response.json()["outcome_note"] == "Add the references"
    assert len(calls.rejected) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("no_role", 403), ("other_team", 404), ("manager", 403), ("author", 200)],
)
def test_cancel_permission_matrix(client_for, people, review, who, status):
    response = client_for(people[who]).post(cancel_url(review), {"reason": "Scope changed"}, format="json")
    assert response.status_code == status
    review.refresh_from_db()
    assert review.status == (ReviewStatus.CANCELLED if status == 200 else ReviewStatus.IN_PROGRESS)


def test_cancel_needs_a_reason_and_an_open_review(client_for, review, author):
    client = client_for(author)
    assert client.post(cancel_url(review), {}, format="json").status_code == 400
    assert client.post(cancel_url(review), {"reason": "x"}, format="json").status_code == 200
    assert client.post(cancel_url(review), {"reason": "x"}, format="json").status_code == 409


def test_inbox_lists_what_waits_for_the_caller(client_for, review, manager, author, people):
    url = reverse("review-inbox")
    assert [r["id"] for r in client_for(manager).get(url).json()["results"]] == [review.pk]
    assert client_for(author).get(url).json()["results"] == []
    assert client_for(None).get(url).status_code == 401
    assert client_for(people["no_role"]).get(url).status_code == 403


# --- chains ------------------------------------------------------------------------------


CHAIN = {
    "kind": "contract",
    "name": "Contract approval",
    "score_criteria": [],
    "steps": [
        {"order": 1, "name": "Sales manager", "approver_role": "sales_manager", "mode": "any"},
        {"order": 2, "name": "GM", "approver_role": "general_manager", "condition_min_amount": "10000.00"},
    ],
}


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("anonymous", 401, 401),
        ("no_role", 403, 403),
        ("sales_rep", 200, 403),
        ("manager", 200, 403),
        ("admin", 200, 201),
    ],
)
def test_chains_are_read_by_every_role_and_written_by_admins(client_for, people, make_user, who, read, write):
    people = {**people, "admin": make_user(Role.ADMIN, username="admin")}
    client = client_for(people[who])
    assert client.get(reverse("review-chain-list")).status_code == read
    response = client.post(reverse("review-chain-list"), CHAIN, format="json")
    assert response.status_code == write, response.json()
    if write == 201:
        body = response.json()
        assert [s["approver_role"] for s in body["steps"]] == ["sales_manager", "general_manager"]
        assert body["steps"][1]["condition_min_amount"] == "10000.00"
    else:
        assert not ReviewChain.objects.exists()


def test_chain_write_errors(client_for, make_user, manager):
    admin = make_user(Role.ADMIN, username="admin")
    client = client_for(admin)
    url = reverse("review-chain-list")
    # both a role and a person on one step
    bad = {**CHAIN, "steps": [{**CHAIN["steps"][0], "approver_user": manager.pk}]}
    response = client.post(url, bad, format="json")
    assert response.status_code == 400 and "steps" in response.json()["fields"]
    # no steps
    assert client.post(url, {**CHAIN, "steps": []}, format="json").status_code == 400
    # unknown kind
    assert client.post(url, {**CHAIN, "kind": "nope"}, format="json").status_code == 400
    # update and delete
    chain_id = client.post(url, CHAIN, format="json").json()["id"]
    detail = reverse("review-chain-detail", args=[chain_id])
    response = client.patch(detail, {"is_active": False, "steps": CHAIN["steps"][:1]}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False and len(response.json()["steps"]) == 1
    assert client.delete(detail).status_code == 204


def test_the_openapi_schema_documents_the_review_endpoints(client, manager):
    client.force_login(manager)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    decide = schema["paths"]["/api/v1/reviews/{id}/decide/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(decide["responses"])
    assert "/api/v1/reviews/inbox/" in schema["paths"]
    assert "/api/v1/review-chains/" in schema["paths"]


# --- strict write bodies (issue 8) ------------------------------------------------------


def test_decide_refuses_unknown_keys_together_with_validation_errors(client_for, review, manager):
    """R-REV-5: an unknown key is reported in the same 400 as the invalid fields, and nothing
    is decided."""
    # given a body with an unknown key and a decision that is not offered
    body = {"decision": "maybe", "approved": True}
    # when the approver posts it
    response = client_for(manager).post(decide_url(review), body, format="json")
    # then both are answered at once
    assert response.status_code == 400
    assert {"decision", "approved"} <= set(response.json()["fields"])
    assert ReviewTask.objects.get(review=review).state == "pending"


def test_decide_refuses_an_unknown_key_on_an_otherwise_valid_body(client_for, review, manager):
    """R-REV-5: a misspelt key (``coment``) is not silently dropped."""
    response = client_for(manager).post(
        decide_url(review), {"decision": "approve", "coment": "fine"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"coment"}
    assert ReviewTask.objects.get(review=review).state == "pending"


def test_cancel_refuses_unknown_keys_with_the_missing_reason(client_for, review, author):
    """R-REV-2: withdrawing without a reason and with an unknown key lists both."""
    response = client_for(author).post(cancel_url(review), {"why": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"reason", "why"}
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        # a read-only key on the chain, reported with the invalid kind
        ({**CHAIN, "kind": "nope", "version": 3}, {"kind", "version"}),
        # an unknown key on the chain
        ({**CHAIN, "owner": 1}, {"owner"}),
        # an unknown key on a step
        ({**CHAIN, "steps": [{**CHAIN["steps"][0], "approver": "gm"}]}, {"steps"}),
        # a read-only key on a step
        ({**CHAIN, "steps": [{**CHAIN["steps"][0], "id": 5}]}, {"steps"}),
        # an unknown key on a score criterion
        ({**CHAIN, "score_criteria": [{"code": "fit", "label": "Fit", "weight": 2}]}, {"score_criteria"}),
    ],
)
def test_chain_writes_refuse_unknown_and_read_only_keys(client_for, make_user, body, fields):
    """R-REV-1: a chain body with keys the API does not take is refused whole, with every
    error in one 400, and no chain is written."""
    # given an admin
    client = client_for(make_user(Role.ADMIN, username="admin"))
    # when the body is posted
    response = client.post(reverse("review-chain-list"), body, format="json")
    # then it is refused with the offending keys named
    assert response.status_code == 400, response.json()
    assert set(response.json()["fields"]) == fields
    assert not ReviewChain.objects.exists()


def test_chain_step_errors_name_the_offending_key(client_for, make_user):
    """R-REV-1: the nested error points at the step and the key."""
    client = client_for(make_user(Role.ADMIN, username="admin"))
    body = {**CHAIN, "steps": [CHAIN["steps"][0], {**CHAIN["steps"][1], "approver": "gm"}]}
    response = client.post(reverse("review-chain-list"), body, format="json")
    assert response.status_code == 400
    steps = response.json()["fields"]["steps"]
    # the contract flattens nested errors to "<index>: <key>: <message>"
    assert len(steps) == 1 and steps[0].startswith("1: approver:")

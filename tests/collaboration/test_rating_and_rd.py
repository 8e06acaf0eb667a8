"""The requester's rating feeds the KPI collaboration indicator (R-COLL-1, R-KPI-1), and the
R&D question of the needs analysis is a collaboration request whose completion answers it on
the requirement (R-NEED-5)."""

from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collaboration import hooks, services
from collaboration.choices import RequestKind, RequestStatus
from collaboration.models import CollaborationRequest
from collaboration.timers import COLLAB_DUE, COLLAB_RESPONSE
from kpi.indicators import compute_all
from kpi.periods import Period
from presales.core.errors import Conflict, GateRefused
from presales.sla.models import Notification, Timer, TimerState
from proposals.models import RDRequest
from proposals.needs import services as needs_services
from tests.collaboration.conftest import submit
from tests.factories import OpportunityFactory
from tests.kpi.scorecards.conftest import survey_answer


def rated(request, *, by, completer, rating, at):
    services.request_move(actor=completer, request=request, move="accept")
    services.request_move(actor=completer, request=request, move="complete", result="done")
    with mock.patch("django.utils.timezone.now", return_value=at):
        return services.request_move(actor=by, request=request, move="rate", rating=rating)


def test_r_coll_1_rating_joins_the_survey_answers_in_the_collaboration_indicator(
    engineer, sales_rep, rd_member, rd_head, due
):
    # given November: one collaboration survey answer (3) about rd_member and two ratings (5, 4)
    # of requests rd_member completed, and one rating in December that does not count
    november = Period.parse("2026-11")
    at = timezone.make_aware(datetime(2026, 11, 10, 10))
    survey_answer(person=rd_member, measure="collaboration", score=3, answered=at)
    rated(submit(engineer, due_at=due), by=engineer, completer=rd_member, rating=5, at=at)
    rated(submit(sales_rep, due_at=due), by=sales_rep, completer=rd_member, rating=4, at=at)
    december = timezone.make_aware(datetime(2026, 12, 2, 10))
    rated(submit(engineer, due_at=due), by=engineer, completer=rd_member, rating=1, at=december)
    # when the indicator is computed, in one query
    with CaptureQueriesContext(connection) as queries:
        values = compute_all(["collaboration"], [rd_member.pk, engineer.pk], november)
    # then both sources are averaged: (3 + 5 + 4) / 3, count 3; the requester has no data
    value = values["collaboration"][rd_member.pk]
    assert value.value == Decimal("4.00") and value.count == 3
    assert value.numerator == Decimal(12) and value.denominator == Decimal(3)
    assert engineer.pk not in values["collaboration"]
    assert len(queries) == 1


@pytest.fixture
def needs_opportunity(team, engineer):
    return OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")


def test_r_need_5_rd_question_round_trip_through_a_collaboration_request(
    engineer, needs_opportunity, rd_head, rd_member
):
    # given a requirement that needs R&D
    requirement = needs_services.requirement_create(
        actor=engineer,
        opportunity=needs_opportunity,
        data={
            "kind": "rigid",
            "category": "performance",
            "description": "接入舊PLC",
            "feasibility": "needs_rd",
        },
    )
    # when the engineer asks R&D through the needs analysis
    rd = needs_services.rd_request_create(
        actor=engineer, requirement=requirement, question="能否接入舊PLC?", assignee=rd_member
    )
    # then a collaboration request to R&D carries it
    collab = rd.collaboration_request
    assert collab is not None
    assert (collab.kind, collab.target_department, collab.opportunity_id) == (
        RequestKind.RD_QUESTION,
        "rd",
        needs_opportunity.pk,
    )
    assert "能否接入舊PLC?" in collab.item and collab.requester == engineer
    # when R&D accepts and completes it
    services.request_move(actor=rd_head, request=collab, move="accept")
    services.request_move(actor=rd_head, request=collab, move="complete", result="可以,需網關")
    # then the answer is kept with the requirement, and the asker may rate the request
    rd.refresh_from_db()
    assert (rd.status, rd.answer, rd.answered_by) == ("answered", "可以,需網關", rd_head)
    assert list(requirement.rd_requests.values_list("answer", flat=True)) == ["可以,需網關"]
    rated_request = services.request_move(actor=engineer, request=collab, move="rate", rating=5)
    assert rated_request.status == RequestStatus.RATED


def test_r_need_5_a_completed_general_request_answers_nothing(engineer, rd_member, due):
    request = submit(engineer, due_at=due)
    services.request_move(actor=rd_member, request=request, move="accept")
    services.request_move(actor=rd_member, request=request, move="complete", result="ok")
    assert not RDRequest.objects.exists()
    assert CollaborationRequest.objects.get(pk=request.pk).status == RequestStatus.COMPLETED
    assert timezone.now() - request.created_at < timedelta(hours=1)


def _rd_question(engineer, opportunity, assignee):
    requirement = needs_services.requirement_create(
        actor=engineer,
        opportunity=opportunity,
        data={
            "kind": "rigid",
            "category": "performance",
            "description": "接入舊PLC",
            "feasibility": "needs_rd",
        },
    )
    return needs_services.rd_request_create(
        actor=engineer, requirement=requirement, question="能否接入舊PLC?", assignee=assignee
    )


def _timer(kind, request):
    return Timer.objects.get(kind=kind, subject_id=request.pk, subject_type__model="collaborationrequest")


def test_r_need_5_answering_the_rd_request_accepts_and_completes_its_collaboration_request(
    engineer, needs_opportunity, rd_head, rd_member
):
    # given an R&D question whose collaboration request nobody has accepted yet
    rd = _rd_question(engineer, needs_opportunity, rd_member)
    collab = rd.collaboration_request
    assert collab.status == RequestStatus.SUBMITTED
    # when the person asked answers it the old way, on the requirement
    with mock.patch.object(hooks, "run_on_completed") as completion_hooks:
        needs_services.rd_request_answer(actor=rd_member, rd_request=rd, answer="可以,需網關")
    completion_hooks.assert_not_called()
    # then the collaboration request is accepted and completed in one go, with the answer as
    # its result, each move in its history by the person who answered
    collab.refresh_from_db()
    assert (collab.status, collab.result) == (RequestStatus.COMPLETED, "可以,需網關")
    assert collab.accepted_by == rd_member and collab.completed_by == rd_member
    statuses = list(collab.history.order_by("history_id").values_list("status", "history_user"))
    assert statuses[-2:] == [(RequestStatus.ACCEPTED, rd_member.pk), (RequestStatus.COMPLETED, rd_member.pk)]
    # and both its timers are satisfied
    assert _timer(COLLAB_RESPONSE, collab).state == TimerState.SATISFIED
    assert _timer(COLLAB_DUE, collab).state == TimerState.SATISFIED
    # and the requester is told once that it was completed (not that it was accepted), and once
    # of the answer on the requirement: the completion hook did not write the answer again
    kinds = list(Notification.objects.filter(recipient=engineer).values_list("key", flat=True))
    assert sorted(k for k in kinds if k.startswith("collab:")) == [
        f"collab:{collab.pk}:completed:to:{engineer.pk}"
    ]
    assert (
        Notification.objects.filter(recipient=engineer, kind=needs_services.RD_REQUEST_ANSWERED).count() == 1
    )
    rd.refresh_from_db()
    assert (rd.status, rd.answer, rd.answered_by) == ("answered", "可以,需網關", rd_member)
    # and the requester may rate the request as any completed one
    rated_request = services.request_move(actor=engineer, request=collab, move="rate", rating=4)
    assert rated_request.status == RequestStatus.RATED


def test_r_need_5_answering_completes_an_accepted_request_and_leaves_a_cancelled_one(
    engineer, needs_opportunity, rd_head, rd_member
):
    # given one question whose request R&D accepted, and one whose request was cancelled
    accepted = _rd_question(engineer, needs_opportunity, rd_member)
    services.request_move(actor=rd_head, request=accepted.collaboration_request, move="accept")
    cancelled = _rd_question(engineer, needs_opportunity, rd_member)
    services.request_move(actor=engineer, request=cancelled.collaboration_request, move="cancel")
    # when both are answered on the requirement
    needs_services.rd_request_answer(actor=rd_member, rd_request=accepted, answer="可以")
    needs_services.rd_request_answer(actor=rd_member, rd_request=cancelled, answer="不行")
    # then the accepted request is completed by the person who answered (accepted by R&D's head)
    collab = CollaborationRequest.objects.get(pk=accepted.collaboration_request_id)
    assert (collab.status, collab.result, collab.accepted_by, collab.completed_by) == (
        RequestStatus.COMPLETED,
        "可以",
        rd_head,
        rd_member,
    )
    assert _timer(COLLAB_DUE, collab).state == TimerState.SATISFIED
    # and the cancelled one stays cancelled, while the answer is kept with the requirement
    assert (
        CollaborationRequest.objects.get(pk=cancelled.collaboration_request_id).status
        == RequestStatus.CANCELLED
    )
    assert RDRequest.objects.get(pk=cancelled.pk).answer == "不行"


def test_r_need_5_completing_after_answering_is_refused_and_answering_after_completing_too(
    engineer, needs_opportunity, rd_head, rd_member
):
    # given a question answered on the requirement: its request is completed; moving it again is a 409
    rd = _rd_question(engineer, needs_opportunity, rd_member)
    needs_services.rd_request_answer(actor=rd_member, rd_request=rd, answer="可以")
    with pytest.raises(GateRefused):
        services.request_move(
            actor=rd_head, request=rd.collaboration_request, move="complete", result="另一個答案"
        )
    # and a question answered through its request cannot be answered again on the requirement
    other = _rd_question(engineer, needs_opportunity, rd_member)
    services.request_move(actor=rd_head, request=other.collaboration_request, move="accept")
    services.request_move(actor=rd_head, request=other.collaboration_request, move="complete", result="行")
    with pytest.raises(Conflict):
        needs_services.rd_request_answer(actor=rd_member, rd_request=other, answer="again")
    assert CollaborationRequest.objects.get(pk=other.collaboration_request_id).result == "行"

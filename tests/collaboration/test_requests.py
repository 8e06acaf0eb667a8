"""Collaboration requests (R-COLL-1): the moves and who may make them, both timers, the
response timer's owner, notifications, the rating (once, by the requester, after completion)
and its place in the KPI collaboration indicator."""

from datetime import timedelta

import pytest
from django.utils import timezone

from collaboration import services
from collaboration.choices import RequestStatus
from collaboration.models import CollaborationRequest
from collaboration.selectors import response_owner
from collaboration.timers import COLLAB_DUE, COLLAB_RESPONSE
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from presales.sla.models import Notification, Timer, TimerState
from presales.sla.sweep import sweep
from tests.collaboration.conftest import submit
from tests.factories import TeamFactory


def timer(kind, request):
    return Timer.objects.get(kind=kind, subject_id=request.pk, subject_type__model="collaborationrequest")


def test_r_coll_1_submit_numbers_starts_response_timer_for_the_head_and_tells_the_department(
    request_to_rd, engineer, rd_head, rd_member, rd_manager
):
    # given a request submitted to R&D (fixture)
    # then it is numbered, submitted, from the requester's department
    assert request_to_rd.number.startswith("COLL-")
    assert request_to_rd.status == RequestStatus.SUBMITTED
    assert request_to_rd.requesting_department == "presales"
    # the response timer runs for the R&D head, one working day
    response = timer(COLLAB_RESPONSE, request_to_rd)
    assert response.owner == rd_head and response.state == TimerState.OPEN
    assert response.policy["limit_unit"] == "working_days" and response.policy["limit_value"] == 1
    # and the department's people are told, not the requester
    told = set(
        Notification.objects.filter(kind="collaboration").values_list("recipient__username", flat=True)
    )
    assert told == {"rd_head", "rd_member", "rd_manager"}


def test_r_coll_1_response_owner_rule(make_user, engineer, manager, rd_team):
    """R-COLL-1: the target department's head, else a team manager of that department, else
    the requester's manager, else the requester."""
    # given no one in R&D: the requester's manager
    assert response_owner("rd", engineer) == manager
    # given R&D has a manager: that manager
    boss = make_user(Role.PRESALES_MANAGER, team=rd_team, username="rd_boss")
    rd_team.manager = boss
    rd_team.save()
    assert response_owner("rd", engineer) == boss
    # given R&D has a department head: the head
    head = make_user(Role.DEPARTMENT_HEAD, team=rd_team, username="head")
    assert response_owner("rd", engineer) == head
    # a head of another department does not count
    make_user(Role.DEPARTMENT_HEAD, team=TeamFactory(name="Legal", department="legal"), username="lh")
    assert response_owner("rd", engineer) == head
    # no manager at all: the requester
    loner = make_user(Role.SALES_REP, team=TeamFactory(name="Lonely"), username="loner")
    assert response_owner("finance", loner) == loner


def test_r_coll_1_accept_satisfies_response_and_starts_due_timer_fixed_at_due_time(
    request_to_rd, rd_member, engineer, due
):
    # when an R&D member accepts
    accepted = services.request_move(actor=rd_member, request=request_to_rd, move="accept")
    # then the response timer is satisfied and the due timer runs to the due time for them
    assert accepted.status == RequestStatus.ACCEPTED and accepted.accepted_by == rd_member
    assert timer(COLLAB_RESPONSE, accepted).state == TimerState.SATISFIED
    due_timer = timer(COLLAB_DUE, accepted)
    assert due_timer.owner == rd_member and due_timer.due_at == due and due_timer.state == TimerState.OPEN
    # and the requester is told
    assert Notification.objects.filter(recipient=engineer, key__contains=":accepted:").count() == 1


def test_r_coll_1_only_the_target_department_accepts_declines_completes(
    request_to_rd, engineer, other_engineer, general_manager, rd_member
):
    # the requester and someone of another department may not accept
    for outsider in (engineer, other_engineer, general_manager):
        with pytest.raises(NotAllowed):
            services.request_move(actor=outsider, request=request_to_rd, move="accept")
    # nor complete before acceptance (409)
    with pytest.raises(GateRefused):
        services.request_move(actor=rd_member, request=request_to_rd, move="complete", result="x")
    assert CollaborationRequest.objects.get(pk=request_to_rd.pk).status == RequestStatus.SUBMITTED


def test_r_coll_1_decline_needs_a_reason_and_satisfies_the_response_timer(request_to_rd, rd_head, engineer):
    with pytest.raises(DomainError) as exc:
        services.request_move(actor=rd_head, request=request_to_rd, move="decline", reason="  ")
    assert "reason" in exc.value.fields
    declined = services.request_move(
        actor=rd_head, request=request_to_rd, move="decline", reason="不在範圍內"
    )
    assert declined.status == RequestStatus.DECLINED and declined.decline_reason == "不在範圍內"
    assert timer(COLLAB_RESPONSE, declined).state == TimerState.SATISFIED
    assert not Timer.objects.filter(kind=COLLAB_DUE).exists()
    assert Notification.objects.filter(recipient=engineer, key__contains=":declined:").exists()


def test_r_coll_1_complete_then_rate_once_by_the_requester(request_to_rd, rd_member, engineer, rd_head):
    services.request_move(actor=rd_member, request=request_to_rd, move="accept")
    # rating before completion is refused
    with pytest.raises(GateRefused):
        services.request_move(actor=engineer, request=request_to_rd, move="rate", rating=5)
    # completion needs a result
    with pytest.raises(DomainError) as exc:
        services.request_move(actor=rd_member, request=request_to_rd, move="complete", result="")
    assert "result" in exc.value.fields
    done = services.request_move(
        actor=rd_member, request=request_to_rd, move="complete", result="可以,需網關"
    )
    assert done.status == RequestStatus.COMPLETED and done.completed_by == rd_member
    assert timer(COLLAB_DUE, done).state == TimerState.SATISFIED
    assert Notification.objects.filter(recipient=engineer, key__contains=":completed:").exists()
    # only the requester rates, 1 to 5
    with pytest.raises(NotAllowed):
        services.request_move(actor=rd_head, request=done, move="rate", rating=5)
    with pytest.raises(DomainError) as exc:
        services.request_move(actor=engineer, request=done, move="rate", rating=6)
    assert "rating" in exc.value.fields
    rated = services.request_move(actor=engineer, request=done, move="rate", rating=4, comment="及時")
    assert (rated.status, rated.rating, rated.rating_comment) == (RequestStatus.RATED, 4, "及時")
    assert rated.rated_at is not None
    # the person who completed it is told
    assert Notification.objects.filter(recipient=rd_member, key__contains=":rated:").exists()
    # once only
    with pytest.raises(GateRefused):
        services.request_move(actor=engineer, request=rated, move="rate", rating=1)
    assert rated.history.count() == 4  # submitted, accepted, completed, rated


def test_r_coll_1_cancel_by_the_requester_cancels_both_timers(request_to_rd, rd_member, engineer):
    services.request_move(actor=rd_member, request=request_to_rd, move="accept")
    with pytest.raises(NotAllowed):
        services.request_move(actor=rd_member, request=request_to_rd, move="cancel")
    cancelled = services.request_move(actor=engineer, request=request_to_rd, move="cancel")
    assert cancelled.status == RequestStatus.CANCELLED
    assert timer(COLLAB_DUE, cancelled).state == TimerState.CANCELLED


def test_r_coll_1_bad_input_is_a_domain_error(engineer, rd_head):
    with pytest.raises(DomainError) as exc:
        submit(engineer, due_at=timezone.now() - timedelta(hours=1), item="")
    assert {"item", "due_at"} <= set(exc.value.fields)
    with pytest.raises(DomainError) as exc:
        submit(engineer, due_at=timezone.now() + timedelta(days=1), target_department="nowhere")
    assert "target_department" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        submit(engineer, due_at=timezone.now() + timedelta(days=1), status="rated")
    assert "status" in exc.value.fields
    assert not CollaborationRequest.objects.exists()


def test_r_coll_1_response_timer_escalates_to_the_target_departments_manager(
    request_to_rd, rd_head, rd_manager
):
    # given the response timer is overdue
    response = timer(COLLAB_RESPONSE, request_to_rd)
    # when the sweep runs a day after it was due
    sweep(now=response.due_at + timedelta(hours=25), enqueue=lambda _pk: None)
    # then the head (owner) and the R&D team's manager are told
    escalated = set(
        Notification.objects.filter(key__startswith=f"timer:{response.pk}:escalate").values_list(
            "recipient__username", flat=True
        )
    )
    assert escalated == {"rd_head", "rd_manager"}


def test_r_coll_1_due_timer_escalates_for_the_acceptor(request_to_rd, rd_member, rd_manager):
    services.request_move(actor=rd_member, request=request_to_rd, move="accept")
    due_timer = timer(COLLAB_DUE, request_to_rd)
    sweep(now=due_timer.due_at + timedelta(hours=1), enqueue=lambda _pk: None)
    escalated = set(
        Notification.objects.filter(key__startswith=f"timer:{due_timer.pk}:escalate").values_list(
            "recipient__username", flat=True
        )
    )
    assert escalated == {"rd_member", "rd_manager"}


def test_r_coll_1_visibility(request_to_rd, engineer, sales_rep, other_engineer, rd_member, general_manager):
    """Requester, the requesting team, the target department, all-scope roles; nobody else."""
    for who in (engineer, sales_rep, rd_member, general_manager):
        assert CollaborationRequest.objects.visible_to(who).filter(pk=request_to_rd.pk).exists()
    assert not CollaborationRequest.objects.visible_to(other_engineer).exists()

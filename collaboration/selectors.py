"""Reads of collaboration (R-COLL-1, R-COLL-2): the response timer's owner, list filters,
an opportunity's requests and minutes, a person's open action items."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from collaboration.choices import ActionStatus
from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute, departments_of
from presales.accounts.models import Team, User
from presales.core.roles import Role


def response_owner(target_department: str, requester: User) -> User:
    """Who owns a request's response timer (R-COLL-1): the target department's head (an
    active user with the department-head role whose team is of that department, first by id);
    else the manager of a team of that department (first team by id); else the requester's
    team manager; else the requester."""
    head = (
        User.objects.filter(
            groups__name=Role.DEPARTMENT_HEAD, team__department=target_department, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if head is not None:
        return head
    team = (
        Team.objects.filter(department=target_department, manager__isnull=False, manager__is_active=True)
        .select_related("manager")
        .order_by("pk")
        .first()
    )
    if team is not None and team.manager is not None:
        return team.manager
    own = requester.team
    if own is not None and own.manager_id and own.manager is not None and own.manager.is_active:
        return own.manager
    return requester


def requests_for(
    user: User, *, box: str = "", status: str = "", kind: str = ""
) -> QuerySet[CollaborationRequest]:
    """``box``: "mine" (I asked), "department" (to my departments), else everything visible."""
    qs = CollaborationRequest.objects.visible_to(user).select_related(
        "requester", "completed_by", "opportunity"
    )
    if box == "mine":
        qs = qs.filter(requester_id=user.pk)
    elif box == "department":
        qs = qs.filter(target_department__in=departments_of(user))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def minutes_for(user: User) -> QuerySet[MeetingMinute]:
    return MeetingMinute.objects.visible_to(user).select_related("created_by", "opportunity")


def my_action_items(user: User) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(owner_id=user.pk, status=ActionStatus.OPEN)
        .select_related("minute")
        .order_by("due_on", "id")
    )


def for_opportunity(user: User, opportunity: Any) -> dict[str, Any]:
    return {
        "requests": list(
            CollaborationRequest.objects.visible_to(user)
            .filter(opportunity_id=opportunity.pk)
            .select_related("requester")[:50]
        ),
        "minutes": list(MeetingMinute.objects.visible_to(user).filter(opportunity_id=opportunity.pk)[:50]),
    }

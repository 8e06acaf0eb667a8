"""Record builders of collaboration (R-COLL-1, R-COLL-2) for the API contract and query-count
tests: ``(admin, team, n) -> n records`` of ``admin`` (written directly; services tested beside)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute


def collaboration_requests(admin, team, n):
    due = timezone.now() + timedelta(days=3)
    return [
        CollaborationRequest.objects.create(
            number=f"COLL-T-{i:05d}",
            item=f"Item {i}",
            requesting_department="presales",
            target_department="rd",
            requester=admin,
            requesting_team=team,
            due_at=due,
        )
        for i in range(n)
    ]


def meeting_minutes(admin, team, n):
    minutes = []
    for i in range(n):
        minute = MeetingMinute.objects.create(
            title=f"Meeting {i}", held_at=timezone.now(), created_by=admin, team=team
        )
        minute.attendees.add(admin)
        ActionItem.objects.create(
            minute=minute, description="Do it", owner=admin, due_on=timezone.localdate()
        )
        minutes.append(minute)
    return minutes


def action_items(admin, team, n):
    minute = MeetingMinute.objects.create(
        title="Meeting", held_at=timezone.now(), created_by=admin, team=team
    )
    return [
        ActionItem.objects.create(
            minute=minute, description=f"Do {i}", owner=admin, due_on=timezone.localdate()
        )
        for i in range(n)
    ]


COLLABORATION_BUILDERS = {
    "collaboration.collaborationrequest": collaboration_requests,
    "collaboration.meetingminute": meeting_minutes,
    "collaboration.actionitem": action_items,
}

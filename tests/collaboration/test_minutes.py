"""Meeting minutes (R-COLL-2): attendees, decisions, action items each with an owner and a due
date as a ``meeting_action`` timer (fixed at the end of the due day), satisfied when done,
cancelled when removed, restarted when moved; owners are told; who may edit."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from collaboration import services
from collaboration.choices import ActionStatus
from collaboration.models import ActionItem, MeetingMinute
from collaboration.timers import MEETING_ACTION
from presales.core.errors import DomainError, NotAllowed
from presales.sla.models import Notification, Timer, TimerState

DAY = date(2026, 12, 18)


def item_timers(item):
    return Timer.objects.filter(kind=MEETING_ACTION, subject_id=item.pk, subject_type__model="actionitem")


@pytest.fixture
def minute(engineer, sales_rep, rd_member):
    return services.minute_create(
        actor=engineer,
        data={"title": "跨部門協調會", "held_at": timezone.now(), "place": "3F", "decisions": "先做PoC"},
        attendees=[sales_rep, rd_member],
        action_items=[
            {"description": "準備PoC環境", "owner": rd_member, "due_on": DAY},
            {"description": "約客戶", "owner": sales_rep, "due_on": DAY},
        ],
    )


def test_r_coll_2_each_action_item_is_a_timer_for_its_owner_who_is_told(minute, rd_member, sales_rep):
    items = list(minute.action_items.order_by("pk"))
    assert [i.owner for i in items] == [rd_member, sales_rep]
    for item in items:
        t = item_timers(item).get()
        assert t.owner == item.owner and t.state == TimerState.OPEN
        assert t.due_at == timezone.make_aware(datetime.combine(DAY, time(23, 59, 59)))
    assert set(
        Notification.objects.filter(kind="collaboration").values_list("recipient__username", flat=True)
    ) == {
        "rd_member",
        "sales",
    }
    assert set(minute.attendees.all()) == {rd_member, sales_rep}


def test_r_coll_2_done_satisfies_removed_cancels_moved_restarts(minute, engineer, rd_member, sales_rep):
    first, second = minute.action_items.order_by("pk")
    # the owner completes their item
    done = services.action_item_complete(actor=rd_member, item=first)
    assert done.status == ActionStatus.DONE and done.done_at is not None
    assert item_timers(first).get().state == TimerState.SATISFIED
    with pytest.raises(DomainError):
        services.action_item_complete(actor=rd_member, item=first)
    # a new owner restarts the timer and tells them
    moved = services.action_item_update(actor=engineer, item=second, data={"owner": rd_member})
    states = list(item_timers(moved).order_by("pk").values_list("state", "owner__username"))
    assert states == [(TimerState.CANCELLED, "sales"), (TimerState.OPEN, "rd_member")]
    # removing the item cancels its timer
    services.action_item_remove(actor=engineer, item=moved)
    assert not ActionItem.objects.filter(pk=moved.pk).exists()
    assert not Timer.objects.filter(kind=MEETING_ACTION, state=TimerState.OPEN).exists()


def test_r_coll_2_who_edits_and_completes(minute, sales_rep, other_engineer, manager, rd_member):
    _first, second = minute.action_items.order_by("pk")
    # an attendee sees but does not edit; someone else's item is not theirs to complete
    with pytest.raises(NotAllowed):
        services.minute_update(actor=sales_rep, minute=minute, data={"title": "x"})
    with pytest.raises(NotAllowed):
        services.action_item_complete(actor=rd_member, item=second)
    # the manager of the author's team edits
    services.minute_update(actor=manager, minute=minute, data={"decisions": "改為先報價"})
    assert MeetingMinute.objects.get(pk=minute.pk).decisions == "改為先報價"
    # visibility: attendees and owners see it, an outsider does not
    assert MeetingMinute.objects.visible_to(rd_member).filter(pk=minute.pk).exists()
    assert not MeetingMinute.objects.visible_to(other_engineer).exists()


def test_r_coll_2_bad_input(engineer, rd_member):
    with pytest.raises(DomainError) as exc:
        services.minute_create(actor=engineer, data={"title": " ", "held_at": timezone.now()})
    assert "title" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.minute_create(
            actor=engineer,
            data={"title": "t", "held_at": timezone.now()},
            action_items=[{"description": "", "owner": None, "due_on": None}],
        )
    assert {"description", "owner", "due_on"} <= set(exc.value.fields)
    assert not MeetingMinute.objects.exists()

"""The collaboration API (R-COLL-1, R-COLL-2): moves, who may make them (403), out of scope
(404), bad input (400), and the minutes with their action items."""

from datetime import timedelta

from django.utils import timezone

from collaboration.choices import RequestStatus
from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute
from collaboration.timers import MEETING_ACTION
from presales.sla.models import Timer, TimerState

URL = "/api/v1/collaboration-requests/"
MINUTES = "/api/v1/meeting-minutes/"


def test_r_coll_1_api_round_trip(client_for, engineer, rd_member, rd_head):
    requester, rd = client_for(engineer), client_for(rd_member)
    due = (timezone.now() + timedelta(days=3)).isoformat()
    # create
    created = requester.post(
        URL,
        {"item": "接口評估", "target_department": "rd", "due_at": due, "kind": "technical_support"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "submitted" and created.json()["number"].startswith("COLL-")
    # the requester may not accept (403); R&D accepts, then completes; the requester rates
    assert requester.post(f"{URL}{pk}/accept/").status_code == 403
    assert rd.post(f"{URL}{pk}/accept/").json()["status"] == "accepted"
    assert rd.post(f"{URL}{pk}/complete/", {"result": ""}, format="json").status_code == 400
    assert rd.post(f"{URL}{pk}/complete/", {"result": "可以"}, format="json").json()["status"] == "completed"
    assert rd.post(f"{URL}{pk}/rate/", {"rating": 5}, format="json").status_code == 403
    assert requester.post(f"{URL}{pk}/rate/", {"rating": 9}, format="json").status_code == 400
    rated = requester.post(f"{URL}{pk}/rate/", {"rating": 4, "comment": "好"}, format="json")
    assert rated.status_code == 200 and rated.json()["rating"] == 4
    # a second rating is refused (409)
    assert requester.post(f"{URL}{pk}/rate/", {"rating": 1}, format="json").status_code == 409
    assert CollaborationRequest.objects.get(pk=pk).status == RequestStatus.RATED


def test_r_coll_1_api_scope_filters_and_bad_input(
    client_for, request_to_rd, engineer, other_engineer, rd_member
):
    # out of scope: 404 on read and on moves
    outsider = client_for(other_engineer)
    assert outsider.get(f"{URL}{request_to_rd.pk}/").status_code == 404
    assert outsider.post(f"{URL}{request_to_rd.pk}/accept/").status_code == 404
    assert outsider.get(URL).json()["results"] == []
    # filters: mine / to my department
    assert [r["id"] for r in client_for(engineer).get(URL, {"box": "mine"}).json()["results"]] == [
        request_to_rd.pk
    ]
    assert client_for(engineer).get(URL, {"box": "department"}).json()["results"] == []
    assert [r["id"] for r in client_for(rd_member).get(URL, {"box": "department"}).json()["results"]] == [
        request_to_rd.pk
    ]
    # bad input: 400 with the fields, nothing written
    bad = client_for(engineer).post(
        URL, {"item": "", "target_department": "moon", "due_at": "soon", "status": "rated"}, format="json"
    )
    assert bad.status_code == 400
    assert CollaborationRequest.objects.count() == 1
    declined = client_for(rd_member).post(f"{URL}{request_to_rd.pk}/decline/", {}, format="json")
    assert declined.status_code == 400
    cancel = client_for(engineer).post(f"{URL}{request_to_rd.pk}/cancel/")
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"


def test_r_coll_2_api_minutes_and_action_items(client_for, engineer, rd_member, other_engineer):
    client = client_for(engineer)
    created = client.post(
        MINUTES,
        {
            "title": "協調會",
            "held_at": timezone.now().isoformat(),
            "attendees": [rd_member.pk],
            "decisions": "PoC",
            "new_action_items": [{"description": "搭環境", "owner": rd_member.pk, "due_on": "2026-12-20"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert [i["description"] for i in created.json()["action_items"]] == ["搭環境"]
    added = client.post(
        f"{MINUTES}{pk}/action-items/",
        {"description": "報價", "owner": engineer.pk, "due_on": "2026-12-21"},
        format="json",
    )
    assert added.status_code == 201
    assert len(client.get(f"{MINUTES}{pk}/action-items/").json()) == 2
    assert Timer.objects.filter(kind=MEETING_ACTION, state=TimerState.OPEN).count() == 2
    # the owner completes theirs through the action-item endpoint
    item = ActionItem.objects.get(owner=rd_member)
    done = client_for(rd_member).post(f"/api/v1/action-items/{item.pk}/complete/")
    assert done.status_code == 200 and done.json()["status"] == "done"
    # the outsider sees nothing; bad input is 400
    assert client_for(other_engineer).get(f"{MINUTES}{pk}/").status_code == 404
    assert client_for(other_engineer).post(f"/api/v1/action-items/{item.pk}/complete/").status_code == 404
    assert client.post(f"{MINUTES}{pk}/action-items/", {"description": ""}, format="json").status_code == 400
    assert client.post(MINUTES, {"title": "", "held_at": "x"}, format="json").status_code == 400
    # removing an item cancels its timer
    other = ActionItem.objects.get(owner=engineer)
    assert client.delete(f"/api/v1/action-items/{other.pk}/").status_code == 204
    assert Timer.objects.filter(kind=MEETING_ACTION, state=TimerState.OPEN).count() == 0
    assert MeetingMinute.objects.count() == 1

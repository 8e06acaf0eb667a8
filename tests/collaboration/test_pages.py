"""Collaboration's pages (R-COLL-1, R-COLL-2): lists, detail with moves, forms with errors, 404
out of scope, the opportunity page's collaboration tab."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from collaboration.models import CollaborationRequest, MeetingMinute
from tests.factories import OpportunityFactory


def test_r_coll_1_pages(client, request_to_rd, engineer, other_engineer, rd_member):
    client.force_login(engineer)
    listed = client.get(reverse("collaboration:requests"), {"box": "mine"})
    assert listed.status_code == 200 and request_to_rd.number in listed.content.decode()
    assert client.get(reverse("collaboration:request", args=[request_to_rd.pk])).status_code == 200
    assert client.get(reverse("collaboration:request_create")).status_code == 200
    # a form error, not a 500
    bad = client.post(reverse("collaboration:request_create"), {"item": "", "target_department": "rd"})
    assert bad.status_code == 400
    due = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(
        reverse("collaboration:request_create"),
        {"kind": "general", "item": "協助", "target_department": "rd", "due_at": due},
    )
    assert ok.status_code == 302
    # R&D accepts on the page
    client.force_login(rd_member)
    moved = client.post(reverse("collaboration:request_move", args=[request_to_rd.pk, "accept"]))
    assert moved.status_code == 302
    assert CollaborationRequest.objects.get(pk=request_to_rd.pk).status == "accepted"
    # out of scope: 404
    client.force_login(other_engineer)
    assert client.get(reverse("collaboration:request", args=[request_to_rd.pk])).status_code == 404


def test_r_coll_2_pages(client, engineer, rd_member, other_engineer, team):
    client.force_login(engineer)
    assert client.get(reverse("collaboration:minute_create")).status_code == 200
    data = {
        "title": "協調會",
        "held_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
        "attendees": [rd_member.pk],
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-description": "搭環境",
        "items-0-owner": rd_member.pk,
        "items-0-due_on": "2026-12-20",
    }
    created = client.post(reverse("collaboration:minute_create"), data)
    assert created.status_code == 302, created.content.decode()[:2000]
    minute = MeetingMinute.objects.get()
    assert minute.action_items.count() == 1
    assert client.get(reverse("collaboration:minute", args=[minute.pk])).status_code == 200
    assert client.get(reverse("collaboration:minute_edit", args=[minute.pk])).status_code == 200
    assert client.get(reverse("collaboration:minutes")).status_code == 200
    # the owner's list and completion
    client.force_login(rd_member)
    mine = client.get(reverse("collaboration:my_action_items"))
    assert "搭環境" in mine.content.decode()
    item = minute.action_items.get()
    client.post(reverse("collaboration:action_item_move", args=[item.pk, "done"]), {"next": "mine"})
    item.refresh_from_db()
    assert item.status == "done"
    # an attendee may not edit (403); an outsider does not see it (404)
    assert client.get(reverse("collaboration:minute_edit", args=[minute.pk])).status_code == 403
    client.force_login(other_engineer)
    assert client.get(reverse("collaboration:minute", args=[minute.pk])).status_code == 404


def test_r_coll_1_opportunity_desk_tab(client, engineer, team, request_to_rd):
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    CollaborationRequest.objects.filter(pk=request_to_rd.pk).update(opportunity=opportunity)
    client.force_login(engineer)
    page = client.get(reverse("opportunities:detail", args=[opportunity.pk]))
    assert page.status_code == 200
    assert 'data-testid="desk-collaboration"' in page.content.decode()
    assert request_to_rd.number in page.content.decode()


def test_r_coll_1_the_opportunity_is_linked_only_for_who_opens_it(
    client, engineer, team, request_to_rd, rd_member
):
    # given a request about an opportunity of the engineer's team
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, title="Smart plant MES")
    CollaborationRequest.objects.filter(pk=request_to_rd.pk).update(opportunity=opportunity)
    url = reverse("collaboration:request", args=[request_to_rd.pk])
    link = f'href="{opportunity.get_absolute_url()}"'
    # then the requester's page links it
    client.force_login(engineer)
    page = client.get(url).content.decode()
    assert link in page and 'data-testid="opportunity-name"' not in page
    # and R&D, who cannot open it (a 404), read its name without a link
    client.force_login(rd_member)
    page = client.get(url).content.decode()
    assert link not in page and "Smart plant MES" in page
    assert client.get(opportunity.get_absolute_url()).status_code == 404

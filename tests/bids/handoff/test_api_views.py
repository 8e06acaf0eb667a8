"""The handoff's API and pages (R-HAND-1..3): no acknowledgment through PATCH or by someone
outside the receiving team, acceptances created with their scan, rectifications closed, the
scan downloaded only by who sees the handoff (logged), the desk tab at constant queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bids.handoff import services
from bids.handoff.choices import HandoffStatus, RectificationStatus
from bids.models import CustomerAcceptance, Handoff
from presales.models import DownloadLog

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 signed acceptance"


def _today() -> str:
    return timezone.localdate().isoformat()


def test_r_hand_2_api_cannot_acknowledge_by_patch(client_for, handoff, after_sales_engineer):
    client = client_for(after_sales_engineer)
    url = reverse("handoff-detail", args=[handoff.pk])
    response = client.patch(
        url, {"status": "acknowledged", "after_sales_owner": after_sales_engineer.pk}, format="json"
    )
    assert response.status_code == 405
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.SENT


@pytest.mark.parametrize(("who", "expected"), [("sales_rep", 403), ("other_engineer", 404), (None, 401)])
def test_r_hand_2_api_acknowledge_refused_outside_the_receiving_team(
    request, client_for, handoff, after_sales_engineer, who, expected
):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).post(
        reverse("handoff-acknowledge", args=[handoff.pk]),
        {"after_sales_owner": after_sales_engineer.pk},
        format="json",
    )
    assert response.status_code in (expected, 403 if expected == 401 else expected)
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.SENT


def test_r_hand_2_api_acknowledge_by_the_receiving_team(client_for, handoff, after_sales_engineer, sales_rep):
    # the receiving team sees the handoff though not the opportunity
    client = client_for(after_sales_engineer)
    listed = client.get(reverse("handoff-list")).json()["results"]
    assert [h["id"] for h in listed] == [handoff.pk]
    response = client.post(
        reverse("handoff-acknowledge", args=[handoff.pk]),
        {"after_sales_owner": after_sales_engineer.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    bad = client.post(
        reverse("handoff-acknowledge", args=[handoff.pk]), {"after_sales_owner": "x"}, format="json"
    )
    assert bad.status_code == 400


def test_r_hand_3_api_acceptances_with_scan_and_rectification(
    client_for, handoff, after_sales_engineer, other_engineer
):
    client = client_for(after_sales_engineer)
    response = client.post(
        reverse("acceptance-list"),
        {"handoff": handoff.pk, "kind": "product", "received_on": _today()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["result"] == "pending"
    response = client.post(
        reverse("acceptance-list"),
        {
            "handoff": handoff.pk,
            "kind": "product",
            "result": "failed",
            "accepted_on": _today(),
            "items": "Scratched",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    rectification_id = response.json()["rectification"]
    # refused: a passed one while the rectification is open (409), an exe named .pdf (400)
    refused = client.post(
        reverse("acceptance-list"),
        {
            "handoff": handoff.pk,
            "kind": "product",
            "result": "passed",
            "accepted_on": _today(),
            "received_on": _today(),
            "signed_scan": SimpleUploadedFile("a.pdf", PDF),
        },
        format="multipart",
    )
    assert refused.status_code == 409
    assert (
        client_for(other_engineer)
        .post(reverse("rectification-close", args=[rectification_id]), {"note": "x"}, format="json")
        .status_code
        == 404
    )
    closed = client.post(
        reverse("rectification-close", args=[rectification_id]), {"note": "Replaced"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == RectificationStatus.CLOSED
    exe = client.post(
        reverse("acceptance-list"),
        {
            "handoff": handoff.pk,
            "kind": "product",
            "result": "passed",
            "accepted_on": _today(),
            "received_on": _today(),
            "signed_scan": SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 64),
        },
        format="multipart",
    )
    assert exe.status_code == 400 and "signed_scan" in exe.json()["fields"]
    ok = client.post(
        reverse("acceptance-list"),
        {
            "handoff": handoff.pk,
            "kind": "product",
            "result": "passed",
            "accepted_on": _today(),
            "received_on": _today(),
            "signed_scan": SimpleUploadedFile("a.pdf", PDF),
        },
        format="multipart",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["signed_scan"] == reverse("bids:acceptance-scan", args=[ok.json()["id"]])
    # another team does not see the handoff: its id "does not exist"
    other = client_for(other_engineer).post(
        reverse("acceptance-list"), {"handoff": handoff.pk, "kind": "service"}, format="multipart"
    )
    assert other.status_code == 400 and "handoff" in other.json()["fields"]


def test_r_hand_3_scan_download_is_scoped_and_logged(
    client, handoff, after_sales_engineer, sales_rep, other_engineer
):
    acceptance = services.acceptance_record(
        actor=after_sales_engineer,
        handoff=handoff,
        kind="service",
        data={"result": "passed", "accepted_on": timezone.localdate()},
        scan=SimpleUploadedFile("s.pdf", PDF),
    )
    url = reverse("bids:acceptance-scan", args=[acceptance.pk])
    client.force_login(other_engineer)
    assert client.get(url).status_code == 404
    assert not DownloadLog.objects.exists()
    for user in (sales_rep, after_sales_engineer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert DownloadLog.objects.filter(object_id=acceptance.pk).count() == 2


def test_r_hand_2_web_acknowledge_and_printable_page(
    client, handoff, after_sales_engineer, sales_rep, other_engineer
):
    page = reverse("bids:handoff-detail", args=[handoff.pk])
    client.force_login(other_engineer)
    assert client.get(page).status_code == 404
    client.force_login(sales_rep)
    response = client.post(
        reverse("bids:handoff-action", args=[handoff.pk, "acknowledge"]),
        {"after_sales_owner": sales_rep.pk, "back": "desk"},
    )
    assert response.status_code == 302
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.SENT
    client.force_login(after_sales_engineer)
    body = client.get(page).content.decode()
    assert 'data-testid="handoff-section-contacts"' in body and 'data-testid="handoff-acknowledge"' in body
    response = client.post(
        reverse("bids:handoff-action", args=[handoff.pk, "acknowledge"]),
        {"after_sales_owner": after_sales_engineer.pk},
    )
    assert response.status_code == 302 and response["Location"] == page
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.ACKNOWLEDGED
    response = client.post(
        reverse("bids:handoff-action", args=[handoff.pk, "accept"]),
        {
            "kind": "service",
            "result": "passed",
            "accepted_on": _today(),
            "signed_scan": SimpleUploadedFile("s.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert CustomerAcceptance.objects.filter(handoff=handoff, result="passed").count() == 1
    assert (
        client.post(
            reverse("bids:handoff-action", args=[handoff.pk, "close"]), {"rectification": "x"}
        ).status_code
        == 404
    )


def _desk_queries(client, opportunity) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("opportunities:detail", args=[opportunity.pk]))
    assert response.status_code == 200
    assert 'data-testid="desk-handoff"' in response.content.decode()
    return len(queries)


def test_r_hand_3_desk_tab_queries_do_not_grow_with_acceptances(
    client, handoff, sales_rep, after_sales_engineer
):
    client.force_login(sales_rep)
    services.acceptance_record(
        actor=sales_rep,
        handoff=handoff,
        kind="service",
        data={"result": "failed", "accepted_on": timezone.localdate(), "items": "a"},
    )
    _desk_queries(client, handoff.opportunity)  # warm the caches (content types, calendar)
    one = _desk_queries(client, handoff.opportunity)
    rectification = CustomerAcceptance.objects.get(handoff=handoff).rectification
    services.rectification_close(actor=sales_rep, rectification=rectification, note="done")
    services.acceptance_record(
        actor=sales_rep,
        handoff=handoff,
        kind="service",
        data={"result": "failed", "accepted_on": timezone.localdate(), "items": "b"},
    )
    services.acceptance_receive(actor=sales_rep, handoff=handoff, received_on=timezone.localdate())
    assert CustomerAcceptance.objects.filter(handoff=handoff).count() == 3
    assert _desk_queries(client, handoff.opportunity) == one


def test_r_hand_1_all_scope_roles_see_every_handoff(client_for, handoff, general_manager, other_engineer):
    listed = client_for(general_manager).get(reverse("handoff-list")).json()["results"]
    assert [h["id"] for h in listed] == [handoff.pk]
    assert client_for(other_engineer).get(reverse("handoff-list")).json()["results"] == []

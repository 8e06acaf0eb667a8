"""The needs API (R-NEED-1..7): the same services as the page, the permission matrix
(another team's user gets 404, a read-only role 403), cursor pages with constant queries."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.models import ConfirmationRequest, NeedsReport, Requirement
from proposals.needs import services
from tests.factories import CommunicationFactory
from tests.proposals.needs.conftest import FLEXIBLE, RIGID
from tests.proposals.needs.factories import RequirementFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/"


def test_r_need_2_create_update_delete_through_the_api(client_for, engineer, opportunity):
    api = client_for(engineer)
    response = api.post(BASE + "requirements/", {"opportunity": opportunity.pk, **RIGID}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["confirmation_status"], body["version"]) == ("REQ-001", "unconfirmed", 1)
    url = f"{BASE}requirements/{body['id']}/"
    # state fields cannot be written
    response = api.patch(url, {"confirmation_status": "confirmed", "number": 9}, format="json")
    assert response.status_code == 400 and {"confirmation_status", "number"} <= set(response.json()["fields"])
    response = api.patch(url, {"priority": "low"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 200 and response["ETag"] == 'W/"2"'
    response = api.patch(url, {"priority": "high"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert (response.status_code, response.json()["code"]) == (409, "stale")
    assert api.delete(url).status_code == 204
    again = api.post(BASE + "requirements/", {"opportunity": opportunity.pk, **RIGID}, format="json").json()
    assert again["code"] == "REQ-002"


def test_r_need_3_record_confirmation_multipart_and_history(client_for, engineer, opportunity, contact):
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    api = client_for(engineer)
    url = f"{BASE}requirements/{requirement.pk}/confirm/"
    response = api.post(url, {"method": "email", "contact": contact.pk}, format="multipart")
    assert response.status_code == 400 and "evidence" in response.json()["fields"]
    response = api.post(
        url,
        {"method": "link", "contact": contact.pk, "evidence": SimpleUploadedFile("m.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert response.status_code == 400 and "method" in response.json()["fields"]
    response = api.post(
        url,
        {"method": "scan", "contact": contact.pk, "evidence": SimpleUploadedFile("m.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["confirmer_name"] == contact.name
    history = api.get(f"{BASE}requirements/{requirement.pk}/confirmations/").json()
    assert [h["method"] for h in history] == ["scan"]
    detail = api.get(f"{BASE}requirements/{requirement.pk}/").json()
    assert detail["confirmation_status"] == "confirmed"


def test_reorder_and_import_through_the_api(client_for, engineer, opportunity):
    api = client_for(engineer)
    text = "需求類型\t需求描述\n剛性\t一\n柔性\t二\n"
    response = api.post(
        BASE + "requirements/import/", {"opportunity": opportunity.pk, "text": text}, format="json"
    )
    assert response.status_code == 201 and [r["code"] for r in response.json()] == ["REQ-001", "REQ-002"]
    bad = "需求類型\t需求描述\n剛性\t三\n火星\t四\n"
    response = api.post(
        BASE + "requirements/import/", {"opportunity": opportunity.pk, "text": bad}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_rows")
    assert list(response.json()["fields"]) == ["row 2"]
    assert Requirement.objects.count() == 2
    csv_file = SimpleUploadedFile("n.csv", "description,kind\n五,latent\n".encode("utf-8-sig"))
    response = api.post(
        BASE + "requirements/import/", {"opportunity": opportunity.pk, "file": csv_file}, format="multipart"
    )
    assert response.status_code == 201
    first, second, third = Requirement.objects.order_by("number").values_list("pk", flat=True)
    response = api.post(
        BASE + "requirements/reorder/",
        {"opportunity": opportunity.pk, "ids": [third, first, second]},
        format="json",
    )
    assert response.status_code == 200 and [r["id"] for r in response.json()] == [third, first, second]
    listed = api.get(BASE + "requirements/", {"opportunity": opportunity.pk}).json()["results"]
    assert [r["id"] for r in listed] == [third, first, second]


def test_spin_notes_confirmation_requests_rd_and_reports(
    client_for, engineer, opportunity, contact, make_user
):
    api = client_for(engineer)
    response = api.post(
        BASE + "needs-analyses/", {"opportunity": opportunity.pk, "situation": "兩條產線"}, format="json"
    )
    assert response.status_code == 201, response.json()
    analysis = response.json()
    response = api.patch(
        f"{BASE}needs-analyses/{analysis['id']}/",
        {"problem": "能耗"},
        format="json",
        HTTP_IF_MATCH=f'W/"{analysis["version"]}"',
    )
    assert response.status_code == 200 and response.json()["problem"] == "能耗"
    requirement = services.requirement_create(
        actor=engineer, opportunity=opportunity, data={**RIGID, "feasibility": "needs_rd"}
    )
    response = api.post(
        BASE + "confirmation-requests/",
        {"opportunity": opportunity.pk, "contact": contact.pk, "days": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    sent = response.json()
    assert sent["state"] == "open" and sent["requirement_ids"] == [requirement.pk]
    assert "token" not in str(sent) and "token_hash" not in sent
    revoked = api.post(f"{BASE}confirmation-requests/{sent['id']}/revoke/").json()
    assert revoked["state"] == "revoked"
    rd_person = make_user("department_head", username="rd")
    rd = api.post(
        BASE + "rd-requests/",
        {"requirement": requirement.pk, "question": "PLC?", "assignee": rd_person.pk},
        format="json",
    ).json()
    # the person asked sees and answers it (a read-only role outside the team)
    rd_api = client_for(rd_person)
    assert rd_api.get(f"{BASE}rd-requests/{rd['id']}/").status_code == 200
    answered = rd_api.post(f"{BASE}rd-requests/{rd['id']}/answer/", {"answer": "可以"}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    report = api.post(BASE + "needs-reports/", {"opportunity": opportunity.pk}, format="json")
    assert report.status_code == 201 and report.json()["number"] == 1
    assert report.json()["content"]["spin"]["situation"] == "兩條產線"


def test_permission_matrix(client_for, engineer, other_engineer, opportunity, contact, make_user, team):
    """Another team's engineer: the records do not exist for them (404), and an id of them in
    a body "does not exist" (400); a read-only role of the team reads but does not write (403)."""
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    report = services.needs_report_create(actor=engineer, opportunity=opportunity)
    confirmation, _token = services.confirmation_request_create(
        actor=engineer, opportunity=opportunity, contact=contact
    )
    outsider = client_for(other_engineer)
    for url in (
        f"{BASE}requirements/{requirement.pk}/",
        f"{BASE}needs-reports/{report.pk}/",
        f"{BASE}confirmation-requests/{confirmation.pk}/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert (
        outsider.patch(
            f"{BASE}requirements/{requirement.pk}/", {"priority": "low"}, format="json"
        ).status_code
        == 404
    )
    assert outsider.delete(f"{BASE}requirements/{requirement.pk}/").status_code == 404
    assert outsider.post(f"{BASE}confirmation-requests/{confirmation.pk}/revoke/").status_code == 404
    assert outsider.post(f"{BASE}requirements/{requirement.pk}/confirm/", {}).status_code == 404
    response = outsider.post(
        BASE + "requirements/", {"opportunity": opportunity.pk, **FLEXIBLE}, format="json"
    )
    assert response.status_code == 400 and "opportunity" in response.json()["fields"]
    assert outsider.get(BASE + "requirements/").json()["results"] == []
    assert outsider.get(BASE + "needs-reports/").json()["results"] == []
    legal = client_for(make_user("legal", team=team, username="legal"))
    assert legal.get(f"{BASE}requirements/{requirement.pk}/").status_code == 200
    assert (
        legal.patch(f"{BASE}requirements/{requirement.pk}/", {"priority": "low"}, format="json").status_code
        == 403
    )
    # anonymous
    assert client_for(None).get(BASE + "requirements/").status_code in (401, 403)
    assert Requirement.objects.get().priority == "medium"
    assert ConfirmationRequest.objects.get().revoked_at is None
    assert NeedsReport.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "requirements/",
        "confirmation-requests/",
        "rd-requests/",
        "needs-reports/",
        "needs-analyses/",
        "needs-communications/",
    ],
)
def test_list_query_counts_are_constant(
    client_for, engineer, opportunity, contact, django_assert_max_num_queries, path, make_user
):
    api = client_for(engineer)
    rd_person = make_user("department_head", username="rd")

    def fill():
        r = RequirementFactory(opportunity=opportunity, created_by=engineer, feasibility="needs_rd")
        services.rd_request_create(actor=engineer, requirement=r, question="?", assignee=rd_person)
        services.confirmation_request_create(actor=engineer, opportunity=opportunity, contact=contact)
        services.needs_report_create(actor=engineer, opportunity=opportunity)
        services.spin_notes_save(actor=engineer, opportunity=opportunity, data={"problem": "x"})
        record = CommunicationFactory(customer=opportunity.customer, author=engineer)
        record.participant_users.set([engineer, rd_person])
        record.participant_contacts.set([contact])
        services.communication_link(
            actor=engineer, opportunity=opportunity, communication=record, purpose="survey"
        )

    fill()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get(BASE + path).status_code == 200
    for _ in range(4):
        fill()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = api.get(BASE + path)
    assert response.status_code == 200 and len(response.json()["results"]) >= 1


def test_excel_import_through_the_api(client_for, engineer, opportunity):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["類型", "描述", "可行性", "可行性說明"])
    book.active.append(["潜在", "遠程運維", "需研发", "需評估"])
    out = io.BytesIO()
    book.save(out)
    response = client_for(engineer).post(
        BASE + "requirements/import/",
        {"opportunity": opportunity.pk, "file": SimpleUploadedFile("n.xlsx", out.getvalue())},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()[0]["kind"], response.json()[0]["feasibility"]) == ("latent", "needs_rd")


def test_r_need_1_communications_linked_through_the_api(
    client_for, engineer, other_engineer, opportunity, contact
):
    from tests.factories import CommunicationFactory

    record = CommunicationFactory(customer=opportunity.customer, channel="site_visit", author=engineer)
    record.participant_contacts.set([contact])
    api = client_for(engineer)
    response = api.post(
        BASE + "needs-communications/",
        {"opportunity": opportunity.pk, "communication": record.pk, "purpose": "site_visit"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["participant_contacts"] == [contact.pk]
    link_url = f"{BASE}needs-communications/{response.json()['id']}/"
    assert client_for(other_engineer).get(link_url).status_code == 404
    assert client_for(other_engineer).delete(link_url).status_code == 404
    foreign = CommunicationFactory(author=engineer)
    response = api.post(
        BASE + "needs-communications/",
        {"opportunity": opportunity.pk, "communication": foreign.pk, "purpose": "meeting"},
        format="json",
    )
    assert response.status_code == 400
    assert api.delete(link_url).status_code == 204

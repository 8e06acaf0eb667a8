"""The needs page and section (R-NEED-1..7): htmx actions call the services; visibility and
write permission hold; import/export; query counts pinned."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from opportunities.desk import desk_sections
from proposals.models import ConfirmationRequest, NeedsReport, Requirement
from proposals.needs import services
from proposals.needs.selectors import needs_desk_context
from tests.proposals.needs.conftest import FLEXIBLE, RIGID

pytestmark = pytest.mark.django_db


def action(opportunity, name, item=None):
    if item is None:
        return reverse("proposals:needs_action", args=[opportunity.pk, name])
    return reverse("proposals:needs_item_action", args=[opportunity.pk, name, item])


def test_needs_section_is_registered_on_the_desk():
    (section,) = [s for s in desk_sections() if s.key == "needs"]
    assert (section.order, section.template) == (20, "proposals/needs/desk.html")


def test_page_shows_the_section_to_whoever_sees_the_opportunity(
    client, engineer, other_engineer, opportunity
):
    services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    client.force_login(engineer)
    page = client.get(reverse("proposals:needs", args=[opportunity.pk])).content.decode()
    assert "REQ-001" in page and 'data-testid="add-requirement"' in page
    client.force_login(other_engineer)
    assert client.get(reverse("proposals:needs", args=[opportunity.pk])).status_code == 404
    assert (
        client.post(
            action(opportunity, "add"), {**RIGID, "priority": "high", "feasibility": "feasible"}
        ).status_code
        == 404
    )
    assert Requirement.objects.count() == 1


def test_read_only_roles_see_no_forms_and_cannot_post(client, engineer, opportunity, make_user, team):
    legal = make_user("legal", team=team, username="legal")
    client.force_login(legal)
    response = client.get(reverse("proposals:needs", args=[opportunity.pk]))
    if response.status_code == 200:
        assert 'data-testid="add-requirement"' not in response.content.decode()
    response = client.post(
        action(opportunity, "add"), {**RIGID, "priority": "high", "feasibility": "feasible"}
    )
    assert response.status_code in (403, 404)
    assert not Requirement.objects.exists()


def test_htmx_add_edit_reorder_and_delete(client, engineer, opportunity):
    client.force_login(engineer)
    hx = {"HTTP_HX_REQUEST": "true"}
    row = {**RIGID, "priority": "high", "feasibility": "feasible"}
    response = client.post(action(opportunity, "add"), row, **hx)
    assert response.status_code == 200 and 'id="needs-section"' in response.content.decode()
    # the desk's "Next moves" card (the R-NEED-4 reasons) reloads on this event
    assert response["HX-Trigger"] == "opportunity-changed"
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'id="next-moves"' in desk and 'hx-trigger="opportunity-changed from:body"' in desk
    client.post(action(opportunity, "add"), {**row, **FLEXIBLE}, **hx)
    first, second = Requirement.objects.order_by("number")
    # an invalid row comes back with its errors, nothing saved
    response = client.post(action(opportunity, "add"), {**row, "kind": "hard"}, **hx)
    assert "text-danger" in response.content.decode() and Requirement.objects.count() == 2
    # the edit row, then the save with a stale version
    edit = client.get(reverse("proposals:needs_edit_row", args=[opportunity.pk, first.pk]), **hx)
    assert 'name="version"' in edit.content.decode()
    response = client.post(
        action(opportunity, "edit", first.pk), {**row, "description": "新", "version": 0}, **hx
    )
    assert "changed by someone else" in response.content.decode()
    client.post(
        action(opportunity, "edit", first.pk), {**row, "description": "新", "version": first.version}, **hx
    )
    first.refresh_from_db()
    assert first.description == "新"
    client.post(action(opportunity, "down", first.pk), **hx)
    assert list(Requirement.objects.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    client.post(action(opportunity, "reorder"), {"ids": [first.pk, second.pk]}, **hx)
    assert list(Requirement.objects.order_by("position").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]
    client.post(action(opportunity, "delete", second.pk), **hx)
    assert list(Requirement.objects.values_list("pk", flat=True)) == [first.pk]


def test_spin_send_record_revoke_and_report(client, engineer, opportunity, contact, mailoutbox):
    client.force_login(engineer)
    hx = {"HTTP_HX_REQUEST": "true"}
    client.post(
        action(opportunity, "spin"),
        {"situation": "兩條產線", "problem": "", "implication": "", "need_payoff": "", "version": 1},
        **hx,
    )
    assert opportunity.needs_analysis.situation == "兩條產線"
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    client.post(action(opportunity, "send"), {"contact": contact.pk, "days": 7}, **hx)
    confirmation = ConfirmationRequest.objects.get()
    client.post(action(opportunity, "revoke", confirmation.pk), **hx)
    confirmation.refresh_from_db()
    assert confirmation.revoked_at is not None
    response = client.post(
        action(opportunity, "record"),
        {
            "requirement": requirement.pk,
            "status": "confirmed",
            "method": "email",
            "confirmer_name": "王經理",
            "evidence": SimpleUploadedFile("mail.eml", b"From: wang"),
        },
        **hx,
    )
    assert response.status_code == 200
    requirement.refresh_from_db()
    assert requirement.confirmation_status == "confirmed"
    client.post(action(opportunity, "report"), **hx)
    report = NeedsReport.objects.get()
    page = client.get(
        reverse("proposals:needs_report", args=[opportunity.pk, report.number])
    ).content.decode()
    assert "兩條產線" in page and "REQ-001" in page and "Confirmed" in page


def test_r_need_2_paste_and_import_all_or_nothing_with_row_report(client, engineer, opportunity):
    client.force_login(engineer)
    hx = {"HTTP_HX_REQUEST": "true"}
    good = "需求類型\t類別\t需求描述\t數量\t優先級\n剛性\t性能\t降低能耗30%\t\t高\n柔性\t服务\t培訓\t2\t中\n"
    bad = good + "硬梆梆\t性能\t壞行\t\t高\n潜在\t功能\t\tx\t低\n"
    response = client.post(action(opportunity, "paste"), {"text": bad}, **hx)
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page and "row 3" in page and "row 4" in page
    assert not Requirement.objects.exists()
    client.post(action(opportunity, "paste"), {"text": good}, **hx)
    assert list(Requirement.objects.order_by("number").values_list("kind", "category", "priority")) == [
        ("rigid", "performance", "high"),
        ("flexible", "service", "medium"),
    ]
    # Excel upload in the template's format
    template = client.get(reverse("proposals:needs_export", args=[opportunity.pk, "template"]))
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in sheet[1]][:3] == ["kind", "category", "description"]
    book = Workbook()
    book.active.append(["kind", "category", "description", "priority"])
    book.active.append(["latent", "security", "@SUM(1)", "low"])
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        action(opportunity, "import"), {"file": SimpleUploadedFile("needs.xlsx", out.getvalue())}, **hx
    )
    assert Requirement.objects.count() == 3, response.content.decode()[-3000:]
    # CSV export neutralises the formula-like text
    csv_text = client.get(reverse("proposals:needs_export", args=[opportunity.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert "REQ-003" in csv_text and "'@SUM(1)" in csv_text
    xlsx = client.get(reverse("proposals:needs_export", args=[opportunity.pk, "xlsx"]))
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 4
    empty = Workbook()
    empty.active.append(["kind", "description"])
    empty.active.append(["rigid", None])
    out = io.BytesIO()
    empty.save(out)
    response = client.post(
        action(opportunity, "import"), {"file": SimpleUploadedFile("e.xlsx", out.getvalue())}, **hx
    )
    assert "row 1" in response.content.decode() and Requirement.objects.count() == 3
    response = client.post(action(opportunity, "import"), {"file": SimpleUploadedFile("x.doc", b"zz")}, **hx)
    assert "Upload a .csv or .xlsx file." in response.content.decode()


def test_needs_section_query_count_is_constant(
    rf, engineer, opportunity, django_assert_num_queries, make_user
):
    rd = make_user("department_head", username="rd")

    def fill(n):
        for _ in range(n):
            r = services.requirement_create(
                actor=engineer, opportunity=opportunity, data={**RIGID, "feasibility": "needs_rd"}
            )
            services.rd_request_create(actor=engineer, requirement=r, question="?", assignee=rd)
        services.needs_report_create(actor=engineer, opportunity=opportunity)

    request = rf.get("/")
    request.user = engineer
    fill(1)
    opportunity.refresh_from_db()
    with django_assert_num_queries(8) as first:
        needs_desk_context(request, opportunity)
    fill(5)
    with django_assert_num_queries(len(first.captured_queries)):
        context = needs_desk_context(request, opportunity)
        for r in context["requirements"]:
            list(r.rd_requests.all())


def test_needs_page_query_count_does_not_grow_with_rows(client, engineer, opportunity, contact, make_user):
    """The whole section (rows, R&D answers, requests, reports, links, forms) costs the same
    with 1 or 6 requirements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rd = make_user("department_head", username="rd")
    client.force_login(engineer)
    url = reverse("proposals:needs", args=[opportunity.pk])

    def fill(n):
        for _ in range(n):
            r = services.requirement_create(
                actor=engineer, opportunity=opportunity, data={**RIGID, "feasibility": "needs_rd"}
            )
            services.rd_request_create(actor=engineer, requirement=r, question="?", assignee=rd)
        services.confirmation_request_create(actor=engineer, opportunity=opportunity, contact=contact)
        services.needs_report_create(actor=engineer, opportunity=opportunity)

    fill(1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    fill(5)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    a = [q["sql"][:120] for q in small.captured_queries]
    b = [q["sql"][:120] for q in large.captured_queries]
    assert len(b) == len(a), "\n".join(x for x in b if x not in a) + "\n---\n" + "\n".join(b)


def test_r_need_3_evidence_is_downloaded_by_who_sees_the_opportunity(
    client, engineer, other_engineer, opportunity
):
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    row = services.requirement_confirmation_record(
        actor=engineer,
        requirement=requirement,
        method="email",
        confirmer_name="王經理",
        evidence=SimpleUploadedFile("../../etc/mail.eml", b"From: wang"),
    )
    assert "/" not in row.evidence.name.rsplit("evidence/", 1)[-1].split("/", 1)[-1]
    url = reverse("proposals:needs_evidence", args=[opportunity.pk, row.pk])
    client.force_login(engineer)
    page = client.get(reverse("proposals:needs", args=[opportunity.pk])).content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"From: wang"
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(other_engineer)
    assert client.get(url).status_code == 404

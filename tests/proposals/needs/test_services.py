"""Requirements, SPIN notes, change requests, R&D requests and reports through the services
(R-NEED-1, R-NEED-2, R-NEED-5, R-NEED-6, R-NEED-7)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collaboration.models import CollaborationRequest
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.sla.models import Notification
from proposals.models import ChangeRequest, NeedsReport, RDRequest, Requirement, RequirementConfirmation
from proposals.needs import services
from tests.proposals.needs.conftest import FLEXIBLE, RIGID

pytestmark = pytest.mark.django_db


def evidence(name="mail.pdf", content=b"%PDF-1.4 confirmation"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def confirm(engineer, requirement, **kwargs):
    return services.requirement_confirmation_record(
        actor=engineer,
        requirement=requirement,
        method="email",
        confirmer_name="王經理",
        evidence=evidence(),
        **kwargs,
    )


def test_r_need_1_spin_notes_saved_with_version_check(engineer, opportunity):
    analysis = services.spin_notes_save(
        actor=engineer, opportunity=opportunity, data={"situation": " 兩條產線 ", "problem": "能耗高"}
    )
    assert analysis.situation == "兩條產線"
    with pytest.raises(Conflict) as exc:
        services.spin_notes_save(
            actor=engineer,
            opportunity=opportunity,
            data={"implication": "x"},
            expected_version=analysis.version - 1,
        )
    assert exc.value.code == "stale"
    with pytest.raises(DomainError):
        services.spin_notes_save(actor=engineer, opportunity=opportunity, data={"last_number": 9})


def test_r_need_2_numbers_allocated_per_opportunity_and_never_reused(engineer, opportunity):
    first = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    second = services.requirement_create(actor=engineer, opportunity=opportunity, data=FLEXIBLE)
    assert (first.code, second.code) == ("REQ-001", "REQ-002")
    services.requirement_delete(actor=engineer, requirement=second)
    third = services.requirement_create(actor=engineer, opportunity=opportunity, data=FLEXIBLE)
    assert third.code == "REQ-003"
    assert third.position > first.position


def test_r_need_2_invalid_input_is_a_field_error(engineer, opportunity):
    with pytest.raises(DomainError) as exc:
        services.requirement_create(
            actor=engineer, opportunity=opportunity, data={**RIGID, "kind": "hard", "quantity": -1}
        )
    assert "quantity" in exc.value.fields or "kind" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.requirement_create(actor=engineer, opportunity=opportunity, data={**RIGID, "number": 5})
    assert "number" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.requirement_create(
            actor=engineer, opportunity=opportunity, data={**RIGID, "feasibility": "not_feasible"}
        )
    assert "feasibility_note" in exc.value.fields
    assert not Requirement.objects.exists()


def test_only_who_may_work_the_opportunity_writes(other_engineer, sales_rep, engineer, opportunity):
    with pytest.raises(NotAllowed):
        services.requirement_create(actor=other_engineer, opportunity=opportunity, data=RIGID)
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    for action in (
        lambda: services.requirement_update(
            actor=other_engineer, requirement=requirement, data={"priority": "low"}
        ),
        lambda: services.requirement_delete(actor=other_engineer, requirement=requirement),
        lambda: services.spin_notes_save(
            actor=other_engineer, opportunity=opportunity, data={"problem": "x"}
        ),
        lambda: services.needs_report_create(actor=other_engineer, opportunity=opportunity),
        lambda: services.requirements_reorder(
            actor=other_engineer, opportunity=opportunity, ids=[requirement.pk]
        ),
    ):
        with pytest.raises(NotAllowed):
            action()
    # the team's sales rep works the opportunity too
    services.requirement_update(actor=sales_rep, requirement=requirement, data={"priority": "low"})


def test_edit_requires_the_current_version(engineer, opportunity):
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    updated = services.requirement_update(
        actor=engineer,
        requirement=requirement,
        data={"priority": "low"},
        expected_version=requirement.version,
    )
    with pytest.raises(Conflict) as exc:
        services.requirement_update(
            actor=engineer,
            requirement=requirement,
            data={"priority": "high"},
            expected_version=updated.version - 1,
        )
    assert exc.value.code == "stale"
    assert "priority" in exc.value.extra["changed_fields"]


def test_closed_opportunity_needs_do_not_change(engineer, opportunity):
    from django.utils import timezone

    opportunity.stage = "lost"
    opportunity.close_reason = "price"
    opportunity.closed_at = timezone.now()
    opportunity.save()
    with pytest.raises(Conflict):
        services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)


def test_r_need_6_change_of_confirmed_requirement_unconfirms_and_records_change_request(
    engineer, opportunity
):
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    confirm(engineer, requirement)
    requirement.refresh_from_db()
    assert requirement.confirmation_status == "confirmed"
    # a change that is not of substance keeps the confirmation
    requirement = services.requirement_update(
        actor=engineer, requirement=requirement, data={"priority": "low"}
    )
    assert requirement.confirmation_status == "confirmed"
    assert not ChangeRequest.objects.exists()
    requirement = services.requirement_update(
        actor=engineer, requirement=requirement, data={"description": "降低生產線能耗40%"}
    )
    assert requirement.confirmation_status == "unconfirmed"
    assert requirement.confirmed_at is None and requirement.confirmed_by_name == ""
    assert requirement.changed_at is not None
    change = ChangeRequest.objects.get()
    assert change.kind == "changed"
    assert change.old_values == {"description": "降低生產線能耗30%"}
    assert change.new_values == {"description": "降低生產線能耗40%"}
    # the confirmation history is kept
    assert RequirementConfirmation.objects.filter(requirement=requirement).count() == 1


def test_r_need_6_requirement_added_after_confirmation_is_a_change_request(engineer, opportunity):
    before = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    assert not ChangeRequest.objects.exists()
    confirm(engineer, before)
    added = services.requirement_create(actor=engineer, opportunity=opportunity, data=FLEXIBLE)
    change = ChangeRequest.objects.get()
    assert (change.kind, change.requirement_id) == ("added", added.pk)
    assert added.changed_at is not None


def test_confirmed_requirement_cannot_be_deleted(engineer, opportunity):
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    confirm(engineer, requirement)
    with pytest.raises(Conflict):
        services.requirement_delete(actor=engineer, requirement=requirement)


def test_reorder_lists_every_requirement_once(engineer, opportunity):
    a = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    b = services.requirement_create(actor=engineer, opportunity=opportunity, data=FLEXIBLE)
    c = services.requirement_create(actor=engineer, opportunity=opportunity, data=FLEXIBLE)
    services.requirements_reorder(actor=engineer, opportunity=opportunity, ids=[c.pk, a.pk, b.pk])
    assert list(Requirement.objects.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    with pytest.raises(DomainError):
        services.requirements_reorder(actor=engineer, opportunity=opportunity, ids=[c.pk, a.pk])
    with pytest.raises(DomainError):
        services.requirements_reorder(actor=engineer, opportunity=opportunity, ids=[c.pk, a.pk, a.pk])
    services.requirement_move(actor=engineer, requirement=b, offset=-1)
    assert list(Requirement.objects.order_by("position").values_list("pk", flat=True)) == [c.pk, b.pk, a.pk]


def test_r_need_3_recorded_confirmation_needs_valid_evidence(engineer, opportunity, contact):
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    for bad in (None, evidence("virus.exe"), evidence("empty.pdf", b""), evidence("fake.pdf", b"MZ\x90\x00")):
        with pytest.raises(DomainError) as exc:
            services.requirement_confirmation_record(
                actor=engineer, requirement=requirement, method="scan", contact=contact, evidence=bad
            )
        assert "evidence" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.requirement_confirmation_record(
            actor=engineer, requirement=requirement, method="link", contact=contact, evidence=evidence()
        )
    assert "method" in exc.value.fields
    row = services.requirement_confirmation_record(
        actor=engineer,
        requirement=requirement,
        method="scan",
        contact=contact,
        evidence=evidence("scan.png", b"\x89PNG\r\n\x1a\n...."),
    )
    assert row.confirmer_name == "王經理" and row.evidence.name.endswith(".png")
    requirement.refresh_from_db()
    assert (requirement.confirmation_method, requirement.confirmed_contact_id) == ("scan", contact.pk)


def test_r_need_3_contact_of_another_customer_is_refused(engineer, opportunity):
    from tests.factories import ContactFactory

    stranger = ContactFactory()
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    with pytest.raises(DomainError) as exc:
        services.requirement_confirmation_record(
            actor=engineer, requirement=requirement, method="email", contact=stranger, evidence=evidence()
        )
    assert "contact" in exc.value.fields


def test_r_need_5_rd_request_asked_and_answered_with_notifications(engineer, opportunity, make_user):
    rd_person = make_user("department_head", username="rd")
    requirement = services.requirement_create(
        actor=engineer, opportunity=opportunity, data={**RIGID, "feasibility": "needs_rd"}
    )
    plain = services.requirement_create(actor=engineer, opportunity=opportunity, data=FLEXIBLE)
    with pytest.raises(DomainError):
        services.rd_request_create(actor=engineer, requirement=plain, question="?", assignee=rd_person)
    rd = services.rd_request_create(
        actor=engineer, requirement=requirement, question="能否接入舊PLC?", assignee=rd_person
    )
    assert Notification.objects.filter(recipient=rd_person, kind=services.RD_REQUEST_ASKED).count() == 1
    rd = services.rd_request_answer(actor=rd_person, rd_request=rd, answer="可以,需網關")
    assert rd.status == "answered" and rd.answered_by == rd_person
    assert Notification.objects.filter(recipient=engineer, kind=services.RD_REQUEST_ANSWERED).count() == 1
    assert list(requirement.rd_requests.values_list("answer", flat=True)) == ["可以,需網關"]
    with pytest.raises(Conflict):
        services.rd_request_answer(actor=rd_person, rd_request=rd, answer="again")
    other = make_user("presales_engineer", username="outsider")
    rd2 = services.rd_request_create(
        actor=engineer, requirement=requirement, question="?", assignee=rd_person
    )
    with pytest.raises(NotAllowed):
        services.rd_request_answer(actor=other, rd_request=rd2, answer="x")
    assert RDRequest.objects.count() == 2


def test_r_need_7_report_versions_are_snapshots(engineer, opportunity):
    services.spin_notes_save(actor=engineer, opportunity=opportunity, data={"situation": "兩條產線"})
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    first = services.needs_report_create(actor=engineer, opportunity=opportunity)
    services.requirement_update(actor=engineer, requirement=requirement, data={"description": "新描述"})
    second = services.needs_report_create(actor=engineer, opportunity=opportunity)
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert first.content["requirements"][0]["description"] == "降低生產線能耗30%"
    assert first.content["spin"]["situation"] == "兩條產線"
    assert second.content["requirements"][0]["description"] == "新描述"
    assert NeedsReport.objects.count() == 2


def test_r_need_6_feasibility_reassessed_and_change_settled_by_reconfirmation(engineer, opportunity):
    from django.utils import timezone

    from proposals.needs.selectors import requirement_changes_since

    start = timezone.now()
    requirement = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    confirm(engineer, requirement)
    requirement.refresh_from_db()
    requirement = services.requirement_update(actor=engineer, requirement=requirement, data={"quantity": 2})
    assert requirement.feasibility_review_due is True
    change = ChangeRequest.objects.get()
    assert change.resolved_at is None
    assert list(requirement_changes_since(opportunity.pk, start)) == [change]
    assert list(requirement_changes_since(opportunity.pk, timezone.now())) == []
    requirement = services.requirement_update(
        actor=engineer, requirement=requirement, data={"feasibility_note": "重新評估:可行"}
    )
    assert requirement.feasibility_review_due is False
    confirm(engineer, requirement)
    change.refresh_from_db()
    assert change.resolved_at is not None
    # a change that reassesses the feasibility itself leaves nothing to reassess
    requirement.refresh_from_db()
    requirement = services.requirement_update(
        actor=engineer,
        requirement=requirement,
        data={"feasibility": "needs_rd", "description": "新描述"},
    )
    assert requirement.feasibility_review_due is False and requirement.confirmation_status == "unconfirmed"


def test_r_need_5_answer_on_every_route_completes_the_collaboration_request(
    client, client_for, engineer, opportunity, make_user
):
    """R-NEED-5: the answer given the old way (service, API, web form) is also the result of
    the collaboration request that carries the question, which is accepted and completed."""
    rd_person = make_user("department_head", username="rd")
    requirement = services.requirement_create(
        actor=engineer, opportunity=opportunity, data={**RIGID, "feasibility": "needs_rd"}
    )
    asked = [
        services.rd_request_create(
            actor=engineer, requirement=requirement, question=f"Q{i}?", assignee=rd_person
        )
        for i in range(3)
    ]
    # service
    services.rd_request_answer(actor=rd_person, rd_request=asked[0], answer="by service")
    # API
    answered = client_for(rd_person).post(
        f"/api/v1/rd-requests/{asked[1].pk}/answer/", {"answer": "by API"}, format="json"
    )
    assert answered.status_code == 200, answered.json()
    # web form (the opportunity's team may answer too; the person asked may not see its page)
    client.force_login(engineer)
    response = client.post(
        reverse("proposals:needs_rd_answer", args=[opportunity.pk, asked[2].pk]), {"answer": "by web"}
    )
    assert response.status_code == 302
    routes = zip(asked, ("by service", "by API", "by web"), (rd_person, rd_person, engineer), strict=True)
    for rd, answer, answerer in routes:
        collab = CollaborationRequest.objects.get(pk=rd.collaboration_request_id)
        assert (collab.status, collab.result, collab.completed_by) == ("completed", answer, answerer)
        assert RDRequest.objects.get(pk=rd.pk).answer == answer

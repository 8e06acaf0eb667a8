"""Standard clauses, deviations, negotiation minutes and clause changes confirmed with the
customer (R-CON-5, R-CON-1, R-REV-5); line deletion (R-CON-2); desk editing; notifications of
signing and archiving. Each rule through the service, the API and the web desk."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bids.contracts import selectors, services
from bids.contracts.choices import ContractStatus
from bids.contracts.registry import _describe
from bids.models import ClauseChange, ClauseTemplate, Contract, ContractLine, NegotiationMinute
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from presales.sla.models import Delivery, Notification
from reviews.models import Review
from reviews.services import review_decide
from tests.bids.contracts.factories import accepted_version, sign_data
from tests.bids.contracts.test_services import _approve

pytestmark = pytest.mark.django_db


def _draw(actor, opportunity, prices=(Decimal("1000.00"),), **data) -> Contract:
    accepted_version(opportunity, prices=prices)
    return services.contract_create(actor=actor, opportunity=opportunity, data=data)


def _template(key, language="en"):
    return ClauseTemplate.objects.get(key=key, language=language, active=True)


def _rejected(sales_rep, opportunity, approvers) -> Contract:
    contract = services.contract_submit(actor=sales_rep, contract=_draw(sales_rep, opportunity))
    review = Review.objects.get(kind="contract", object_id=contract.pk, status="in_progress")
    review_decide(
        actor=approvers["sales_manager"], review=review, decision="reject", comment="Warranty too long"
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REJECTED
    return contract


def _confirm(change, actor):
    return services.clause_change_confirm(
        actor=actor, change=change, customer_confirmed_by="王經理", customer_confirmed_on=timezone.localdate()
    )


# --- R-CON-5: the standard template and its deviations -----------------------------------


def test_r_con_5_a_fresh_install_has_the_standard_clauses():
    keys = set(ClauseTemplate.objects.filter(active=True).values_list("key", "language"))
    for key in ("warranty", "liability", "confidentiality", "dispute_resolution", "payment_terms"):
        assert {(key, "zh-hans"), (key, "zh-hant"), (key, "en")} <= keys


def test_r_con_5_empty_terms_start_from_the_template_in_the_creators_language(sales_rep, opportunity):
    sales_rep.language = "zh-hant"
    contract = _draw(sales_rep, opportunity, warranty="3 years")
    assert contract.clause_language == "zh-hant"
    assert contract.liability == _template("liability", "zh-hant").text
    assert contract.warranty == "3 years"  # the creator's text is kept…
    assert contract.clause_origins["warranty"]["version"] == 1  # …and compared with the template
    assert [d.field for d in selectors.deviations(contract)] == ["warranty"]


def test_r_con_5_deviations_listed_only_when_the_text_differs(sales_rep, opportunity):
    contract = _draw(sales_rep, opportunity)
    assert selectors.deviations(contract) == []
    # whitespace alone is no deviation
    text = _template("confidentiality").text
    contract = services.contract_update(
        actor=sales_rep, contract=contract, data={"confidentiality": "  " + text.replace(" ", "\n  ") + "\n"}
    )
    assert selectors.deviations(contract) == []
    contract = services.contract_update(actor=sales_rep, contract=contract, data={"warranty": "24 months"})
    (deviation,) = selectors.deviations(contract)
    assert (deviation.field, deviation.template_text, deviation.contract_text) == (
        "warranty",
        _template("warranty").text,
        "24 months",
    )
    # back to the standard text: not listed any more
    contract = services.contract_update(
        actor=sales_rep, contract=contract, data={"warranty": _template("warranty").text}
    )
    assert selectors.deviations(contract) == []


def test_r_con_5_a_new_template_version_leaves_drawn_contracts_compared_with_theirs(
    sales_rep, opportunity, make_user
):
    admin = make_user(Role.ADMIN)
    contract = _draw(sales_rep, opportunity)
    new = services.clause_template_publish(actor=admin, key="warranty", language="en", text="Two years.")
    assert (new.version, new.active) == (2, True)
    assert ClauseTemplate.objects.filter(key="warranty", language="en", active=True).count() == 1
    contract.refresh_from_db()
    assert selectors.deviations(contract) == []  # still the version-1 text, still standard
    with pytest.raises(NotAllowed):
        services.clause_template_publish(actor=sales_rep, key="warranty", language="en", text="x")


def test_r_con_5_deviations_are_in_the_review_content_for_legal(sales_rep, opportunity, approvers, client):
    contract = _draw(sales_rep, opportunity, liability="No liability at all.")
    items = {item.label: item for item in _describe(contract)}
    table = items["Clauses deviating from the standard template"].table
    assert table is not None and table.rows == (
        ("liability for breach", _template("liability").text, "No liability at all."),
    )
    services.contract_submit(actor=sales_rep, contract=contract)
    review = Review.objects.get(kind="contract", object_id=contract.pk)
    client.force_login(approvers["legal"])
    page = client.get(review.get_absolute_url()).content.decode()
    assert "No liability at all." in page


def test_r_con_5_deviations_in_the_api_and_on_the_desk(client_for, client, sales_rep, opportunity):
    contract = _draw(sales_rep, opportunity, warranty="Five years.")
    body = client_for(sales_rep).get(reverse("contract-detail", args=[contract.pk])).json()
    assert [d["field"] for d in body["deviations"]] == ["warranty"]
    assert body["clause_language"] == "en"
    # read-only: a PATCH of deviations is refused, not silently ignored
    response = client_for(sales_rep).patch(
        reverse("contract-detail", args=[contract.pk]), {"clause_origins": {}}, format="json"
    )
    assert response.status_code == 400
    client.force_login(sales_rep)
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="contract-deviations"' in desk and "Five years." in desk


# --- R-CON-5: negotiation minutes ------------------------------------------------------------


def test_r_con_5_minutes_record_the_terms_they_changed(sales_rep, opportunity):
    contract = _draw(sales_rep, opportunity)
    old = contract.warranty
    minute = services.negotiation_minute_record(
        actor=sales_rep,
        contract=contract,
        data={
            "held_on": timezone.localdate(),
            "our_attendees": "Li, Zhang",
            "customer_attendees": "Wang",
            "summary": "Warranty extended.",
        },
        terms={"warranty": "24 months"},
    )
    contract.refresh_from_db()
    assert contract.warranty == "24 months"
    assert minute.changes == [{"field": "warranty", "before": old, "after": "24 months"}]
    assert minute.changed_labels == ["warranty"]
    # in draft, a change needs no customer confirmation
    assert not ClauseChange.objects.exists()
    with pytest.raises(DomainError) as exc:
        services.negotiation_minute_record(
            actor=sales_rep, contract=contract, data={"held_on": timezone.localdate(), "summary": ""}
        )
    assert {"our_attendees", "customer_attendees", "summary"} <= set(exc.value.fields)


def test_r_con_5_minutes_through_the_api_and_the_desk(
    client_for, client, sales_rep, other_engineer, opportunity
):
    contract = _draw(sales_rep, opportunity)
    body = {
        "contract": contract.pk,
        "held_on": str(timezone.localdate()),
        "our_attendees": "Li",
        "customer_attendees": "Wang",
        "summary": "Price agreed.",
        "terms": {"payment_terms": "50/50"},
    }
    response = client_for(sales_rep).post(reverse("negotiation-minute-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["changes"][0]["after"] == "50/50"
    bad = client_for(sales_rep).post(
        reverse("negotiation-minute-list"), {**body, "terms": {"status": "signed"}}, format="json"
    )
    assert bad.status_code == 400
    assert (
        client_for(other_engineer).post(reverse("negotiation-minute-list"), body, format="json").status_code
        == 400
    )
    assert client_for(other_engineer).get(reverse("negotiation-minute-list")).json()["results"] == []
    client.force_login(sales_rep)
    url = reverse("bids:contract-minute", args=[contract.pk])
    assert client.get(url).status_code == 200
    contract.refresh_from_db()
    response = client.post(
        url,
        {
            "held_on": str(timezone.localdate()),
            "our_attendees": "Li",
            "customer_attendees": "Wang",
            "summary": "Second round.",
            "version": contract.version,
            **{f"term_{n}": getattr(contract, n) or "" for n in services.NEGOTIATED_FIELDS},
            "term_warranty": "36 months",
        },
    )
    assert response.status_code == 302, response.content
    minute = NegotiationMinute.objects.latest("id")
    assert [c["field"] for c in minute.changes] == ["warranty"]
    assert "Second round." in client.get(opportunity.get_absolute_url()).content.decode()


# --- R-CON-5, R-REV-5: a change during approval is confirmed with the customer ---------------


def test_r_con_5_change_after_rejection_blocks_resubmission_until_confirmed(
    sales_rep, opportunity, approvers
):
    contract = _rejected(sales_rep, opportunity, approvers)
    before = contract.warranty
    services.contract_update(actor=sales_rep, contract=contract, data={"warranty": "6 months"})
    change = ClauseChange.objects.get()
    assert (change.field, change.before, change.after, change.status_at_change) == (
        "warranty",
        before,
        "6 months",
        ContractStatus.REJECTED,
    )
    # a second change of the same term updates the one waiting
    services.contract_update(actor=sales_rep, contract=contract, data={"warranty": "9 months"})
    assert ClauseChange.objects.get().after == "9 months"
    with pytest.raises(GateRefused) as exc:
        services.contract_submit(actor=sales_rep, contract=contract)
    assert "R-CON-5" in " ".join(exc.value.reasons)
    with pytest.raises(DomainError) as exc:
        services.clause_change_confirm(
            actor=sales_rep, change=change, customer_confirmed_by=" ", customer_confirmed_on=None
        )
    assert set(exc.value.fields) == {"customer_confirmed_by", "customer_confirmed_on"}
    change = _confirm(change, sales_rep)
    assert (change.customer_confirmed_by, change.confirmed_by) == ("王經理", sales_rep)
    with pytest.raises(DomainError):
        _confirm(change, sales_rep)
    # R-REV-5: the resubmission is a new review
    first = Review.objects.get(kind="contract", object_id=contract.pk)
    services.contract_submit(actor=sales_rep, contract=contract)
    reviews = Review.objects.filter(kind="contract", object_id=contract.pk).order_by("id")
    assert reviews.count() == 2 and reviews.last().pk != first.pk and reviews.last().status == "in_progress"


def test_r_con_5_change_in_review_waits_for_confirmation_and_a_revert_drops_it(
    sales_rep, opportunity, approvers
):
    contract = services.contract_submit(actor=sales_rep, contract=_draw(sales_rep, opportunity))
    before = contract.liability
    services.contract_update(actor=sales_rep, contract=contract, data={"liability": "Capped at 1%."})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT  # R-REV-5: the review was withdrawn
    assert ClauseChange.objects.pending().count() == 1
    services.contract_update(actor=sales_rep, contract=contract, data={"liability": before})
    assert not ClauseChange.objects.exists()
    services.contract_submit(actor=sales_rep, contract=contract)


def test_r_con_5_pending_change_refused_through_the_api_and_the_desk(
    client_for, client, sales_rep, other_engineer, opportunity, approvers
):
    contract = _rejected(sales_rep, opportunity, approvers)
    response = client_for(sales_rep).patch(
        reverse("contract-detail", args=[contract.pk]), {"warranty": "6 months"}, format="json"
    )
    assert response.status_code == 200
    submit = client_for(sales_rep).post(reverse("contract-submit", args=[contract.pk]))
    assert submit.status_code == 409 and "R-CON-5" in str(submit.json())
    client.force_login(sales_rep)
    client.post(reverse("bids:contract-action", args=[opportunity.pk, "submit"]))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REJECTED
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="clause-change-confirm"' in desk
    change = ClauseChange.objects.get()
    url = reverse("clause-change-confirm", args=[change.pk])
    data = {"customer_confirmed_by": "Wang", "customer_confirmed_on": str(timezone.localdate())}
    assert client_for(other_engineer).post(url, data, format="json").status_code == 404
    assert (
        client_for(sales_rep).post(url, {"customer_confirmed_by": "Wang"}, format="json").status_code == 400
    )
    # the web confirmation
    web = client.post(reverse("bids:clause-change-confirm", args=[change.pk]), data)
    assert web.status_code == 302
    change.refresh_from_db()
    assert change.confirmed_at is not None and change.customer_confirmed_by == "Wang"
    assert client_for(sales_rep).post(url, data, format="json").status_code == 400
    submit = client_for(sales_rep).post(reverse("contract-submit", args=[contract.pk]))
    assert submit.status_code == 200 and submit.json()["status"] == "in_review"


# --- R-CON-2, R-REV-5: deleting a line -------------------------------------------------------


def test_r_con_2_deleting_a_quote_line_needs_its_reason_and_recomputes(sales_rep, opportunity, approvers):
    contract = _draw(sales_rep, opportunity, prices=(Decimal("1000.00"), Decimal("250.00")))
    line = contract.lines.get(unit_price=Decimal("250.00"))
    with pytest.raises(DomainError) as exc:
        services.contract_line_delete(actor=sales_rep, line=line)
    assert "explanation" in exc.value.fields
    contract = services.contract_line_delete(
        actor=sales_rep, line=line, explanation="Customer buys it elsewhere."
    )
    assert contract.amount == Decimal("1000.00")
    (difference,) = selectors.differences(contract)
    assert difference.line is None and difference.explained
    assert selectors.unexplained(contract) == []
    services.contract_submit(actor=sales_rep, contract=contract)
    # an added line needs no reason to be deleted
    added = ContractLine.objects.create(
        contract=contract,
        item="Extra",
        quantity=1,
        unit_price=Decimal("10"),
        price_excl=Decimal("10"),
        tax=Decimal("0"),
        price_incl=Decimal("10"),
    )
    services.contract_line_delete(actor=sales_rep, line=added)
    assert not ContractLine.objects.filter(pk=added.pk).exists()


def test_r_rev_5_deleting_a_line_of_an_approved_contract_sends_it_back_to_draft(
    sales_rep, opportunity, approvers
):
    contract = _draw(sales_rep, opportunity, prices=(Decimal("1000.00"), Decimal("250.00")))
    contract = _approve(services.contract_submit(actor=sales_rep, contract=contract), approvers)
    assert contract.status == ContractStatus.APPROVED
    line = contract.lines.get(unit_price=Decimal("250.00"))
    contract = services.contract_line_delete(actor=sales_rep, line=line, explanation="Dropped")
    assert contract.status == ContractStatus.DRAFT and contract.decided_at is None


def test_r_con_2_a_signed_contract_line_is_not_deleted(sales_rep, opportunity, approvers, client_for, client):
    contract = _draw(sales_rep, opportunity, prices=(Decimal("1000.00"), Decimal("250.00")))
    contract = _approve(services.contract_submit(actor=sales_rep, contract=contract), approvers)
    services.contract_sign(actor=sales_rep, contract=contract, data=sign_data())
    line = contract.lines.first()
    with pytest.raises(DomainError):
        services.contract_line_delete(actor=sales_rep, line=line, explanation="x")
    response = client_for(sales_rep).delete(
        reverse("contract-line-detail", args=[line.pk]) + "?explanation=x"
    )
    assert response.status_code == 400 and response.json()["code"] == "not_editable"
    client.force_login(sales_rep)
    client.post(
        reverse("bids:contract-line-delete", args=[line.pk]), {"explanation": "x", "version": line.version}
    )
    assert ContractLine.objects.filter(pk=line.pk).exists()
    assert (
        'data-testid="contract-line-delete"'
        not in client.get(opportunity.get_absolute_url()).content.decode()
    )


def test_r_con_2_line_delete_through_the_api(client_for, sales_rep, other_engineer, opportunity, approvers):
    contract = _draw(sales_rep, opportunity, prices=(Decimal("1000.00"), Decimal("250.00")))
    contract = _approve(services.contract_submit(actor=sales_rep, contract=contract), approvers)
    line = contract.lines.get(unit_price=Decimal("250.00"))
    url = reverse("contract-line-detail", args=[line.pk])
    assert client_for(other_engineer).delete(url + "?explanation=x").status_code == 404
    refused = client_for(sales_rep).delete(url)
    assert refused.status_code == 400 and "explanation" in refused.json()["fields"]
    stale = client_for(sales_rep).delete(url + "?explanation=x", HTTP_IF_MATCH=f'W/"{line.version + 5}"')
    assert stale.status_code == 409
    assert client_for(sales_rep).delete(url, {"explanation": "Dropped"}, format="json").status_code == 204
    contract.refresh_from_db()
    assert (contract.amount, contract.status) == (Decimal("1000.00"), ContractStatus.DRAFT)


def test_r_con_2_desk_adds_edits_and_deletes_lines(client, sales_rep, other_engineer, opportunity, approvers):
    contract = _draw(sales_rep, opportunity, prices=(Decimal("1000.00"),))
    contract = _approve(services.contract_submit(actor=sales_rep, contract=contract), approvers)
    client.force_login(sales_rep)
    line_data = {
        "item": "Training",
        "quantity": "2",
        "unit": "day",
        "unit_price": "300",
        "tax_rate": "0",
        "explanation": "Asked in negotiation",
    }
    assert client.post(reverse("bids:contract-line-add", args=[contract.pk]), line_data).status_code == 302
    contract.refresh_from_db()
    assert (contract.amount, contract.status) == (Decimal("1600.00"), ContractStatus.DRAFT)
    added = contract.lines.get(item="Training")
    edit = reverse("bids:contract-line-edit", args=[added.pk])
    assert client.get(edit).status_code == 200
    # a stale edit is refused and shows the current values
    stale = client.post(edit, {**line_data, "quantity": "3", "version": added.version - 1 or 99})
    assert stale.status_code == 200
    response = client.post(edit, {**line_data, "quantity": "3", "version": added.version})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.amount == Decimal("1900.00")
    added.refresh_from_db()
    delete = reverse("bids:contract-line-delete", args=[added.pk])
    assert client.post(delete, {"version": added.version}).status_code == 302
    contract.refresh_from_db()
    assert contract.amount == Decimal("1000.00")
    quote_line = contract.lines.get()
    refused = client.post(
        reverse("bids:contract-line-delete", args=[quote_line.pk]), {"version": quote_line.version}
    )
    assert refused.status_code == 200 and ContractLine.objects.filter(pk=quote_line.pk).exists()
    client.force_login(other_engineer)
    assert client.get(reverse("bids:contract-line-edit", args=[quote_line.pk])).status_code == 404


# --- R-CON-1: the terms edited on the desk ---------------------------------------------------


def test_r_con_1_desk_edits_the_terms_and_an_approved_contract_returns_to_draft(
    client, sales_rep, opportunity, approvers
):
    contract = _draw(sales_rep, opportunity)
    contract = _approve(services.contract_submit(actor=sales_rep, contract=contract), approvers)
    client.force_login(sales_rep)
    url = reverse("bids:contract-terms", args=[contract.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="version"' in page.content.decode()
    data = {n: getattr(contract, n) or "" for n in services.TERM_FIELDS}
    response = client.post(url, {**data, "delivery_place": "Shanghai", "version": contract.version})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.delivery_place, contract.status) == ("Shanghai", ContractStatus.DRAFT)
    stale = client.post(url, {**data, "delivery_place": "Beijing", "version": contract.version - 1})
    assert stale.status_code == 200
    contract.refresh_from_db()
    assert contract.delivery_place == "Shanghai"


# --- R-CON-3, R-CON-4: the people waiting are told --------------------------------------------


def test_r_con_3_signing_and_archiving_notify_the_owners_and_legal(
    sales_rep, engineer, opportunity, approvers, django_capture_on_commit_callbacks
):
    contract = _draw(sales_rep, opportunity)
    contract = _approve(services.contract_submit(actor=sales_rep, contract=contract), approvers)
    services.contract_sign(actor=engineer, contract=contract, data=sign_data())
    signed = Notification.objects.filter(kind="contract_progress", key__contains=":signed:")
    # the actor is not told of their own act
    assert set(signed.values_list("recipient_id", flat=True)) == {sales_rep.pk, approvers["legal"].pk}
    assert Delivery.objects.filter(notification__in=signed, channel="email").exists()
    services.contract_record_scan(
        actor=sales_rep,
        contract=contract,
        scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4"),
        archive_location="Cabinet A-3",
    )
    archived = Notification.objects.filter(kind="contract_progress", key__contains=":archived:")
    assert set(archived.values_list("recipient_id", flat=True)) == {engineer.pk, approvers["legal"].pk}
    # the general manager decided nothing on a contract under the threshold, and is not legal
    assert not Notification.objects.filter(
        kind="contract_progress", recipient=approvers["general_manager"]
    ).exists()


# --- permissions and bypasses ----------------------------------------------------------------


def test_r_con_5_other_team_cannot_edit_minute_or_confirm(
    sales_rep, other_engineer, opportunity, approvers, client
):
    contract = _rejected(sales_rep, opportunity, approvers)
    services.contract_update(actor=sales_rep, contract=contract, data={"warranty": "6 months"})
    change = ClauseChange.objects.get()
    with pytest.raises(NotAllowed):
        _confirm(change, other_engineer)
    with pytest.raises(NotAllowed):
        services.contract_line_delete(actor=other_engineer, line=contract.lines.first(), explanation="x")
    with pytest.raises(NotAllowed):
        services.negotiation_minute_record(
            actor=other_engineer,
            contract=contract,
            data={
                "held_on": timezone.localdate(),
                "our_attendees": "a",
                "customer_attendees": "b",
                "summary": "c",
            },
        )
    client.force_login(other_engineer)
    for url in (
        reverse("bids:contract-terms", args=[contract.pk]),
        reverse("bids:contract-minute", args=[contract.pk]),
        reverse("bids:clause-change-confirm", args=[change.pk]),
    ):
        assert client.get(url).status_code == 404


def test_r_con_5_admin_publishes_templates_and_cannot_change_minutes_or_confirmations(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    for model in (NegotiationMinute, ClauseChange):
        model_admin = site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
    template_admin = site._registry[ClauseTemplate]
    assert not template_admin.has_change_permission(request) and not template_admin.has_delete_permission(
        request
    )
    obj = ClauseTemplate(key="warranty", language="en", text="Eighteen months.")
    template_admin.save_model(request, obj, None, False)
    assert obj.pk == ClauseTemplate.objects.get(key="warranty", language="en", active=True).pk
    assert ClauseTemplate.objects.get(pk=obj.pk).version == 2
    assert ContentType.objects.get_for_model(ClauseTemplate)


def test_r_rev_5_deleting_a_quote_line_in_review_withdraws_it_and_keeps_the_reason(
    sales_rep, opportunity, approvers
):
    contract = _draw(sales_rep, opportunity, prices=(Decimal("1000.00"), Decimal("250.00")))
    contract = services.contract_submit(actor=sales_rep, contract=contract)
    line = contract.lines.get(unit_price=Decimal("250.00"))
    contract = services.contract_line_delete(actor=sales_rep, line=line, explanation="Not needed")
    assert contract.status == ContractStatus.DRAFT
    assert Review.objects.get(kind="contract", object_id=contract.pk).status == "cancelled"
    contract.refresh_from_db()
    assert list(contract.removed_quote_lines.values()) == ["Not needed"]
    assert selectors.unexplained(contract) == []


def test_r_rev_4_demo_leaves_a_contract_waiting_for_the_general_manager(sales_rep, opportunity, approvers):
    from demo.contracts import await_general_manager

    version = accepted_version(opportunity, prices=(Decimal("20000.00"),))
    await_general_manager(opportunity, sales_rep, version)
    contract = Contract.objects.get(opportunity=opportunity)
    assert contract.status == ContractStatus.IN_REVIEW
    review = Review.objects.get(kind="contract", object_id=contract.pk, status="in_progress")
    pending = review.tasks.filter(state="pending")
    assert list(pending.values_list("approver", flat=True)) == [approvers["general_manager"].pk]
    assert [d.field for d in selectors.deviations(contract)] == ["warranty"]
    assert contract.minutes.count() == 1
    await_general_manager(opportunity, sales_rep, version)  # once only
    assert Review.objects.filter(kind="contract", object_id=contract.pk).count() == 1

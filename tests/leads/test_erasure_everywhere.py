"""R-CUST-8 (個人信息保護法): a contact's erasure removes the person's name, phone and e-mail
from every table of every app (rows and their history rows) and from every generated file,
and keeps only the tombstone with its counts.

The world below copies the person's details where people really do: the opportunity's
description, a communication, a visit plan, a collaboration request and meeting minutes (one
tied to no opportunity), the risk register, the contract's signatory, its negotiation
minutes, the handoff package frozen at signing (it lists the customer's contacts), a survey
sent to the person, a retrospective, competitor intelligence, a knowledge article, the
customer's acceptance and the requirement's confirmation, a bell notification, a generated
PDF on the storage and what was sent to whom. Then every text and JSON column of every
model of the project is scanned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from bids.handoff.package import build_package
from bids.models import Contract, Handoff, NegotiationMinute
from collaboration import services as collaboration_services
from knowledge.models import Article
from kpi.models import Retrospective, Survey, SurveyAnswer
from leads import services
from leads.choices import Channel, ContactSource
from leads.erasure import contact_erase
from leads.models import CommunicationRecord, ContactErasure, VisitPlan
from opportunities.choices import Stage
from opportunities.competitors.models import Competitor, CompetitorIntel
from presales.core.errors import Conflict
from presales.core.roles import Role
from presales.documents import services as document_services
from presales.documents.models import Document, DocumentDelivery, DocumentState
from proposals.models import Acceptance, Requirement
from proposals.solutions import services as solutions
from reviews.models import Review
from tests.bids.contracts.factories import signed_contract
from tests.bids.risks.factories import risk
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    CustomerPresalesFactory,
    NotificationFactory,
    OpportunityFactory,
    ReviewChainFactory,
    ReviewChainStepFactory,
)
from tests.kpi.surveys.factories import _template
from tests.presales.documents.conftest import pdf_text, rendered
from tests.proposals.solutions.conftest import LINE, review_of
from tests.proposals.solutions.factories import RequirementFactory

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "Zhang Wei", "13912345678", "zhang.wei@customer.example"
DETAILS = f"{NAME} ({PHONE}, {EMAIL})"


@pytest.fixture
def admin(make_user, team):
    return make_user(Role.ADMIN, team=team, username="admin")


@pytest.fixture
def customer(engineer, team):
    customer = CustomerFactory(team=team)
    CustomerPresalesFactory(customer=customer, user=engineer, is_primary=True)
    return customer


@pytest.fixture
def contact(engineer, customer):
    return services.contact_create(
        actor=engineer,
        customer=customer,
        data={"name": NAME, "phone": PHONE, "email": EMAIL, "title": "CIO", "source": ContactSource.REFERRAL},
    )


@pytest.fixture
def opportunity(customer, team, engineer, sales_rep, contact):
    return OpportunityFactory(
        customer=customer,
        team=team,
        presales_owner=engineer,
        sales_owner=sales_rep,
        stage="contract",
        description=f"Champion: {DETAILS}",
    )


def plant(obj, **values):
    """Write the values with a save, so that a history row keeps them too."""
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def build_world(*, admin, engineer, customer, contact, opportunity):
    now = timezone.now()
    services.communication_create(
        actor=engineer,
        customer=customer,
        data={
            "channel": Channel.PHONE,
            "key_points": f"{DETAILS} asked for a quote.",
            "participant_contacts": [contact],
        },
    )
    VisitPlan.objects.create(customer=customer, planned_at=now, purpose=f"Meet {DETAILS}", planner=engineer)
    # collaboration: a request about the opportunity, minutes with and without it
    collaboration_services.request_submit(
        actor=engineer,
        data={
            "item": "Interface question",
            "description": f"Ask {DETAILS} about the PLC.",
            "target_department": "rd",
            "opportunity": opportunity,
            "due_at": now + timedelta(days=3),
        },
    )
    for linked in (opportunity, None):
        collaboration_services.minute_create(
            actor=engineer,
            data={
                "title": "Kick-off",
                "held_at": now,
                "opportunity": linked,
                "external_attendees": DETAILS,
                "decisions": f"{NAME} signs off the plan.",
            },
        )
    # bids: the risk register, the signed contract, its minutes, the handoff package
    risk(engineer, opportunity, description=f"{NAME} may leave the customer; call {PHONE}.")
    contract = plant(signed_contract(opportunity), customer_signatory_name=NAME)
    NegotiationMinute.objects.create(
        contract=contract,
        held_on=timezone.localdate(),
        our_attendees="Li",
        customer_attendees=DETAILS,
        summary=f"{NAME} agreed.",
        created_by=admin,
    )
    handoff = Handoff.objects.create(
        contract=contract, opportunity=opportunity, package=build_package(contract), informed_contact=contact
    )
    assert EMAIL in str(handoff.package)  # the package lists the customer's contacts
    plant(handoff, informed_contact_name=NAME)
    plant(Acceptance.objects.get(opportunity=opportunity), contact_name=NAME)
    # the contract's review as submitted names the signatory; its stored form (a PDF) too
    review = Review.objects.create(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id=contract.pk,
        kind="contract",
        chain=ReviewChainFactory(kind="contract"),
        author=engineer,
        started_by=engineer,
        subject_summary=contract.title,
        content_snapshot={"items": [{"label": "Signatory", "text": DETAILS}]},
    )
    storage = Document._meta.get_field("file").storage
    Document.objects.create(
        doc_type="review_form",
        content_type=ContentType.objects.get_for_model(Review),
        object_id=review.pk,
        variant="standard",
        language="en",
        fingerprint="as submitted",
        state=DocumentState.DONE,
        requested_by=engineer,
        file=storage.save("documents/review-form.pdf", ContentFile(f"%PDF {DETAILS}".encode())),
    )
    # kpi: a survey sent to the person, a retrospective
    survey = Survey.objects.create(
        template=_template(),
        purpose="presales_service",
        opportunity=opportunity,
        contact=contact,
        rated_user=engineer,
        nonce="n1",
        sent_at=now,
        comment=f"Entered from a call with {DETAILS}",
    )
    SurveyAnswer.objects.create(
        survey=survey,
        code="comment",
        measure="satisfaction",
        text=f"{NAME} is happy",
        rated_user=engineer,
        answered_at=now,
    )
    Retrospective.objects.create(
        opportunity=opportunity,
        outcome="won",
        closed_at=now,
        due_on=timezone.localdate(),
        other_attendees=NAME,
        lessons=f"Keep {NAME} close ({EMAIL}).",
    )
    # competitor intelligence, a knowledge article
    rival = Competitor.objects.create(name="Rival Ltd", created_by=engineer)
    CompetitorIntel.objects.create(
        competitor=rival,
        text=f"Rival's price was told by {NAME}.",
        source=f"{NAME}, {PHONE}",
        observed_on=timezone.localdate(),
        recorded_by=engineer,
        opportunity=opportunity,
    )
    Article.objects.create(
        kind="case",
        title="Energy case",
        body=f"Thanks to {DETAILS}.",
        owner=engineer,
        opportunity=opportunity,
    )
    # a bell notification
    NotificationFactory(recipient=engineer, title=f"Call {NAME} back", body=f"{PHONE} / {EMAIL.upper()}")
    # a requirement confirmed by the person, and its confirmation list as a PDF, sent to them
    RequirementFactory(opportunity=opportunity, created_by=engineer, description="Energy -30%")
    Requirement.objects.filter(opportunity=opportunity).update(
        confirmation_status="confirmed", confirmation_method="email", confirmed_by_name=NAME, confirmed_at=now
    )
    document = rendered(
        document_services.document_request(
            actor=engineer, doc_type="needs_confirmation", object_id=opportunity.pk, language="en"
        )
    )
    assert document.state == DocumentState.DONE and NAME in pdf_text(document)
    document_services.document_record_sent(
        actor=engineer, document_id=document.pk, recipient=f"{NAME} <{EMAIL}>", channel="email"
    )
    return document


# Where the world above put the person (rows and history rows).
PLANTED = {
    "bids.Contract",
    "bids.HistoricalContract",
    "bids.Handoff",
    "bids.HistoricalHandoff",
    "bids.NegotiationMinute",
    "bids.Risk",
    "bids.HistoricalRisk",
    "collaboration.CollaborationRequest",
    "collaboration.HistoricalCollaborationRequest",
    "collaboration.MeetingMinute",
    "collaboration.HistoricalMeetingMinute",
    "knowledge.Article",
    "knowledge.HistoricalArticle",
    "kpi.Retrospective",
    "kpi.HistoricalRetrospective",
    "kpi.Survey",
    "kpi.HistoricalSurvey",
    "kpi.SurveyAnswer",
    "leads.CommunicationRecord",
    "leads.HistoricalCommunicationRecord",
    "leads.Contact",
    "leads.HistoricalContact",
    "leads.VisitPlan",
    "opportunities.CompetitorIntel",
    "opportunities.Opportunity",
    "opportunities.HistoricalOpportunity",
    "presales.DocumentDelivery",
    "presales.Notification",
    "proposals.Acceptance",
    "proposals.Requirement",
    "reviews.Review",
}


def text_columns(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField)) and not f.primary_key
    ]


def rows_naming(needle: str) -> set[tuple[str, int]]:
    """Every row of every model of the project (history models included) with ``needle`` in
    a text or JSON column (the e-mail in any case)."""
    lookup = "icontains" if "@" in needle else "contains"
    found = set()
    for model in apps.get_models():
        columns = text_columns(model)
        if not columns or not model._meta.managed:
            continue
        casts = {
            f"_t_{f.name}": Cast(f.name, models.TextField())
            for f in columns
            if isinstance(f, models.JSONField)
        }
        q = Q(pk__in=[])
        for f in columns:
            column = f"_t_{f.name}" if f"_t_{f.name}" in casts else f.name
            q |= Q(**{f"{column}__{lookup}": needle})
        for pk in model._default_manager.annotate(**casts).filter(q).values_list("pk", flat=True):
            found.add((model._meta.label, pk))
    return found


def test_erasure_leaves_the_person_in_no_table_and_no_file_r_cust_8(
    client,
    client_for,
    admin,
    engineer,
    customer,
    contact,
    opportunity,
    django_capture_on_commit_callbacks,
    team,
):
    # given the person's details copied everywhere, and a stored PDF that prints the name
    document = build_world(
        admin=admin, engineer=engineer, customer=customer, contact=contact, opportunity=opportunity
    )
    storage, stored = document.file.storage, document.file.name
    assert storage.exists(stored)
    # and another customer's contact of the same name (another person), whose phone is the
    # same as the person's in a note
    other = CustomerFactory(team=team)
    namesake = ContactFactory(customer=other, name=NAME, phone="")
    other_record = CommunicationFactory(
        customer=other, author=engineer, key_points=f"{NAME} of the other company; once called from {PHONE}."
    )
    assert rows_naming(PHONE) and rows_naming(EMAIL)
    planted = {label for label, _pk in rows_naming(NAME) | rows_naming(PHONE) | rows_naming(EMAIL)}
    assert planted >= PLANTED, PLANTED - planted
    # when an admin erases the contact on request
    with django_capture_on_commit_callbacks(execute=True):
        tombstone = contact_erase(
            contact=contact, actor=admin, reason="Data subject request", request_reference="PIPL-9"
        )
    # then neither the phone nor the e-mail is in any row of any table, history included
    assert rows_naming(PHONE) == set()
    assert rows_naming(EMAIL) == set()
    # and the name is only with the other customer's person (the namesake and their record)
    allowed = {
        ("leads.Contact", namesake.pk),
        ("leads.CommunicationRecord", other_record.pk),
    }
    left = {
        (label, pk) for label, pk in rows_naming(NAME) if not label.split(".")[1].startswith("Historical")
    }
    assert left == allowed
    history_left = {label for label, _pk in rows_naming(NAME) if label.split(".")[1].startswith("Historical")}
    assert history_left <= {"leads.HistoricalContact", "leads.HistoricalCommunicationRecord"}
    assert not CommunicationRecord.history.filter(customer=customer, key_points__contains=NAME).exists()
    assert "***" in CommunicationRecord.objects.get(pk=other_record.pk).key_points
    # and the knowledge base cannot find the person by searching either
    article = Article.objects.annotate(keys=Cast("search_vector", models.TextField())).get(
        opportunity=opportunity
    )
    assert "zhang" not in article.keys.lower() and "erased" in article.keys.lower()
    # and the stored PDF is gone: the file from the storage, the download refused on every route
    document.refresh_from_db()
    assert document.state == DocumentState.FAILED and not document.file and not storage.exists(stored)
    api = client_for(engineer)
    assert api.get(reverse("document-download", args=[document.pk])).status_code == 409
    client.force_login(engineer)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 302
    # and no file of the storage holds the details
    assert NAME.encode() not in b"".join(all_files(storage))
    # and the next request renders it again from the scrubbed data
    again = rendered(
        document_services.document_request(
            actor=engineer, doc_type="needs_confirmation", object_id=opportunity.pk, language="en"
        )
    )
    assert again.pk != document.pk and again.state == DocumentState.DONE
    text = pdf_text(again)
    assert NAME not in text and "Erased" in text and f"#{contact.pk}" in text  # the narrow column wraps it
    assert DocumentDelivery.objects.get(document=document).recipient == f"Erased contact #{contact.pk} <***>"
    # and the tombstone stays, with what each step scrubbed
    tombstone = ContactErasure.objects.get(pk=tombstone.pk)
    counts = tombstone.counts
    assert counts["documents"] == 2  # the confirmation list, and the review's form (its text was scrubbed)
    form = Document.objects.get(doc_type="review_form")
    assert form.state == DocumentState.FAILED and not storage.exists("documents/review-form.pdf")
    for key in (
        "collaboration",
        "bids",
        "kpi",
        "knowledge",
        "opportunities",
        "proposals",
        "core_text",
        "leads_text",
    ):
        assert counts[key] >= 1, key
    assert counts["collaboration"] >= 4  # the request, two minutes and their history rows
    assert (
        Contract.objects.get(opportunity=opportunity).customer_signatory_name
        == f"Erased contact #{contact.pk}"
    )
    # and a second erasure is refused on every route; a non-admin is refused before that
    with pytest.raises(Conflict):
        contact_erase(contact=contact, actor=admin, reason="again", request_reference="x")
    body = {"reason": "again", "request_reference": "x"}
    assert (
        client_for(admin).post(reverse("contact-erase", args=[contact.pk]), body, format="json").status_code
        == 409
    )
    assert (
        client_for(engineer)
        .post(reverse("contact-erase", args=[contact.pk]), body, format="json")
        .status_code
        == 403
    )
    assert client.post(reverse("leads:contact_erase", args=[contact.pk]), body).status_code == 403
    assert ContactErasure.objects.count() == 1


def all_files(storage, folder=""):
    folders, files = storage.listdir(folder)
    for name in files:
        with storage.open(f"{folder}/{name}" if folder else name) as handle:
            yield handle.read()
    for sub in folders:
        yield from all_files(storage, f"{folder}/{sub}" if folder else sub)


def test_every_document_type_of_a_customer_record_is_found_from_the_customer_r_cust_8():
    """R-CUST-8: the erasure finds the customer's documents through the foreign keys of each
    registered type's record; the review forms, whose record names its subject by a generic
    relation, through the subject's (next test); only the engineers' scorecards belong to no
    customer."""
    from presales.core.relations import path_to
    from presales.documents.registry import document_types

    unreached = {
        t.key for t in document_types() if path_to(apps.get_model(t.model), "leads.Customer") is None
    }
    assert unreached == {"review_form", "scorecard"}
    assert path_to(Contract, "leads.Customer") == ("opportunity__customer", False)
    assert path_to(apps.get_model("collaboration.MeetingMinute"), "leads.Customer") == (
        "opportunity__customer",
        True,
    )
    assert path_to(apps.get_model("presales.Notification"), "leads.Customer") is None


def _solution_review(opportunity, engineer):
    """The opportunity's solution, submitted for review; none of its texts names a person."""
    solution = solutions.solution_create(actor=engineer, opportunity=opportunity, title="Line energy plan")
    version = solution.versions.get()
    solutions.section_create(
        actor=engineer, version=version, kind="background", data={"body_html": "<p>Background</p>"}
    )
    solutions.line_create(actor=engineer, version=version, data=dict(LINE))
    solutions.version_submit(actor=engineer, version=version)
    return review_of(version)


def test_the_review_form_of_a_customer_s_solution_is_withdrawn_though_it_never_named_the_person_r_cust_8(
    admin, engineer, sales_rep, manager, team, customer, contact, django_capture_on_commit_callbacks
):
    """R-CUST-8: a review's form may print its subject's contacts (the subject as it was
    sent); a review names its subject by a generic relation (content type + id), and the
    erasure follows it to the customer: the customer's solution review form is withdrawn
    even when no text of the review named the person (so nothing was scrubbed in it)."""
    # given a solution review of the customer's opportunity and one of another customer's,
    # each form rendered
    chain = ReviewChainFactory(kind="solution_version")
    ReviewChainStepFactory(chain=chain, order=1, approver_role=Role.PRESALES_MANAGER)
    reviews = []
    for of in (customer, CustomerFactory(team=team)):
        opportunity = OpportunityFactory(
            customer=of, team=team, presales_owner=engineer, sales_owner=sales_rep, stage=Stage.SOLUTION
        )
        reviews.append(_solution_review(opportunity, engineer))
    mine = reviews[0]
    assert NAME not in mine.subject_summary + str(mine.content_snapshot)
    forms = [
        rendered(
            document_services.document_request(
                actor=engineer, doc_type="review_form", object_id=review.pk, language="en"
            )
        )
        for review in reviews
    ]
    assert {form.state for form in forms} == {DocumentState.DONE}
    assert NAME not in pdf_text(forms[0])
    storage = forms[0].file.storage
    stored = [form.file.name for form in forms]
    assert set(document_services.documents_of(customer)) == {forms[0]}
    # when the contact is erased
    with django_capture_on_commit_callbacks(execute=True):
        tombstone = contact_erase(
            contact=contact, actor=admin, reason="Data subject request", request_reference="PIPL-10"
        )
    # then the customer's review form is withdrawn (its file deleted), the other's kept
    mine_form, theirs_form = (Document.objects.get(pk=form.pk) for form in forms)
    assert mine_form.state == DocumentState.FAILED and not mine_form.file and not storage.exists(stored[0])
    assert theirs_form.state == DocumentState.DONE and storage.exists(stored[1])
    assert tombstone.counts["documents"] == 1
    # and the next request renders it anew
    again = document_services.document_request(
        actor=engineer, doc_type="review_form", object_id=mine.pk, language="en"
    )
    assert again.pk != mine_form.pk and again.state == DocumentState.QUEUED


def test_a_rendering_in_progress_when_withdrawn_keeps_no_file_r_cust_8(engineer, opportunity):
    """R-CUST-8: a document being rendered while the contact is erased may have read the old
    data: it is withdrawn, and the file it stores when it finishes is discarded."""
    document = document_services.document_request(
        actor=engineer, doc_type="needs_confirmation", object_id=opportunity.pk, language="en"
    )
    document_services._claim(document.pk)
    withdrawn = document_services.documents_withdraw(
        documents=Document.objects.filter(pk=document.pk), reason="erased"
    )
    assert withdrawn == 1
    storage = document.file.storage
    stored = storage.save("documents/late.pdf", ContentFile(f"%PDF {NAME}".encode()))
    finished = document_services._finish_done(document.pk, stored, size=10, pages=1)
    assert finished.state == DocumentState.FAILED and not finished.file and not storage.exists(stored)
    # and the next request is a new rendering, not the withdrawn row
    again = document_services.document_request(
        actor=engineer, doc_type="needs_confirmation", object_id=opportunity.pk, language="en"
    )
    assert again.pk != document.pk and again.state == DocumentState.QUEUED

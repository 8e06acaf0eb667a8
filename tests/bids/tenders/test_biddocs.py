"""The bid document's parts, versions and attachments (R-BID-1), sealing freezes them and the
seal gate (R-BID-2), the defence questions and answer library (R-BID-3), the result's winner
(R-BID-4), the tender's time zone and date reminders, the bid chain's check items (R-REV-3)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bids.biddocs import services as documents
from bids.models import Bid, BidPart, DefenceQuestion, Tender
from bids.tenders import services
from bids.tenders.choices import BidStatus, Decision, PartKind, PartStatus, QuestionStatus
from bids.tenders.timers import TENDER_CLARIFICATION, TENDER_DOCUMENTS_PURCHASE, TENDER_RESULT
from knowledge import services as knowledge
from knowledge.models import Article
from opportunities.services import opportunity_move
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.core.models import DownloadLog
from presales.sla.models import Notification, Timer
from proposals.models import SolutionVersion
from reviews.models import Review, ReviewChainStep, ReviewTask
from reviews.services import review_decide
from tests.bids.tenders.conftest import approve, fill_parts, future, tender_data
from tests.proposals.solutions.factories import QuoteLineFactory, SectionFactory, SolutionVersionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _bid(engineer, manager, opportunity, **tender):
    services.decision_save(actor=engineer, opportunity=opportunity, data={"analysis": "a", "strategy": "s"})
    services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)
    opportunity = opportunity_move(actor=engineer, opportunity=opportunity, move="start_bid")
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data(**tender))
    return services.bid_save(actor=engineer, opportunity=opportunity, data={"summary": "投標文件"})


def _approved(engineer, manager, legal, finance, opportunity):
    bid = _bid(engineer, manager, opportunity)
    fill_parts(engineer, bid)
    services.bid_submit(actor=engineer, bid=bid)
    review = Review.objects.get(kind="bid")
    for approver in (manager, legal, finance):
        approve(review, approver)
    bid.refresh_from_db()
    return bid


def _with_content(opportunity, factory, **fields):
    """A second version with content (written while a draft), then approved: the latest
    approved version is the one drafted from."""
    first = SolutionVersion.objects.get(solution__opportunity=opportunity)
    version = SolutionVersionFactory(solution=first.solution, number=2, author=first.author)
    factory(solution_version=version, **fields)
    SolutionVersion.objects.filter(pk=version.pk).update(status="approved", decided_at=timezone.now())
    return version


def _part(bid, kind):
    return BidPart.objects.get(bid=bid, kind=kind)


def _tender_timer(tender, kind):
    return (
        Timer.objects.filter(
            subject_type=ContentType.objects.get_for_model(Tender), subject_id=tender.pk, kind=kind
        )
        .order_by("-id")
        .first()
    )


# --- R-BID-1: parts, versions, drafting --------------------------------------------------


def test_r_bid_1_a_bid_has_three_empty_parts_and_cannot_be_submitted_empty(
    engineer, manager, opportunity, chains
):
    bid = _bid(engineer, manager, opportunity)
    assert sorted(BidPart.objects.filter(bid=bid).values_list("kind", flat=True)) == sorted(PartKind.values)
    with pytest.raises(GateRefused) as exc:
        services.bid_submit(actor=engineer, bid=bid)
    assert len(exc.value.reasons) == 3 and all("empty" in reason for reason in exc.value.reasons)
    assert Bid.objects.get(pk=bid.pk).status == BidStatus.DRAFT


def test_r_bid_1_technical_part_drafted_from_the_approved_solution_version(engineer, manager, opportunity):
    version = _with_content(
        opportunity, SectionFactory, kind="architecture", body_html="<p>三層架構 three tiers</p>"
    )
    bid = _bid(engineer, manager, opportunity)
    drafted = documents.part_draft(actor=engineer, part=_part(bid, PartKind.TECHNICAL))
    assert drafted.number == 1 and drafted.solution_version == version and drafted.source == "solution"
    assert "三層架構 three tiers" in drafted.content and "<h2>" in drafted.content
    again = documents.part_draft(actor=engineer, part=_part(bid, PartKind.TECHNICAL))
    assert again.number == 2 and _part(bid, PartKind.TECHNICAL).current == again


def test_r_bid_1_price_part_is_a_table_of_the_quote_without_cost(engineer, manager, opportunity):
    _with_content(opportunity, QuoteLineFactory, item="智能電錶", unit_cost="777.77", unit_price="1000.00")
    bid = _bid(engineer, manager, opportunity)
    drafted = documents.part_draft(actor=engineer, part=_part(bid, PartKind.PRICE))
    assert "<table>" in drafted.content and "智能電錶" in drafted.content
    assert "11,300.00" in drafted.content  # 10 × 1,000 + 13 % tax
    assert "777.77" not in drafted.content  # R-QUOTE-1: never the cost
    with pytest.raises(GateRefused):
        documents.part_draft(actor=engineer, part=_part(bid, PartKind.COMMERCIAL))


def test_r_bid_1_manual_edits_are_sanitised_new_versions(engineer, manager, opportunity):
    bid = _bid(engineer, manager, opportunity)
    part = _part(bid, PartKind.COMMERCIAL)
    first = documents.part_revise(actor=engineer, part=part, content="<p>資質</p><script>alert(1)</script>")
    second = documents.part_revise(
        actor=engineer, part=part, content="<p onclick='x()'>資質 v2</p>", note="v2"
    )
    assert (first.number, second.number) == (1, 2)
    assert "script" not in first.content and "onclick" not in second.content
    assert _part(bid, PartKind.COMMERCIAL).current == second
    with pytest.raises(DomainError):
        documents.part_revise(actor=engineer, part=part, content="<script>only</script>")


def test_r_bid_1_drafting_needs_an_approved_solution_version(engineer, manager, opportunity):
    bid = _bid(engineer, manager, opportunity)
    SolutionVersion.objects.filter(solution__opportunity=opportunity).update(status="rejected")
    with pytest.raises(GateRefused):
        documents.part_draft(actor=engineer, part=_part(bid, PartKind.TECHNICAL))


# --- R-BID-1: attachments ----------------------------------------------------------------


def test_r_bid_1_attachments_checked_by_content_and_downloaded_with_permission(
    client, engineer, other_engineer, manager, opportunity, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    bid = _bid(engineer, manager, opportunity)
    part = _part(bid, PartKind.COMMERCIAL)
    with pytest.raises(DomainError) as exc:
        documents.attachment_add(actor=engineer, part=part, file=SimpleUploadedFile("licence.pdf", EXE))
    assert "file" in exc.value.fields
    with pytest.raises(DomainError):
        documents.attachment_add(actor=engineer, part=part, file=SimpleUploadedFile("tool.exe", EXE))
    attachment = documents.attachment_add(
        actor=engineer, part=part, file=SimpleUploadedFile("營業執照.pdf", PDF)
    )
    assert attachment.name == "營業執照.pdf" and not attachment.file.name.endswith("營業執照.pdf")
    url = reverse("bids:bid-attachment", args=[attachment.pk])
    client.force_login(other_engineer)
    assert client.get(url).status_code == 404
    client.force_login(engineer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert DownloadLog.objects.filter(object_type="bids.bidattachment", object_id=attachment.pk).count() == 1


def test_r_bid_1_api_attachment_multipart_and_bypasses(
    client_for, engineer, other_engineer, manager, opportunity, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    bid = _bid(engineer, manager, opportunity)
    part = _part(bid, PartKind.TECHNICAL)
    url = reverse("bid-attachment-list")
    bad = client_for(engineer).post(url, {"part": part.pk, "file": io.BytesIO(EXE)}, format="multipart")
    assert bad.status_code == 400
    fake = SimpleUploadedFile("spec.pdf", EXE)
    assert (
        client_for(engineer).post(url, {"part": part.pk, "file": fake}, format="multipart").status_code == 400
    )
    other = client_for(other_engineer).post(
        url, {"part": part.pk, "file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart"
    )
    assert other.status_code == 400 and "part" in other.json()["fields"]  # not visible: "does not exist"
    good = client_for(engineer).post(
        url, {"part": part.pk, "file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart"
    )
    assert good.status_code == 201 and good.json()["download_url"].startswith("/")
    assert (
        client_for(other_engineer).get(reverse("bid-attachment-detail", args=[good.json()["id"]])).status_code
        == 404
    )


# --- R-BID-2: frozen after sealing, seal gate, concurrency -------------------------------


def test_r_bid_2_parts_frozen_after_sealing_service_api_and_web(
    client, client_for, engineer, manager, legal, finance, opportunity, chains
):
    bid = _approved(engineer, manager, legal, finance, opportunity)
    part = _part(bid, PartKind.COMMERCIAL)
    # approved but not sealed: already refused (what was reviewed is what is sealed)
    with pytest.raises(GateRefused):
        documents.part_revise(actor=engineer, part=part, content="<p>late change</p>")
    services.bid_seal(actor=engineer, bid=bid)
    assert set(BidPart.objects.filter(bid=bid).values_list("status", flat=True)) == {PartStatus.FROZEN}
    with pytest.raises(GateRefused) as exc:
        documents.part_revise(actor=engineer, part=part, content="<p>after sealing</p>")
    assert "The bid is sealed: its parts are frozen (R-BID-2)." in exc.value.reasons
    response = client_for(engineer).post(
        reverse("bid-part-revise", args=[part.pk]), {"content": "<p>x</p>"}, format="json"
    )
    assert response.status_code == 409 and response.json()["reasons"]
    assert client_for(engineer).post(reverse("bid-part-draft", args=[part.pk])).status_code == 409
    client.force_login(engineer)
    page = client.post(
        reverse("bids:part-action", args=[part.pk, "revise"]), {"content": "<p>web</p>"}, follow=True
    ).content.decode()
    assert "frozen" in page
    assert _part(bid, PartKind.COMMERCIAL).versions.count() == 1


def test_r_bid_2_seal_refused_after_the_deadline_with_reasons(
    engineer, manager, legal, finance, opportunity, chains
):
    bid = _approved(engineer, manager, legal, finance, opportunity)
    Tender.objects.filter(opportunity=opportunity).update(
        documents_purchase_at=None, questions_until=None, submission_deadline=future(-1)
    )
    with pytest.raises(GateRefused) as exc:
        services.bid_seal(actor=engineer, bid=bid)
    assert "The tender's submission deadline has passed." in exc.value.reasons
    assert set(BidPart.objects.filter(bid=bid).values_list("status", flat=True)) == {PartStatus.DRAFT}


def test_r_rev_3_bid_approval_needs_every_check_item(engineer, manager, legal, finance, opportunity, chains):
    bid = _bid(engineer, manager, opportunity)
    fill_parts(engineer, bid)
    services.bid_submit(actor=engineer, bid=bid)
    review = Review.objects.get(kind="bid")
    task = ReviewTask.objects.get(review=review, approver=manager)
    assert [code for code, _label in task.check_item_labels] == ["technical_part", "commercial_terms"]
    with pytest.raises(DomainError):
        review_decide(actor=manager, review=review, decision="approve")
    approve(review, manager)
    legal_task = ReviewTask.objects.get(review=review, approver=legal)
    assert "legal_compliance" in dict(legal_task.check_item_labels)
    finance_task = ReviewTask.objects.get(review=review, approver=finance)
    assert {"price_reasonableness", "bid_bond"} <= set(dict(finance_task.check_item_labels))


def test_r_rev_3_existing_bid_chains_get_their_check_items(chains):
    from reviews.defaults import upgrade_default_bid_chain

    steps = ReviewChainStep.objects.filter(chain__kind="bid")
    steps.update(check_items=[])
    assert upgrade_default_bid_chain() == 3
    assert all(step.check_items for step in steps)
    assert upgrade_default_bid_chain() == 0  # items an admin gave (or already there) stay


# --- R-BID-3: defence -------------------------------------------------------------------


def test_r_bid_3_questions_owner_told_library_copy_and_save(engineer, manager, sales_rep, opportunity):
    """R-BID-3, R-KB-1: the library is the knowledge base's reusable bid answers: a question
    copies one (and records it), and saves its prepared answer as a new one."""
    bid = _bid(engineer, manager, opportunity)
    question = documents.question_save(
        actor=engineer, bid=bid, data={"question": "如何保證交期？", "owner": sales_rep}
    )
    assert question.status == QuestionStatus.OPEN
    assert Notification.objects.filter(kind="defence_question", recipient=sales_rep).count() == 1
    library = knowledge.bid_answer_save(
        actor=manager,
        data={"product": "MES", "industry": "manufacturing", "question": "交期？", "answer": "分三期交付。"},
    )
    assert (library.kind, library.status, library.visibility) == ("bid_answer", "published", "company")
    question = documents.question_use_answer(actor=engineer, question=question, answer=library)
    assert (question.answer, question.status, question.from_library) == (
        "分三期交付。",
        QuestionStatus.READY,
        library,
    )
    saved = documents.question_save_to_library(
        actor=engineer, question=question, product="MES", industry="manufacturing"
    )
    assert saved.pk != library.pk and (saved.kind, saved.status) == ("bid_answer", "published")
    assert (saved.question, saved.answer, saved.owner) == ("如何保證交期？", "分三期交付。", engineer)
    assert saved.history.count() == 2  # written, then published: the knowledge base's versions
    with pytest.raises(NotAllowed):
        documents.question_save_to_library(actor=sales_rep, question=question)
    with pytest.raises(NotAllowed):
        knowledge.bid_answer_save(actor=sales_rep, data={"question": "q", "answer": "a"})
    with pytest.raises(DomainError):
        knowledge.bid_answer_save(actor=manager, data={"question": "q", "answer": "a", "industry": "mars"})


def test_r_bid_3_only_published_bid_answers_the_reader_sees_are_copied(
    engineer, manager, other_engineer, opportunity
):
    """R-BID-3: a draft, another kind of article or another team's team-only answer is not the
    library: copying it is refused and the question keeps its answer."""
    bid = _bid(engineer, manager, opportunity)
    question = documents.question_save(actor=engineer, bid=bid, data={"question": "保固？"})
    draft = knowledge.article_create(
        actor=manager, data={"kind": "bid_answer", "title": "保固？", "body": "草稿"}
    )
    product = knowledge.article_move(
        actor=manager,
        article=knowledge.article_create(actor=manager, data={"kind": "product", "title": "P", "body": "b"}),
        move="publish",
    )
    hidden = knowledge.bid_answer_save(actor=other_engineer, data={"question": "保固？", "answer": "西區"})
    hidden = knowledge.article_update(actor=other_engineer, article=hidden, data={"visibility": "team"})
    for article in (draft, product, hidden):
        with pytest.raises(DomainError) as refused:
            documents.question_use_answer(actor=engineer, question=question, answer=article)
        assert "answer" in refused.value.fields
    question.refresh_from_db()
    assert (question.answer, question.from_library) == ("", None)


def test_r_bid_3_save_to_library_can_update_the_answer_it_was_copied_from(engineer, manager, opportunity):
    """R-BID-3: "update the original" makes the prepared answer a new version of the library
    answer (its question kept), for whoever may edit that article; nothing else changes."""
    bid = _bid(engineer, manager, opportunity)
    library = knowledge.bid_answer_save(
        actor=manager, data={"question": "交期？", "answer": "三個月。", "product": "MES"}
    )
    question = documents.question_save(actor=engineer, bid=bid, data={"question": "交期多久？"})
    question = documents.question_use_answer(actor=engineer, question=question, answer=library)
    question = documents.question_save(
        actor=engineer, bid=bid, question=question, data={"answer": "兩個月，分兩期。"}
    )
    with pytest.raises(NotAllowed):  # the engineer does not own the manager's answer
        documents.question_save_to_library(actor=engineer, question=question, update_original=True)
    count = Article.objects.count()
    updated = documents.question_save_to_library(actor=manager, question=question, update_original=True)
    assert updated.pk == library.pk and Article.objects.count() == count
    assert (updated.question, updated.answer, updated.product) == ("交期？", "兩個月，分兩期。", "MES")
    assert updated.version == library.version + 1
    fresh = documents.question_save(actor=engineer, bid=bid, data={"question": "新問題", "answer": "新答案"})
    with pytest.raises(DomainError) as refused:
        documents.question_save_to_library(actor=manager, question=fresh, update_original=True)
    assert "update_original" in refused.value.fields


def test_r_bid_3_api_questions_and_library_permissions(
    client_for, engineer, other_engineer, sales_rep, manager, opportunity
):
    """R-BID-3: defence-answers/ is the knowledge base's bid answers under the library's
    field names; writes through the knowledge services (403 for sales, 400 naming fields)."""
    bid = _bid(engineer, manager, opportunity)
    created = client_for(engineer).post(
        reverse("defence-question-list"),
        {"bid": bid.pk, "question": "保固多久？", "status": "ready"},
        format="json",
    )
    assert created.status_code == 400 and "status" in created.json()["fields"]
    created = client_for(engineer).post(
        reverse("defence-question-list"), {"bid": bid.pk, "question": "保固多久？"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert client_for(other_engineer).get(reverse("defence-question-detail", args=[pk])).status_code == 404
    other = client_for(other_engineer).post(
        reverse("defence-question-list"), {"bid": bid.pk, "question": "x"}, format="json"
    )
    assert other.status_code == 400
    refused = client_for(sales_rep).post(
        reverse("defence-answer-list"), {"question": "q", "answer": "a"}, format="json"
    )
    assert refused.status_code == 403
    answer = client_for(manager).post(
        reverse("defence-answer-list"),
        {"question": "保固多久？", "answer": "三年。", "product": "智慧電錶", "industry": "manufacturing"},
        format="json",
    )
    assert answer.status_code == 201
    body = answer.json()
    assert {k: body[k] for k in ("question", "answer", "product", "industry", "owner")} == {
        "question": "保固多久？",
        "answer": "三年。",
        "product": "智慧電錶",
        "industry": "manufacturing",
        "owner": manager.pk,
    }
    article = Article.objects.get(pk=body["id"])
    assert (article.kind, article.status, article.title, article.body) == (
        "bid_answer",
        "published",
        "保固多久？",
        "三年。",
    )
    listed = client_for(other_engineer).get(
        reverse("defence-answer-list"), {"product": "電錶", "industry": "manufacturing"}
    )
    assert [a["id"] for a in listed.json()["results"]] == [body["id"]]
    searched = client_for(other_engineer).get(reverse("defence-answer-list"), {"q": "保固"})
    assert [a["id"] for a in searched.json()["results"]] == [body["id"]]
    bad = client_for(manager).post(
        reverse("defence-answer-list"),
        {"question": " ", "answer": "", "industry": "mars", "owner": engineer.pk},
        format="json",
    )
    assert bad.status_code == 400
    assert {"question", "answer", "industry", "owner"} <= set(bad.json()["fields"])
    detail = reverse("defence-answer-detail", args=[body["id"]])
    assert client_for(other_engineer).patch(detail, {"answer": "五年。"}, format="json").status_code == 403
    changed = client_for(manager).patch(
        detail, {"answer": "五年。", "owner": manager.pk, "version": body["version"]}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["version"] == body["version"] + 1
    stale = client_for(manager).patch(detail, {"answer": "六年。", "version": body["version"]}, format="json")
    assert stale.status_code == 409
    used = client_for(engineer).post(
        reverse("defence-question-use-answer", args=[pk]), {"answer": body["id"]}, format="json"
    )
    assert used.status_code == 200 and used.json()["status"] == "ready" and used.json()["answer"] == "五年。"
    assert used.json()["from_library"] == body["id"]
    assert DefenceQuestion.objects.get(pk=pk).answer == "五年。"
    product = knowledge.article_move(
        actor=manager,
        article=knowledge.article_create(actor=manager, data={"kind": "product", "title": "P", "body": "b"}),
        move="publish",
    )
    wrong = client_for(engineer).post(
        reverse("defence-question-use-answer", args=[pk]), {"answer": product.pk}, format="json"
    )
    assert wrong.status_code == 400 and "answer" in wrong.json()["fields"]
    saved = client_for(engineer).post(
        reverse("defence-question-save-to-library", args=[pk]), {"product": "電錶"}, format="json"
    )
    assert saved.status_code == 201 and saved.json()["question"] == "保固多久？"
    assert Article.objects.get(pk=saved.json()["id"]).kind == "bid_answer"


def test_r_bid_3_library_page_opens_the_knowledge_base_bid_answers(client, engineer, sales_rep):
    """R-BID-3, R-KB-1: one library: the former page opens the knowledge base filtered to the
    reusable bid answers, whose search finds a two-character Chinese query."""
    knowledge.bid_answer_save(
        actor=engineer,
        data={
            "question": "數據存放在哪裡？",
            "answer": "境內。",
            "product": "雲平台",
            "industry": "education",
        },
    )
    knowledge.bid_answer_save(
        actor=engineer,
        data={"question": "交期？", "answer": "三個月。", "product": "MES", "industry": "manufacturing"},
    )
    client.force_login(sales_rep)
    response = client.get(reverse("bids:defence-library"), {"q": "數據", "industry": "education"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("knowledge:search"))
    page = client.get(response["Location"]).content.decode()
    assert "境內" in page and "三個月" not in page


# --- R-BID-4: winner --------------------------------------------------------------------


def test_r_bid_4_lost_bid_keeps_winner_and_price_and_satisfies_the_result_timer(
    engineer, manager, legal, finance, opportunity, chains
):
    bid = _approved(engineer, manager, legal, finance, opportunity)
    services.bid_seal(actor=engineer, bid=bid)
    bid = services.bid_record_result(
        actor=engineer, bid=bid, won=False, winning_vendor="東方智控", winning_price="344400", reason="price"
    )
    assert (bid.winning_vendor, bid.winning_price) == ("東方智控", Decimal("344400"))
    tender = Tender.objects.get(opportunity=opportunity)
    assert _tender_timer(tender, TENDER_RESULT).state == "satisfied"
    with pytest.raises(Exception):  # noqa: B017 - the defence is over once the result is in
        documents.question_save(actor=engineer, bid=bid, data={"question": "late"})


# --- tender time zone and reminders -------------------------------------------------------


def test_r_bid_1_date_timers_start_restart_and_are_satisfied(engineer, opportunity):
    tender = services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    purchase = _tender_timer(tender, TENDER_DOCUMENTS_PURCHASE)
    clarification = _tender_timer(tender, TENDER_CLARIFICATION)
    assert purchase.state == clarification.state == "open"
    assert purchase.due_at == tender.documents_purchase_at and clarification.due_at == tender.questions_until
    assert _tender_timer(tender, TENDER_RESULT).state == "open"
    services.tender_save(actor=engineer, opportunity=opportunity, data={"questions_until": future(6)})
    assert _tender_timer(tender, TENDER_CLARIFICATION).due_at == future(6)
    assert Timer.objects.filter(kind=TENDER_CLARIFICATION, state="cancelled").count() == 1
    services.tender_save(
        actor=engineer, opportunity=opportunity, data={"documents_purchased_on": future(1).date()}
    )
    assert _tender_timer(tender, TENDER_DOCUMENTS_PURCHASE).state == "satisfied"
    services.tender_save(actor=engineer, opportunity=opportunity, data={"questions_until": None})
    assert _tender_timer(tender, TENDER_CLARIFICATION).state == "cancelled"
    with pytest.raises(DomainError) as exc:
        services.tender_save(
            actor=engineer, opportunity=opportunity, data={"questions_sent_on": future(1).date()}
        )
    assert "questions_sent_on" in exc.value.fields


def test_r_bid_1_time_zone_is_validated(engineer, opportunity):
    with pytest.raises(DomainError) as exc:
        services.tender_save(
            actor=engineer, opportunity=opportunity, data=tender_data(time_zone="Mars/Olympus")
        )
    assert "time_zone" in exc.value.fields


@pytest.mark.parametrize(("zone", "utc_hour"), [("Asia/Hong_Kong", 2), ("Europe/Berlin", 9)])
def test_r_bid_1_web_dates_are_read_and_shown_in_the_tenders_zone(
    client, engineer, opportunity, zone, utc_hour
):
    client.force_login(engineer)
    page = client.post(
        reverse("bids:tender-action", args=[opportunity.pk, "tender"]),
        {
            "issuer": "Hospital Authority",
            "number": "HA-1",
            "time_zone": zone,
            "submission_deadline": "2030-01-10T10:00",
            "opening_at": "2030-01-10T14:00",
        },
        follow=True,
    ).content.decode()
    tender = Tender.objects.get(opportunity=opportunity)
    # 10:00 in Hong Kong (UTC+8) is 02:00 UTC; 10:00 in Berlin in January (UTC+1) is 09:00 UTC.
    assert tender.submission_deadline == datetime(2030, 1, 10, utc_hour, 0, tzinfo=ZoneInfo("UTC"))
    assert f"2030-01-10 10:00 ({zone})" in page
    assert 'value="2030-01-10T10:00"' in page  # the form shows it back in the tender's zone


# --- the desk -----------------------------------------------------------------------------


def test_r_bid_3_desk_shows_parts_questions_owners_in_constant_queries(
    client, engineer, manager, sales_rep, opportunity
):
    bid = _bid(engineer, manager, opportunity)
    client.force_login(engineer)
    url = opportunity.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    documents.part_revise(actor=engineer, part=_part(bid, PartKind.COMMERCIAL), content="<p>v1</p>")
    documents.question_save(actor=engineer, bid=bid, data={"question": "Q1", "owner": sales_rep})
    few = count()
    for n in range(3):
        documents.part_revise(actor=engineer, part=_part(bid, PartKind.TECHNICAL), content=f"<p>t{n}</p>")
        documents.question_save(actor=engineer, bid=bid, data={"question": f"Q{n + 2}", "owner": manager})
    assert count() == few
    page = client.get(url).content.decode()
    assert page.count('data-testid="defence-question"') == 4
    assert 'data-testid="defence-unanswered"' in page and "4 unanswered" in page
    assert page.count('data-testid="bid-part"') == 3


def test_r_bid_1_r_bid_3_desk_forms_attach_add_question_and_refuse_other_teams(
    client, engineer, other_engineer, manager, sales_rep, opportunity, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    bid = _bid(engineer, manager, opportunity)
    part = _part(bid, PartKind.PRICE)
    client.force_login(other_engineer)
    attach = reverse("bids:part-action", args=[part.pk, "attach"])
    assert client.post(attach, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client.post(reverse("bids:defence-add", args=[bid.pk]), {"question": "x"}).status_code == 404
    client.force_login(engineer)
    page = client.post(attach, {"file": SimpleUploadedFile("a.pdf", EXE)}, follow=True).content.decode()
    assert "does not match" in page and not part.attachments.exists()
    client.post(attach, {"file": SimpleUploadedFile("報價單.pdf", PDF)})
    assert part.attachments.get().name == "報價單.pdf"
    client.post(reverse("bids:defence-add", args=[bid.pk]), {"question": "保固？", "owner": sales_rep.pk})
    question = DefenceQuestion.objects.get(bid=bid)
    assert question.owner == sales_rep and question.status == QuestionStatus.OPEN
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert "報價單.pdf" in page and "保固？" in page

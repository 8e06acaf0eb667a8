"""The bid document's parts (R-BID-1) and the defence preparation (R-BID-3): every write.

Lock order (opportunities/locks.py, then the bid): the opportunity, the bid, then the part or
the question. A part changes only while its bid is a draft or rejected (what the bid review
approved is what is sealed, R-REV-5); once the bid is sealed its parts are frozen (R-BID-2).
A change is a new version: the technical part is drafted from the approved solution
version's sections, the price part from that version's quote (a rendered table, customer
figures only: never cost or margin, R-QUOTE-1).

The defence answer library is the knowledge base's published reusable bid answers (R-KB-1):
a question copies one it may read, and saves its prepared answer to the library through
knowledge/services.py (versions, search keys, who writes)."""

from __future__ import annotations

import html
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bids.models import (
    Bid,
    BidAttachment,
    BidPart,
    BidPartVersion,
    DefenceQuestion,
)
from bids.tenders.choices import BidStatus, PartKind, PartStatus, QuestionStatus, VersionSource
from bids.tenders.services import SEALED_OR_AFTER, lock_bid
from knowledge import services as knowledge
from knowledge.choices import ArticleKind, ArticleStatus
from knowledge.models import Article
from opportunities.permissions import require_work
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.core.money import format_money
from presales.core.uploads import save_upload, validate_upload
from presales.core.writes import apply_fields, check_version, save_as, validate
from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind
from proposals.models import SolutionVersion
from proposals.solutions.html import sanitize, to_text
from proposals.solutions.money import line_amounts, totals

EDITABLE = (BidStatus.DRAFT, BidStatus.REJECTED)
ATTACHMENT_EXTENSIONS = frozenset({"pdf", "docx", "xlsx", "jpg", "jpeg", "png"})

DEFENCE_OWNER = register_notification_kind(
    NotificationKind("defence_question", gettext_lazy("Defence questions assigned to me"))
).kind


# --- parts ---------------------------------------------------------------------------------


def parts_ensure(bid: Bid) -> list[BidPart]:
    """The bid's three parts, created when missing (the bid's creation makes them)."""
    existing = {p.kind: p for p in BidPart.objects.filter(bid=bid)}
    for kind in PartKind.values:
        if kind not in existing:
            existing[kind] = BidPart.objects.create(bid=bid, kind=kind)
    return [existing[kind] for kind in PartKind.values]


def empty_part_reasons(bid: Bid) -> list[str]:
    """The bid submit gate (R-BID-1): each part has a non-empty current version."""
    parts = {p.kind: p for p in BidPart.objects.filter(bid=bid).select_related("current")}
    reasons = []
    for kind in PartKind:
        part = parts.get(kind.value)
        if part is None or part.is_empty:
            reasons.append(
                _("The %(part)s is empty: write or draft it first.") % {"part": kind.label.lower()}
            )
    return reasons


def parts_freeze(bid: Bid) -> int:
    """Called by ``bid_seal`` under the bid's lock: the sealed bid's parts are frozen."""
    return BidPart.objects.filter(bid=bid).update(status=PartStatus.FROZEN)


def frozen_reasons(bid: Bid) -> list[str]:
    """Why the bid's parts cannot change now (empty: they can)."""
    if bid.status in SEALED_OR_AFTER:
        return [_("The bid is sealed: its parts are frozen (R-BID-2).")]
    if bid.status not in EDITABLE:
        return [
            _("The bid is %(status)s: its parts change only while it is a draft or rejected.")
            % {"status": bid.get_status_display()}
        ]
    return []


def _lock_part(part: BidPart, actor: User) -> tuple[Bid, BidPart]:
    bid = lock_bid(Bid(pk=part.bid_id, opportunity_id=_opportunity_id(part.bid_id)))
    require_work(actor, bid.opportunity)
    locked = BidPart.objects.select_for_update().get(pk=part.pk)
    reasons = frozen_reasons(bid)
    if not bid.opportunity.is_open:
        reasons.append(_("The opportunity is closed."))
    if reasons:
        raise GateRefused(reasons=reasons)
    return bid, locked


def _opportunity_id(bid_id: int) -> int:
    return Bid.objects.values_list("opportunity_id", flat=True).get(pk=bid_id)


def _new_version(
    part: BidPart,
    *,
    actor: User,
    content: str,
    source: str,
    note: str = "",
    solution_version: SolutionVersion | None = None,
) -> BidPartVersion:
    clean = sanitize(content or "")
    number = (part.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = BidPartVersion(
        part=part,
        number=number,
        content=clean,
        text=to_text(clean),
        source=source,
        note=(note or "").strip()[:500],
        solution_version=solution_version,
        created_by=actor,
    )
    validate(version, exclude=["part", "created_by", "solution_version"])
    version.save()
    part.current = version
    part.save(update_fields=["current", "updated_at"])
    return version


@transaction.atomic
def part_revise(*, actor: User, part: BidPart, content: str, note: str = "") -> BidPartVersion:
    """A manual edit of a part: a new version (sanitised rich text) becomes the current one."""
    _bid, part = _lock_part(part, actor)
    if not to_text(sanitize(content or "")).strip():
        raise DomainError(fields={"content": [_("Write the part's text.")]})
    return _new_version(part, actor=actor, content=content, source=VersionSource.MANUAL, note=note)


def approved_version(opportunity_id: int) -> SolutionVersion | None:
    """The opportunity's latest approved solution version (R-SOL-5)."""
    return (
        SolutionVersion.objects.filter(solution__opportunity_id=opportunity_id)
        .approved()
        .order_by(F("decided_at").desc(nulls_last=True), "-id")
        .first()
    )


def _technical_html(version: SolutionVersion) -> str:
    blocks = []
    for section in version.sections.order_by("position", "id"):
        if not to_text(section.body_html).strip():
            continue
        blocks.append(f"<h2>{html.escape(str(section.get_kind_display()))}</h2>{section.body_html}")
    return "".join(blocks)


def _price_html(version: SolutionVersion) -> str:
    lines = list(version.quote_lines.order_by("position", "id"))
    if not lines:
        return ""
    currency = version.currency
    heads = [_("Item"), _("Specification"), _("Quantity"), _("Unit"), _("Unit price"), _("Tax rate (%)")]
    heads += [_("Amount without tax"), _("Amount with tax")]
    rows = []
    for line in lines:
        figures = line_amounts(line)
        cells = [
            line.item,
            line.specification,
            f"{line.quantity:f}",
            line.unit,
            format_money(line.unit_price, currency),
            f"{line.tax_rate:f}",
            format_money(figures.price_excl, currency),
            format_money(figures.price_incl, currency),
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    total = totals(lines)
    foot = (
        f'<tr><th colspan="6">{html.escape(_("Total"))}</th>'
        f"<td>{html.escape(format_money(total.price_excl, currency))}</td>"
        f"<td>{html.escape(format_money(total.price_incl, currency))}</td></tr>"
    )
    head = "<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in heads) + "</tr>"
    title = _("Quote of solution version %(number)s") % {"number": version.number}
    return (
        f"<h2>{html.escape(title)}</h2><table><thead>{head}</thead>"
        f"<tbody>{''.join(rows)}</tbody><tfoot>{foot}</tfoot></table>"
    )


@transaction.atomic
def part_draft(*, actor: User, part: BidPart) -> BidPartVersion:
    """Draft the technical part from the approved solution version's sections, or the price
    part from its quote, as a new version (each call a new snapshot)."""
    bid, part = _lock_part(part, actor)
    if part.kind == PartKind.COMMERCIAL:
        raise GateRefused(reasons=[_("The commercial part is written, not drafted.")])
    version = approved_version(bid.opportunity_id)
    if version is None:
        raise GateRefused(reasons=[_("The opportunity has no approved solution version to draft from.")])
    with translation.override(actor.language or settings.LANGUAGE_CODE):
        if part.kind == PartKind.TECHNICAL:
            content, source = _technical_html(version), VersionSource.SOLUTION
            empty = _("The approved solution version has no written section.")
        else:
            content, source = _price_html(version), VersionSource.QUOTE
            empty = _("The approved solution version has no quote line.")
        if not content:
            raise GateRefused(reasons=[empty])
        note = _("Drafted from solution version %(number)s.") % {"number": version.number}
    return _new_version(
        part, actor=actor, content=content, source=source, note=note, solution_version=version
    )


@transaction.atomic
def attachment_add(*, actor: User, part: BidPart, file: Any, name: str = "") -> BidAttachment:
    """Attach a file to a part: checked by its content (pdf, docx, xlsx, jpg, png), stored
    under a random name."""
    upload = validate_upload(file, field="file", allowed=ATTACHMENT_EXTENSIONS)
    _bid, part = _lock_part(part, actor)
    shown = (name or str(getattr(file, "name", "") or "")).replace("\\", "/").rsplit("/", 1)[-1].strip()
    attachment = BidAttachment(
        part=part, name=shown[:200] or _("attachment"), size=file.size, uploaded_by=actor
    )
    save_upload(attachment.file, file, upload)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: BidAttachment) -> None:
    """Remove an attachment while the part can still change."""
    _lock_part(attachment.part, actor)
    attachment = BidAttachment.objects.select_for_update().get(pk=attachment.pk)
    attachment.file.delete(save=False)
    attachment.delete()


# --- defence (R-BID-3) ---------------------------------------------------------------------

QUESTION_FIELDS = ("question", "answer", "owner")


def _lock_bid_for_defence(bid_id: int, actor: User) -> Bid:
    bid = lock_bid(Bid(pk=bid_id, opportunity_id=_opportunity_id(bid_id)))
    require_work(actor, bid.opportunity)
    if not bid.opportunity.is_open:
        raise Conflict(_("The opportunity is closed."), code="closed")
    if bid.status in (BidStatus.WON, BidStatus.LOST):
        raise Conflict(_("The bid has its result: its defence is over."), code="decided")
    return bid


def _tell_owner(question: DefenceQuestion, bid: Bid, actor: User) -> None:
    owner = question.owner
    if owner is None or owner.pk == actor.pk:
        return
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        title = _("Defence question for %(title)s assigned to you") % {"title": bid.opportunity.title}
    notify_many(
        [
            Message(
                recipient=owner,
                kind=DEFENCE_OWNER,
                key=f"defence-question:{question.pk}:owner:{owner.pk}:v{question.version}",
                title=title,
                body=question.question[:500],
                url=bid.get_absolute_url(),
            )
        ]
    )


def _set_status(question: DefenceQuestion) -> None:
    question.status = QuestionStatus.READY if question.answer.strip() else QuestionStatus.OPEN


@transaction.atomic
def question_save(
    *,
    actor: User,
    bid: Bid,
    data: dict[str, Any],
    question: DefenceQuestion | None = None,
    expected_version: int | None = None,
) -> DefenceQuestion:
    """Add or change an anticipated question with its prepared answer and owner; a newly
    assigned owner is told (the delivery is enqueued after the commit by ``notify_many``).
    Ready once it has an answer."""
    bid = _lock_bid_for_defence(bid.pk, actor)
    if question is None:
        record = DefenceQuestion(bid=bid)
        previous_owner = None
    else:
        record = DefenceQuestion.objects.select_for_update().get(pk=question.pk, bid=bid)
        check_version(record, expected_version)
        previous_owner = record.owner_id
    data = dict(data)
    for key in ("question", "answer"):
        if key in data and isinstance(data[key], str):
            data[key] = data[key].strip()
    apply_fields(record, data, QUESTION_FIELDS)
    _set_status(record)
    validate(record, exclude=["bid"])
    save_as(record, actor)
    if record.owner_id is not None and record.owner_id != previous_owner:
        _tell_owner(record, bid, actor)
    return record


def library_answer_refusal(actor: User, answer: Article) -> str:
    """Why ``actor`` may not copy ``answer`` (empty: they may): it must be a published reusable
    bid answer of the knowledge base that they may read."""
    usable = (
        Article.objects.visible_to(actor)
        .filter(pk=answer.pk, kind=ArticleKind.BID_ANSWER, status=ArticleStatus.PUBLISHED)
        .exists()
    )
    return "" if usable else _("Choose a published bid answer of the knowledge base that you may read.")


@transaction.atomic
def question_use_answer(*, actor: User, question: DefenceQuestion, answer: Article) -> DefenceQuestion:
    """ "Use from library": the knowledge base's reusable bid answer is copied into the
    question, which records where it came from (later edits of either leave the other
    alone)."""
    _lock_bid_for_defence(question.bid_id, actor)
    refusal = library_answer_refusal(actor, answer)
    if refusal:
        raise DomainError(fields={"answer": [refusal]})
    record = DefenceQuestion.objects.select_for_update().get(pk=question.pk)
    record.answer = answer.body
    record.from_library = answer
    _set_status(record)
    save_as(record, actor)
    return record


@transaction.atomic
def question_save_to_library(
    *,
    actor: User,
    question: DefenceQuestion,
    product: str = "",
    industry: str = "",
    update_original: bool = False,
) -> Article:
    """ "Save to library": the question with its prepared answer becomes a reusable bid answer
    of the knowledge base, published for the whole company; with ``update_original``, the
    prepared answer is a new version of the library answer it was copied from instead (its
    question kept; product and industry changed when given). Who may write is the knowledge
    base's rule (presales staff; a change by the article's owner or team manager)."""
    if not knowledge.can_write_bid_answers(actor):
        raise NotAllowed(_("Only presales staff write reusable bid answers."))
    record = DefenceQuestion.objects.select_related("bid__opportunity", "from_library").get(pk=question.pk)
    require_work(actor, record.bid.opportunity)
    if not record.answer.strip():
        raise GateRefused(reasons=[_("Write the prepared answer before saving it to the library.")])
    if not update_original:
        return knowledge.bid_answer_save(
            actor=actor,
            data={
                "question": record.question,
                "answer": record.answer,
                "product": product,
                "industry": industry,
            },
        )
    original = record.from_library
    if original is None or library_answer_refusal(actor, original):
        raise DomainError(
            fields={
                "update_original": [_("This question was not copied from a library answer you may read.")]
            }
        )
    data: dict[str, Any] = {"answer": record.answer}
    if product:
        data["product"] = product
    if industry:
        data["industry"] = industry
    return knowledge.bid_answer_save(actor=actor, data=data, article=original)


__all__ = [
    "approved_version",
    "attachment_add",
    "attachment_remove",
    "empty_part_reasons",
    "frozen_reasons",
    "library_answer_refusal",
    "part_draft",
    "part_revise",
    "parts_ensure",
    "parts_freeze",
    "question_save",
    "question_save_to_library",
    "question_use_answer",
]

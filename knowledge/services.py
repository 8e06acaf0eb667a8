"""Writes of the knowledge base (R-KB-1). Web views, the API, the admin and imports call these:
who may write, what a kind requires and the search keys hold on every route.

Reusable bid answers are the bids' defence answer library (R-BID-3): only presales staff (and
admins) write them, whichever route (the knowledge pages and API, a bid's "Save to library",
``/api/v1/defence-answers/``); ``bid_answer_save`` writes one from the library's fields."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge.choices import ArticleKind, ArticleStatus, Visibility
from knowledge.models import Article, ArticleAttachment, NeedsTemplateItem, Tag, bid_question_fields
from presales.accounts.models import User
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import WRITER_ROLES, Role, Scope, scope_of
from presales.core.uploads import save_upload, validate_upload
from presales.core.writes import apply_fields, check_version, save_as, validate

EDITABLE = (
    "kind",
    "title",
    "summary",
    "body",
    "industry",
    "size_class",
    "outcome",
    "product",
    "source",
    "opportunity",
    "customer_consent",
    "visibility",
    "review_on",
)
MAX_TAGS = 20
# Who writes reusable bid answers (the defence answer library, R-BID-3).
BID_ANSWER_ROLES = (Role.PRESALES_ENGINEER, Role.PRESALES_MANAGER, Role.ADMIN)
BID_ANSWER_FIELDS = ("question", "answer", "product", "industry")
ATTACHMENT_TYPES = frozenset({"pdf", "docx", "xlsx", "pptx", "png", "jpg", "jpeg", "txt"})


def can_write(actor: User) -> bool:
    return actor.is_authenticated and actor.has_role(*WRITER_ROLES)


def can_edit(actor: User, article: Article) -> bool:
    """The owner, a manager of the article's team, or an all-scope writer (admin)."""
    if not can_write(actor) and not actor.has_role(Role.GENERAL_MANAGER):
        return False
    if article.owner_id == actor.pk or actor.has_role(Role.ADMIN) or actor.is_superuser:
        return True
    if scope_of(actor) == Scope.ALL and actor.is_manager:
        return True
    return article.team_id is not None and actor.manages(article.team_id)


def can_write_bid_answers(actor: User) -> bool:
    return actor.is_authenticated and actor.has_role(*BID_ANSWER_ROLES)


def _require_kind_writer(actor: User, *kinds: str) -> None:
    if ArticleKind.BID_ANSWER in kinds and not can_write_bid_answers(actor):
        raise NotAllowed(_("Only presales staff write reusable bid answers."))


def _check_kind_rules(article: Article) -> None:
    errors: dict[str, list[str]] = {}
    if article.kind == ArticleKind.SOLUTION_CASE:
        if not article.industry:
            errors["industry"] = [_("A solution case names its industry.")]
        if not article.outcome:
            errors["outcome"] = [_("A solution case states its outcome.")]
        if (
            article.opportunity_id
            and not article.customer_consent
            and article.visibility == Visibility.COMPANY
        ):
            errors["customer_consent"] = [
                _(
                    "A case drawn from a customer's project is shared company-wide only with the customer's consent."
                )
            ]
    if article.kind == ArticleKind.INDUSTRY_NEWS and not article.source:
        errors["source"] = [_("Industry news states its source.")]
    if article.visibility == Visibility.TEAM and not article.team_id:
        errors["visibility"] = [_("The owner has no team: share it with the whole company.")]
    if errors:
        raise DomainError(fields=errors)


def _clean_tags(tags: Any) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    if not isinstance(tags, list | tuple):
        raise DomainError(fields={"tags": [_("Give the tags as a list of names.")]})
    names = []
    for tag in tags:
        name = str(tag).strip()
        if not name:
            continue
        if len(name) > 50:
            raise DomainError(fields={"tags": [_("A tag is at most 50 characters.")]})
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise DomainError(fields={"tags": [_("At most %(n)d tags.") % {"n": MAX_TAGS}]})
    return names


def _set_tags(article: Article, names: list[str]) -> None:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    article.tags.set(tags)


@transaction.atomic
def article_create(*, actor: User, data: dict[str, Any], tags: Any = None) -> Article:
    if not can_write(actor):
        raise NotAllowed(_("You may not write knowledge articles."))
    names = _clean_tags(tags)
    article = Article(owner=actor, team_id=actor.team_id)
    apply_fields(article, data, EDITABLE)
    _require_kind_writer(actor, article.kind)
    _check_kind_rules(article)
    validate(article, exclude=["search_vector"])
    save_as(article, actor)
    _set_tags(article, names)
    article.refresh_search()
    return article


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
def article_update(
    *,
    actor: User,
    article: Article,
    data: dict[str, Any],
    tags: Any = None,
    expected_version: int | None = None,
) -> Article:
    article = _locked(article)
    check_version(article, expected_version)
    if not can_edit(actor, article):
        raise NotAllowed(_("Only the owner or a manager of the team edits this article."))
    names = _clean_tags(tags) if tags is not None else None
    kind_before = article.kind
    apply_fields(article, data, EDITABLE)
    _require_kind_writer(actor, kind_before, article.kind)
    _check_kind_rules(article)
    validate(article, exclude=["search_vector"])
    save_as(article, actor)
    if names is not None:
        _set_tags(article, names)
        article.refresh_search()
    return article


_MOVES = {
    "publish": ({ArticleStatus.DRAFT, ArticleStatus.ARCHIVED}, ArticleStatus.PUBLISHED),
    "archive": ({ArticleStatus.DRAFT, ArticleStatus.PUBLISHED}, ArticleStatus.ARCHIVED),
    "unpublish": ({ArticleStatus.PUBLISHED}, ArticleStatus.DRAFT),
}


@transaction.atomic
def article_move(*, actor: User, article: Article, move: str) -> Article:
    """Publish, archive or take back to draft (the one function that changes the status)."""
    if move not in _MOVES:
        raise DomainError(fields={"move": [_("Unknown action.")]})
    article = _locked(article)
    if not can_edit(actor, article):
        raise NotAllowed(_("Only the owner or a manager of the team changes this article."))
    sources, target = _MOVES[move]
    if article.status not in sources:
        raise DomainError(_("This article cannot be %(move)s now.") % {"move": move})
    if target == ArticleStatus.PUBLISHED:
        _check_kind_rules(article)
        if not (article.body or article.summary or article.kind == ArticleKind.NEEDS_TEMPLATE):
            raise DomainError(fields={"body": [_("Write the article before publishing it.")]})
        article.published_at = timezone.now()
    article.status = target
    save_as(article, actor)
    return article


def _bid_answer_fields(article: Article | None, data: dict[str, Any]) -> dict[str, Any]:
    """The library's fields (question, answer, product, industry) as the article's: the
    question is the title (kept whole in the summary when it is too long for one), the answer
    the body."""
    unknown = set(data).difference(BID_ANSWER_FIELDS)
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if "question" in data:
        question = str(data["question"] or "").strip()
        if not question:
            errors["question"] = [_("Write the question.")]
        else:
            fields.update(bid_question_fields(question))
            if "summary" not in fields and article is not None and article.question_cut:
                fields["summary"] = ""  # the summary held the former, longer question
    elif article is None:
        errors["question"] = [_("Write the question.")]
    if "answer" in data:
        answer = str(data["answer"] or "").strip()
        if not answer:
            errors["answer"] = [_("Write the answer.")]
        fields["body"] = answer
    elif article is None:
        errors["answer"] = [_("Write the answer.")]
    if "product" in data:
        fields["product"] = str(data["product"] or "").strip()
    if "industry" in data:
        fields["industry"] = data["industry"] or ""
    if errors:
        raise DomainError(fields=errors)
    return fields


@transaction.atomic
def bid_answer_save(
    *,
    actor: User,
    data: dict[str, Any],
    article: Article | None = None,
    expected_version: int | None = None,
) -> Article:
    """Add or change a reusable bid answer from the library's fields (question, answer,
    product, industry; R-KB-1, R-BID-3). A new one is published at once for the whole company
    (the library is what is published); a change is a new version of the article. Presales
    staff only; a change by the owner or a manager of the article's team."""
    if not can_write_bid_answers(actor):
        raise NotAllowed(_("Only presales staff write reusable bid answers."))
    if article is None:
        created = article_create(
            actor=actor, data={"kind": ArticleKind.BID_ANSWER, **_bid_answer_fields(None, data)}
        )
        return article_move(actor=actor, article=created, move="publish")
    article = _locked(article)
    if article.kind != ArticleKind.BID_ANSWER:
        raise DomainError(_("This article is not a reusable bid answer."))
    return article_update(
        actor=actor,
        article=article,
        data=_bid_answer_fields(article, data),
        expected_version=expected_version,
    )


@transaction.atomic
def attachment_add(*, actor: User, article: Article, file: Any) -> ArticleAttachment:
    article = _locked(article)
    if not can_edit(actor, article):
        raise NotAllowed(_("Only the owner or a manager of the team adds files to this article."))
    upload = validate_upload(file, field="file", allowed=ATTACHMENT_TYPES)
    attachment = ArticleAttachment(
        article=article, name=str(getattr(file, "name", "file"))[:255], uploaded_by=actor
    )
    attachment.size = int(getattr(file, "size", 0) or 0)
    save_upload(attachment.file, file, upload)
    attachment.save()
    save_as(article, actor)  # a new version of the article: its files changed
    return attachment


@transaction.atomic
def needs_items_set(*, actor: User, article: Article, items: list[dict[str, Any]]) -> list[NeedsTemplateItem]:
    """Replace the requirement items of an industry needs template."""
    article = _locked(article)
    if not can_edit(actor, article):
        raise NotAllowed(_("Only the owner or a manager of the team edits this template."))
    if article.kind != ArticleKind.NEEDS_TEMPLATE:
        raise DomainError(fields={"items": [_("Only an industry needs template has requirement items.")]})
    rows = []
    for order, item in enumerate(items or []):
        description = str(item.get("description", "")).strip()
        if not description:
            raise DomainError(fields={"items": [_("Item %(n)d has no requirement.") % {"n": order + 1}]})
        rows.append(
            NeedsTemplateItem(
                article=article,
                order=order,
                category=str(item.get("category", ""))[:100],
                description=description,
                rigid=bool(item.get("rigid", False)),
            )
        )
    article.needs_items.all().delete()
    NeedsTemplateItem.objects.bulk_create(rows)
    save_as(article, actor)
    return rows

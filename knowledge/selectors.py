"""Reads of the knowledge base: the search page (articles, and customers and leads by company
name through the core's search), an article with its versions, the reusable bid answers (the
bids' defence answer library, R-BID-3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from knowledge.choices import ArticleKind, ArticleStatus
from knowledge.models import Article
from knowledge.search import article_search
from knowledge.tokens import highlight
from leads.models import Customer, Lead
from presales.core.roles import Actor
from presales.core.search import search

PAGE = 20


@dataclass
class Hit:
    article: Article
    title: str  # safe HTML with <mark>
    snippet: str  # safe HTML with <mark>


def articles_for(
    user: Actor,
    *,
    q: str = "",
    kind: str = "",
    industry: str = "",
    tag: str = "",
    first: int | None = None,
) -> QuerySet[Article]:
    """The articles ``user`` may read matching ``q`` and the filters, best first. ``first``: the
    caller reads at most that many rows from the top (see ``article_search``)."""
    articles = Article.objects.visible_to(user).select_related("owner")
    if not q:
        articles = articles.filter(status=ArticleStatus.PUBLISHED) if not kind else articles
    if kind:
        articles = articles.filter(kind=kind)
    if industry:
        articles = articles.filter(industry=industry)
    if tag:
        articles = articles.filter(tags__name=tag)
    return article_search(articles, q, first=first)


def bid_answers(user: Actor, *, q: str = "", industry: str = "", product: str = "") -> QuerySet[Article]:
    """The answer library (R-BID-3): the published reusable bid answers ``user`` may read.
    ``q`` is the knowledge base's search (Chinese of two characters and more, English, mixed;
    best first), ``product`` a substring of the product (its index: migration 0004)."""
    articles: QuerySet[Article] = Article.objects.visible_to(user).filter(
        kind=ArticleKind.BID_ANSWER, status=ArticleStatus.PUBLISHED
    )
    if industry:
        articles = articles.filter(industry=industry)
    if product.strip():
        articles = search(articles, product[:100], ("product",))
    return article_search(articles, q)


def search_page(user: Actor, *, q: str, page: int = 1, **filters: str) -> dict[str, Any]:
    """One page of hits (20, and whether there are more: no count of every match), each with
    its highlighted title and snippet, plus the first customers and leads whose company name
    holds the query."""
    offset = (max(page, 1) - 1) * PAGE
    first = offset + PAGE + 1
    rows = list(articles_for(user, q=q, first=first, **filters).defer("search_vector")[offset:first])
    hits = [
        Hit(
            article=a,
            title=highlight(a.title, q) if q else highlight(a.title, ""),
            snippet=highlight(a.summary or a.body, q, around=160)
            if q
            else highlight((a.summary or a.body)[:160], ""),
        )
        for a in rows[:PAGE]
    ]
    customers: list[Any] = []
    leads: list[Any] = []
    if q and page == 1:
        customers = list(search(Customer.objects.visible_to(user), q, ("name",)).order_by("name", "id")[:5])
        leads = list(search(Lead.objects.visible_to(user), q, ("company_name",)).order_by("-id")[:5])
    return {"hits": hits, "more": len(rows) > PAGE, "page": page, "customers": customers, "leads": leads}


def article_versions(article: Article, limit: int = 20) -> list[Any]:
    return list(article.history.select_related("history_user").order_by("-history_date")[:limit])

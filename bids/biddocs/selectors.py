"""Reads of the defence preparation (R-BID-3): the answer picker of a defence question, over the
knowledge base's published reusable bid answers (R-KB-1) the reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, F, QuerySet, Value, When
from django.db.models.functions import Upper
from django.db.models.lookups import Contains
from django.utils.translation import gettext as _

from bids.biddocs.services import approved_version
from bids.models import DefenceQuestion
from knowledge.models import Article
from knowledge.selectors import bid_answers
from knowledge.tokens import highlight
from presales.core.roles import Actor

PICKS = 10
PRODUCT_FIT, INDUSTRY_FIT = 2, 1


@dataclass
class LibraryPick:
    """A library answer offered for a question: why it is offered and how often bids used it."""

    article: Article
    reasons: list[str]
    uses: int
    question_html: str  # safe HTML with <mark>
    answer_html: str  # safe HTML with <mark>


def _opportunity_text(question: DefenceQuestion) -> str:
    """What names the opportunity's products: its title and the items of its approved solution
    version's quote (one line each)."""
    opportunity = question.bid.opportunity
    names = [opportunity.title]
    version = approved_version(opportunity.pk)
    if version is not None:
        names += list(version.quote_lines.values_list("item", flat=True)[:200])
    return "\n".join(name for name in names if name)


def _ranked(articles: QuerySet[Article], *, industry: str, text: str) -> QuerySet[Article]:
    """``articles`` with a ``fit``: +2 when the opportunity names the article's product (its
    title or quote lines contain it), +1 for the customer's industry; the fitting first, then
    the search's relevance (when there is a query), then the newest."""
    product_named = Contains(Value(text.upper()), Upper(F("product")))
    fit = Case(
        When(product="", then=Value(0)), When(product_named, then=Value(PRODUCT_FIT)), default=Value(0)
    )
    if industry:
        fit = fit + Case(When(industry=industry, then=Value(INDUSTRY_FIT)), default=Value(0))
    ranked = articles.annotate(fit=fit)
    relevance = ["-rank"] if "rank" in articles.query.annotations else []
    return ranked.order_by("-fit", *relevance, "-updated_at", "-id")


def library_picks(
    user: Actor, question: DefenceQuestion, *, q: str = "", limit: int = PICKS
) -> list[LibraryPick]:
    """The library answers offered for ``question`` (its bid and opportunity read with it): the
    published reusable bid answers ``user`` may read, matching ``q`` with the knowledge base's
    search (Chinese of two characters and more, English, mixed); those of a product the
    opportunity names and of the customer's industry first. Each says why it is offered and
    how many defence questions were answered from it."""
    opportunity = question.bid.opportunity
    industry = opportunity.customer.industry
    text = _opportunity_text(question)
    articles = bid_answers(user, q=q).select_related("owner").defer("search_vector", "rank_vector")
    rows = list(_ranked(articles, industry=industry, text=text)[:limit])
    uses = dict(
        DefenceQuestion.objects.filter(from_library__in=[a.pk for a in rows])
        .values_list("from_library")
        .annotate(n=Count("id"))
    )
    folded = text.upper()
    picks = []
    for article in rows:
        reasons = []
        if article.product and article.product.upper() in folded:
            reasons.append(_("product %(product)s named in this opportunity") % {"product": article.product})
        if industry and article.industry == industry:
            reasons.append(_("same industry"))
        picks.append(
            LibraryPick(
                article=article,
                reasons=reasons,
                uses=uses.get(article.pk, 0),
                question_html=highlight(article.question, q),
                answer_html=highlight(article.body, q, around=240)
                if q
                else highlight(article.body[:240], ""),
            )
        )
    return picks

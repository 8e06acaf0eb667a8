"""Reads of solutions and quotes: a version's content with its amounts, the customer copy
(R-SOL-5: without cost or margin), the diff of two versions, success cases (R-SOL-4)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet
from django.db.models.functions import Coalesce

from knowledge.models import Article
from opportunities.choices import Stage
from opportunities.models import Opportunity
from proposals.models import QuoteLine, SolutionAnswer, SolutionSection, SolutionVersion
from proposals.needs.selectors import requirement_changes_since
from proposals.solutions.html import to_text
from proposals.solutions.money import Amounts, line_amounts, quote_money, totals
from proposals.solutions.transitions import unanswered_rigid_requirements


def with_requirement_changes(versions: QuerySet[SolutionVersion]) -> QuerySet[SolutionVersion]:
    """R-NEED-6: each version annotated with ``changed_requirement_numbers``, the numbers of
    its opportunity's requirements added or changed after the customer's confirmation since
    the version was submitted (a draft: since it was started); the needs' change requests
    (``requirement_changes_since``) as one subquery, no query per version. A version with any
    was built on the old text and needs revision (``SolutionVersion.needs_revision``)."""
    if connection.vendor != "postgresql":
        # SQLite (make run) has no arrays: each version reads its own (the model's fallback).
        return versions
    changes = (
        requirement_changes_since(
            OuterRef("solution__opportunity_id"),  # type: ignore[arg-type]
            Coalesce(OuterRef("submitted_at"), OuterRef("created_at")),
        )
        .filter(requirement__isnull=False)
        .order_by("requirement__number")
        .values("requirement__number")
        .distinct()
    )
    return versions.annotate(changed_requirement_numbers=ArraySubquery(changes))


def versions_for(user: Any) -> QuerySet[SolutionVersion]:
    return SolutionVersion.objects.visible_to(user).select_related("solution__opportunity", "author")


def version_with_content(pk: int) -> SolutionVersion:
    """A version with everything its page, its review and its copy read (5 queries), and
    the requirements changed since it was written (R-NEED-6, in the same query)."""
    return (
        with_requirement_changes(SolutionVersion.objects.all())
        .select_related("solution__opportunity__customer", "author")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=SolutionSection.objects.select_related("writer").order_by("position", "id"),
            ),
            Prefetch("quote_lines", queryset=QuoteLine.objects.order_by("position", "id")),
            Prefetch(
                "answers",
                queryset=SolutionAnswer.objects.select_related("requirement", "section", "quote_line"),
            ),
        )
        .get(pk=pk)
    )


def version_totals(version: SolutionVersion) -> Amounts:
    return totals(version.quote_lines.all())


def margin_percent(version: SolutionVersion) -> Decimal | None:
    return version_totals(version).margin_percent


def customer_copy(version: SolutionVersion) -> dict[str, Any]:
    """What the customer receives (R-SOL-5, R-QUOTE-1): sections and the quote with prices
    and tax, never cost or margin. The caller checks the version is approved."""
    total = version_totals(version)
    opportunity = version.solution.opportunity
    return {
        "solution": version.solution.title,
        "version": version.number,
        "customer": str(opportunity.customer),
        "currency": version.currency,
        "sections": [
            {"kind": s.kind, "title": str(s.get_kind_display()), "body_html": s.body_html}
            for s in version.sections.all()
        ],
        "quote_lines": [
            {
                "kind": line.kind,
                "item": line.item,
                "specification": line.specification,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price": str(line.unit_price),
                "tax_rate": str(line.tax_rate),
                "tax_inclusive": line.tax_inclusive,
                "price_excl_tax": str(a.price_excl),
                "tax": str(a.tax),
                "price_incl_tax": str(a.price_incl),
            }
            for line in version.quote_lines.all()
            for a in [line_amounts(line)]
        ],
        "totals": {
            "price_excl_tax": str(total.price_excl),
            "tax": str(total.tax),
            "price_incl_tax": str(total.price_incl),
        },
    }


def unanswered(version: SolutionVersion) -> list[Any]:
    return unanswered_rigid_requirements(version)


def quote_money_of(version: SolutionVersion) -> Any:
    return quote_money(version, version_totals(version).price_excl)


# --- diff --------------------------------------------------------------------------------


@dataclass
class SectionDiff:
    kind: str
    label: str
    status: str  # added | removed | changed | same
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, old line, new line)


@dataclass
class LineDiff:
    status: str  # added | removed | changed
    item: str
    old: dict[str, str] | None
    new: dict[str, str] | None
    changed: list[str] = field(default_factory=list)


LINE_COMPARED = (
    "kind",
    "specification",
    "quantity",
    "unit",
    "unit_cost",
    "unit_price",
    "tax_rate",
    "tax_inclusive",
)


def _line_facts(line: QuoteLine) -> dict[str, str]:
    amounts = line_amounts(line)
    facts = {name: str(getattr(line, name)) for name in LINE_COMPARED}
    facts.update(price_excl=str(amounts.price_excl), cost=str(amounts.cost), margin=str(amounts.margin))
    return facts


def version_diff(old: SolutionVersion, new: SolutionVersion) -> dict[str, Any]:
    """Side by side: each section's text (difflib on the text of the HTML) and the quote
    lines matched by item (added, removed, changed with their amounts), and both totals."""
    old_sections = {s.kind: s for s in old.sections.all()}
    new_sections = {s.kind: s for s in new.sections.all()}
    sections: list[SectionDiff] = []
    kinds = sorted(
        set(old_sections) | set(new_sections),
        key=lambda k: (new_sections.get(k) or old_sections[k]).position,
    )
    for kind in kinds:
        a, b = old_sections.get(kind), new_sections.get(kind)
        label = str((b or a).get_kind_display())  # type: ignore[union-attr]
        left = to_text(a.body_html).splitlines() if a else []
        right = to_text(b.body_html).splitlines() if b else []
        rows: list[tuple[str, str, str]] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=left, b=right, autojunk=False).get_opcodes():
            width = max(i2 - i1, j2 - j1)
            for n in range(width):
                rows.append(
                    (
                        tag,
                        left[i1 + n] if i1 + n < i2 else "",
                        right[j1 + n] if j1 + n < j2 else "",
                    )
                )
        status = (
            "added" if a is None else "removed" if b is None else ("same" if left == right else "changed")
        )
        sections.append(SectionDiff(kind=kind, label=label, status=status, rows=rows))
    old_lines = {line.item: line for line in old.quote_lines.all()}
    new_lines = {line.item: line for line in new.quote_lines.all()}
    lines: list[LineDiff] = []
    for item, line in new_lines.items():
        if item not in old_lines:
            lines.append(LineDiff("added", item, None, _line_facts(line)))
            continue
        before, after = _line_facts(old_lines[item]), _line_facts(line)
        changed = [k for k in after if before[k] != after[k]]
        if changed:
            lines.append(LineDiff("changed", item, before, after, changed))
    for item, line in old_lines.items():
        if item not in new_lines:
            lines.append(LineDiff("removed", item, _line_facts(line), None))
    old_total, new_total = version_totals(old), version_totals(new)
    return {
        "old": old,
        "new": new,
        "sections": sections,
        "lines": lines,
        "totals": {
            "old": {"price_excl": old_total.price_excl, "cost": old_total.cost, "margin": old_total.margin},
            "new": {"price_excl": new_total.price_excl, "cost": new_total.cost, "margin": new_total.margin},
        },
    }


# --- success cases (R-SOL-4) -------------------------------------------------------------

WON_STAGES = (Stage.HANDOFF,)
SIZE_FACTOR = Decimal("3")


@dataclass
class SuccessCase:
    """A won opportunity, or a solution case of the knowledge base (R-KB-1), suggested to the
    solution's author (R-SOL-4) with the reasons of the match. ``customer`` is empty for a
    knowledge-base case whose customer did not consent to be named."""

    opportunity: Opportunity | None
    score: int
    reasons: list[str]
    article: Any = None

    @property
    def title(self) -> str:
        return self.article.title if self.article is not None else self.opportunity.title  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        target = self.article if self.article is not None else self.opportunity
        return target.get_absolute_url()  # type: ignore[union-attr]

    @property
    def customer(self) -> str:
        if self.article is not None:
            named = self.article.customer_consent and self.article.opportunity_id
            return str(self.article.opportunity.customer) if named else ""
        return str(self.opportunity.customer)  # type: ignore[union-attr]


def _knowledge_cases(user: Any, opportunity: Opportunity) -> list[SuccessCase]:
    """Published solution cases of the knowledge base in the customer's industry: the same size
    class and a won or delivered outcome rank them; a case documented from a won project of
    ours ranks above a bare one."""
    from django.utils.translation import gettext as _

    from knowledge.choices import ArticleKind, ArticleStatus, CaseOutcome

    customer = opportunity.customer
    articles = (
        Article.objects.visible_to(user)
        .filter(kind=ArticleKind.SOLUTION_CASE, status=ArticleStatus.PUBLISHED, industry=customer.industry)
        .exclude(opportunity_id=opportunity.pk)
        .select_related("opportunity__customer")
        .defer("search_vector", "body")
        .order_by("-published_at", "-id")[:50]
    )
    cases = []
    for article in articles:
        reasons = [_("knowledge-base case"), _("same industry")]
        score = 1
        if customer.size_class and article.size_class == customer.size_class:
            reasons.append(_("same size (%(size)s)") % {"size": article.get_size_class_display()})
            score += 2
        if article.outcome in (CaseOutcome.WON, CaseOutcome.DELIVERED):
            reasons.append(str(article.get_outcome_display()))
            score += 1
        source = article.opportunity
        if source is not None and source.stage == Stage.HANDOFF:
            reasons.append(_("documented from a won project"))
            score += 1
        cases.append(SuccessCase(None, score, reasons, article=article))
    return cases


def success_cases(user: Any, opportunity: Opportunity, *, limit: int = 5) -> list[SuccessCase]:
    """Won opportunities (handed off) of customers in the same industry, of a similar size:
    the same size class, or an amount within a factor of 3 of this one; and the knowledge
    base's solution cases of that industry (R-KB-1). Ranked: same industry and size class
    first, then the amount closest in ratio; each says why. Only what ``user`` may see."""
    from django.utils.translation import gettext as _

    customer = opportunity.customer
    low = opportunity.amount / SIZE_FACTOR
    high = opportunity.amount * SIZE_FACTOR
    candidates = (
        Opportunity.objects.visible_to(user)
        .filter(stage__in=WON_STAGES, customer__industry=customer.industry)
        .exclude(pk=opportunity.pk)
        .select_related("customer")
        .order_by("-closed_at", "-id")[:200]
    )
    cases: list[SuccessCase] = []
    for other in candidates:
        same_size = bool(customer.size_class) and other.customer.size_class == customer.size_class
        ratio = (other.amount / opportunity.amount) if opportunity.amount else None
        near_amount = ratio is not None and low <= other.amount <= high
        if not (same_size or near_amount):
            continue
        reasons = [_("same industry")]
        score = 1
        if same_size:
            reasons.append(_("same size (%(size)s)") % {"size": other.customer.get_size_class_display()})
            score += 2
        if ratio is not None:
            reasons.append(_("amount %(ratio)s× this one") % {"ratio": f"{ratio:.1f}"})
            if near_amount:
                score += 1
        cases.append(SuccessCase(other, score, reasons))
    kb = _knowledge_cases(user, opportunity)
    documented = {c.article.opportunity_id for c in kb}
    cases = [c for c in cases if c.opportunity is None or c.opportunity.pk not in documented] + kb

    def amount_gap(case: SuccessCase) -> Decimal:
        return abs((case.opportunity.amount or 0) - opportunity.amount) if case.opportunity else Decimal(0)

    def key_pk(case: SuccessCase) -> int:
        return int(case.article.pk if case.article is not None else case.opportunity.pk)  # type: ignore[union-attr]

    cases.sort(key=lambda c: (-c.score, c.article is None, amount_gap(c), -key_pk(c)))
    return cases[:limit]

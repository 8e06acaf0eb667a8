"""The solution version as a review subject (R-SOL-3, R-REV-2, R-REV-5, R-REV-6, R-QUOTE-1).

Registered from ``ProposalsConfig.ready``; the engine reaches a version only through these
callables. The decision callbacks are the version's lifecycle services, so its status moves
in the transaction of the deciding vote. ``lock`` is ``proposals.solutions.locks.lock_version``
(opportunity → version), the order of the version's own services.

``margin_percent_of(version)`` is the quote's margin % (R-QUOTE-1): the subject type's
``margin_of``, which the engine's margin-band steps (finance, general manager) compare.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opportunities.models import opportunity_visibility_q
from presales.core.money import format_money
from proposals.models import QuoteLine, Requirement, SolutionAnswer, SolutionSection, SolutionVersion
from proposals.solutions import services
from proposals.solutions.html import to_text
from proposals.solutions.locks import lock_version
from proposals.solutions.money import line_amounts, quote_money, totals
from reviews.registry import ContentItem, ContentTable, SubjectType, register_subject_type

KIND = "solution_version"


def _team_of(version):
    return version.solution.opportunity.team


def _author_of(version):
    return version.author


def _authors_of(version) -> set[int]:
    """R-REV-5: everyone who wrote a section of the version (its history and that of the
    versions it was copied from, and the sections' assigned writers), the version's author
    and the opportunity's sales and presales owners: none of them decides on its review."""
    opportunity = version.solution.opportunity
    ids: set[int] = {version.author_id}
    ids.update(pk for pk in (opportunity.sales_owner_id, opportunity.presales_owner_id) if pk is not None)
    ids.update(
        SolutionSection.objects.filter(solution_version=version, writer__isnull=False).values_list(
            "writer_id", flat=True
        )
    )
    # A new version starts as a copy of the previous one: whoever wrote the text it carries
    # over wrote this version too, so the history of every earlier version's sections counts.
    versions = SolutionVersion.objects.filter(solution_id=version.solution_id, number__lte=version.number)
    ids.update(
        SolutionSection.history.filter(
            solution_version_id__in=versions.values("pk"), history_user__isnull=False
        ).values_list("history_user_id", flat=True)
    )
    return ids


def _summary_of(version) -> str:
    opportunity = version.solution.opportunity
    total = totals(version.quote_lines.all())
    return str(
        _("%(title)s v%(number)s · %(customer)s · %(amount)s · margin %(margin)s")
        % {
            "title": version.solution.title,
            "number": version.number,
            "customer": opportunity.customer,
            "amount": format_money(total.price_excl, version.currency),
            "margin": f"{total.margin_percent}%" if total.margin_percent is not None else "—",
        }
    )


def _url_of(version) -> str:
    return reverse("proposals:solutions:version", args=[version.pk])


def _edit_url_of(version) -> str:
    """The solution's page, where the author starts and edits the next version; the latest
    rejection's comments are shown there (R-REV-5)."""
    return reverse("proposals:solutions:solution", args=[version.solution_id])


def _content_queryset():
    return SolutionVersion.objects.select_related(
        "solution__opportunity__customer", "author"
    ).prefetch_related(
        Prefetch(
            "sections", queryset=SolutionSection.objects.select_related("writer").order_by("position", "id")
        ),
        Prefetch("quote_lines", queryset=QuoteLine.objects.order_by("position", "id")),
        Prefetch(
            "answers", queryset=SolutionAnswer.objects.only("id", "solution_version_id", "requirement_id")
        ),
        Prefetch(
            "solution__opportunity__requirements",
            queryset=Requirement.objects.filter(kind="rigid").order_by("position", "number"),
            to_attr="rigid_requirements",
        ),
    )


def _describe(version) -> list[ContentItem]:
    """What the reviewer reads beside the decisions (R-REV-6): the sections, the quote
    summary with its totals and margin, the unanswered rigid requirements."""
    items = [
        ContentItem(label=str(s.get_kind_display()), text=to_text(s.body_html))
        for s in version.sections.all()
    ]
    lines = list(version.quote_lines.all())
    rows = []
    for line in lines:
        a = line_amounts(line)
        rows.append(
            (
                str(line.get_kind_display()),
                line.item,
                f"{line.quantity} {line.unit}".strip(),
                str(a.cost),
                str(a.price_excl),
                str(a.margin),
                f"{a.margin_percent}%" if a.margin_percent is not None else "—",
            )
        )
    total = totals(lines)
    rows.append(
        (
            str(_("Total")),
            "",
            "",
            str(total.cost),
            str(total.price_excl),
            str(total.margin),
            f"{total.margin_percent}%" if total.margin_percent is not None else "—",
        )
    )
    items.append(
        ContentItem(
            label=str(_("Quote (%(currency)s, without tax)") % {"currency": version.currency}),
            table=ContentTable(
                columns=(
                    str(_("Type")),
                    str(_("Item")),
                    str(_("Quantity")),
                    str(_("Cost")),
                    str(_("Price")),
                    str(_("Margin")),
                    str(_("Margin %")),
                ),
                rows=tuple(rows),
            ),
        )
    )
    answered = {a.requirement_id for a in version.answers.all()}
    rigid = getattr(version.solution.opportunity, "rigid_requirements", None)
    if rigid is None:
        rigid = list(Requirement.objects.filter(opportunity_id=version.solution.opportunity_id, kind="rigid"))
    missing = [r for r in rigid if r.pk not in answered]
    items.append(
        ContentItem(
            label=str(_("Unanswered rigid requirements")),
            text="\n".join(f"{r.code} {r.description}" for r in missing) or str(_("None")),
        )
    )
    return items


def _amount_of(version):
    """The quote's total without tax, in the version's currency at its recorded rate."""
    return quote_money(version, totals(version.quote_lines.all()).price_excl)


def margin_percent_of(version) -> Decimal | None:
    """R-QUOTE-1: the quote's margin % (margin / price without tax), half up to 0.01; None
    without a priced line. The engine's margin-band steps read it (``margin_of``)."""
    return totals(version.quote_lines.all()).margin_percent


def _visible_to(user):
    return SolutionVersion.objects.filter(opportunity_visibility_q(user, prefix="solution__opportunity__"))


def subject_type() -> SubjectType:
    options: dict[str, Any] = {
        "kind": KIND,
        "model": "proposals.SolutionVersion",
        "label": _("Solution version"),
        "team_of": _team_of,
        "author_of": _author_of,
        "summary_of": _summary_of,
        "url_of": _url_of,
        "on_approved": services.version_on_approved,
        "on_rejected": services.version_on_rejected,
        "lock": lock_version,
        "amount_of": _amount_of,
        "authors_of": _authors_of,
        "visible_to": _visible_to,
        "on_cancelled": services.version_on_cancelled,
        "edit_url_of": _edit_url_of,
        "describe": _describe,
        "content_queryset": _content_queryset,
        "margin_of": margin_percent_of,
    }
    return SubjectType(**options)


def register() -> None:
    register_subject_type(subject_type())

"""The project initiation request as a review subject (R-OPP-2, R-REV-1).

Registered from ``OpportunitiesConfig.ready``; the review engine reaches the request only
through these callables. The decision callbacks are the lifecycle services, so the
request's status, the project team and the opportunity's stage change in the same
transaction as the deciding vote. The ``lock`` hook is ``opportunities.locks.lock_initiation``
(opportunity → initiation): the engine takes it before the review's lock, the order the
request's own services use (withdraw, close the opportunity), so they queue, never deadlock.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opportunities.locks import lock_initiation
from opportunities.models import InitiationMember, ProjectInitiation, opportunity_visibility_q
from opportunities.services import initiation_on_approved, initiation_on_cancelled, initiation_on_rejected
from reviews.registry import ContentItem, ContentTable, SubjectType, register_subject_type

KIND = "initiation"


def _team_of(initiation):
    return initiation.opportunity.team


def _author_of(initiation):
    return initiation.submitted_by or initiation.opportunity.sales_owner


def _authors_of(initiation) -> set[int]:
    """R-REV-5: whoever wrote the request (its history), whoever sent it to review, and the
    opportunity's sales and presales owners: none of them decides on it."""
    opportunity = initiation.opportunity
    ids = initiation.writer_ids()
    ids.update(
        pk
        for pk in (initiation.submitted_by_id, opportunity.sales_owner_id, opportunity.presales_owner_id)
        if pk is not None
    )
    return ids


def _summary_of(initiation) -> str:
    opportunity = initiation.opportunity
    return str(
        _("%(title)s · %(customer)s · %(amount)s %(currency)s")
        % {
            "title": opportunity.title,
            "customer": opportunity.customer,
            "amount": f"{opportunity.amount:,.0f}",
            "currency": opportunity.currency,
        }
    )


def _url_of(initiation) -> str:
    return initiation.get_absolute_url()


def _edit_url_of(initiation) -> str:
    """The request's edit form, where a rejection's comments are shown above it (R-REV-5)."""
    return reverse("opportunities:initiation", args=[initiation.opportunity_id])


def _content_queryset():
    """Requests with what ``_describe`` reads: two queries for any number of them."""
    return ProjectInitiation.objects.select_related("opportunity").prefetch_related(
        Prefetch("proposed_members", queryset=InitiationMember.objects.select_related("user").order_by("id"))
    )


def _describe(initiation) -> list[ContentItem]:
    """What the approver reads (項目立項申請表, R-OPP-2): basic facts, sales strategy,
    expected goals and the proposed team."""
    team = ContentTable(
        columns=(
            str(_("Person")),
            str(_("Role in the project")),
            str(pgettext_lazy("project team", "Responsibility")),
        ),
        rows=tuple(
            (str(m.user), str(m.get_role_display()), m.responsibility)
            for m in initiation.proposed_members.all()
        ),
    )
    return [
        ContentItem(label=str(_("Basic facts")), text=initiation.background),
        ContentItem(label=str(_("Sales strategy")), text=initiation.sales_strategy),
        ContentItem(label=str(_("Expected goals")), text=initiation.expected_goals),
        ContentItem(label=str(_("Proposed team")), table=team),
    ]


def _amount_of(initiation):
    """The opportunity's amount with its currency and recorded rate to CNY (R-REV-4)."""
    return initiation.opportunity.money()


def _visible_to(user):
    # The opportunity's own pieces through the foreign key, not a nested IN (issue 9).
    return ProjectInitiation.objects.filter(opportunity_visibility_q(user, prefix="opportunity__"))


def register() -> None:
    register_subject_type(
        SubjectType(
            kind=KIND,
            model="opportunities.ProjectInitiation",
            label=_("Project initiation"),
            team_of=_team_of,
            author_of=_author_of,
            summary_of=_summary_of,
            url_of=_url_of,
            on_approved=initiation_on_approved,
            on_rejected=initiation_on_rejected,
            lock=lock_initiation,
            amount_of=_amount_of,
            authors_of=_authors_of,
            visible_to=_visible_to,
            on_cancelled=initiation_on_cancelled,
            edit_url_of=_edit_url_of,
            describe=_describe,
            content_queryset=_content_queryset,
        )
    )

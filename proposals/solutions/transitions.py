"""A solution version's lifecycle as one table of moves, with its gates (R-SOL-3, R-SOL-5).

draft ──submit──▶ in_review ──approve──▶ approved ──present──▶ approved (presented)
                      │ └──reject──▶ rejected
                      └──withdraw / cancel──▶ withdrawn
Every status but draft is frozen: a change is a new version (copied from the last one).
``approve``, ``reject`` and ``cancel`` are the review engine's decisions (no permission of
their own: the review chain decides who may). Guards return the reasons a move is refused.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opportunities.permissions import can_work_opportunity
from presales.core.roles import Role
from presales.core.statemachine import Machine, Move
from proposals.choices import RequirementKind, VersionStatus
from proposals.models import Requirement
from proposals.solutions.html import to_text


def can_work_version(actor, version) -> bool:
    return can_work_opportunity(actor, version.solution.opportunity)


def can_submit_version(actor, version) -> bool:
    """R-SOL-1: the presales owner assembles the version and signs it off (or, standing in,
    a presales manager or an admin who may work the opportunity)."""
    if not can_work_version(actor, version):
        return False
    owner_id = version.solution.opportunity.presales_owner_id
    return (
        owner_id is None
        or actor.pk == owner_id
        or actor.is_superuser
        or actor.has_role(Role.PRESALES_MANAGER, Role.ADMIN)
    )


def opportunity_open(version, actor, **context) -> list[str]:
    if not version.solution.opportunity.is_open:
        return [_("The opportunity is closed.")]
    return []


def sections_written(version, actor, **context) -> list[str]:
    """R-SOL-1: a version goes to review with its sections written."""
    sections = list(version.sections.all())
    if not sections:
        return [_("Write the version's sections before sending it to review.")]
    empty = [str(s.get_kind_display()) for s in sections if not to_text(s.body_html)]
    if empty:
        return [_("These sections are empty: %(sections)s.") % {"sections": ", ".join(empty)}]
    return []


def quote_present(version, actor, **context) -> list[str]:
    """R-SOL-2, R-QUOTE-1: the quote is reviewed with the solution."""
    if not version.quote_lines.exists():
        return [_("Add the quote lines before sending the version to review.")]
    return []


def unanswered_rigid_requirements(version) -> list[Requirement]:
    """The opportunity's rigid requirements that no section or quote line of ``version``
    answers (R-SOL-1)."""
    return list(
        Requirement.objects.filter(opportunity_id=version.solution.opportunity_id, kind=RequirementKind.RIGID)
        .exclude(answers__solution_version=version)
        .order_by("position", "number")
    )


def rigid_requirements_answered(version, actor, **context) -> list[str]:
    """R-SOL-1: every rigid requirement is answered by the version before its review."""
    missing = unanswered_rigid_requirements(version)
    if missing:
        return [
            _("These rigid requirements are not answered: %(codes)s.")
            % {"codes": ", ".join(r.code for r in missing)}
        ]
    return []


def not_presented(version, actor, **context) -> list[str]:
    if version.presented_at is not None:
        return [_("This version has already been presented.")]
    return []


def reason_given(version, actor, reason: str = "", **context) -> list[str]:
    if not str(reason or "").strip():
        return [_("Say why the version is withdrawn.")]
    return []


MACHINE = Machine(
    [
        Move(
            "submit",
            frozenset({VersionStatus.DRAFT}),
            VersionStatus.IN_REVIEW,
            gettext_lazy("Send to review"),
            guards=(opportunity_open, sections_written, quote_present, rigid_requirements_answered),
            permission=can_submit_version,
        ),
        Move(
            "withdraw",
            frozenset({VersionStatus.IN_REVIEW}),
            VersionStatus.WITHDRAWN,
            gettext_lazy("Withdraw from review"),
            input_guards=(reason_given,),
            input_fields=("reason",),
            permission=can_work_version,
            style="outline-secondary",
        ),
        Move(
            "approve", frozenset({VersionStatus.IN_REVIEW}), VersionStatus.APPROVED, gettext_lazy("Approve")
        ),
        Move("reject", frozenset({VersionStatus.IN_REVIEW}), VersionStatus.REJECTED, gettext_lazy("Reject")),
        # The review was withdrawn on its own page (or the opportunity closed).
        Move("cancel", frozenset({VersionStatus.IN_REVIEW}), VersionStatus.WITHDRAWN, gettext_lazy("Cancel")),
        # R-SOL-5: only an approved version reaches the customer.
        Move(
            "present",
            frozenset({VersionStatus.APPROVED}),
            VersionStatus.APPROVED,
            gettext_lazy("Mark as presented"),
            guards=(opportunity_open, not_presented),
            permission=can_work_version,
            style="success",
        ),
    ]
)

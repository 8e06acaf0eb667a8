"""Writes of solutions and quotes (R-SOL-1..6, R-QUOTE-1): one service per use case.

Each runs in a transaction, locks the opportunity then the version
(proposals/solutions/locks.py), checks permission and the version's move table
(proposals/solutions/transitions.py), writes, and records the move. Content (sections, quote
lines, requirement answers) changes only while the version is a draft: from submission on it
is frozen (R-SOL-3), refused here with ``version_frozen`` and, on PostgreSQL, by the
database's triggers (migration 0002_solution_content).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opportunities.models import Opportunity
from opportunities.permissions import require_work
from presales.core.errors import Conflict, DomainError
from presales.core.notes import SystemNote, note_fields
from presales.core.uploads import DOCUMENT_EXTENSIONS, save_upload, validate_upload
from presales.core.writes import apply_fields, check_version, save_as, validate
from proposals.choices import VersionStatus
from proposals.models import (
    Acceptance,
    Feedback,
    QuoteLine,
    Requirement,
    Solution,
    SolutionAnswer,
    SolutionSection,
    SolutionTemplate,
    SolutionVersion,
    VersionStatusChange,
)
from proposals.solutions import notifications, timers
from proposals.solutions.html import sanitize
from proposals.solutions.locks import lock_version
from proposals.solutions.transitions import MACHINE
from reviews.choices import ReviewKind
from reviews.services import review_cancel_for_subject, review_start

User = Any  # the project's user model (presales.accounts.User); kept loose for mypy
KIND = ReviewKind.SOLUTION_VERSION

SECTION_FIELDS = ("body_html", "writer", "due_date", "position")
LINE_FIELDS = (
    "position",
    "kind",
    "item",
    "specification",
    "quantity",
    "unit",
    "unit_cost",
    "unit_price",
    "tax_rate",
    "tax_inclusive",
)
ACCEPTANCE_FIELDS = ("contact", "contact_name", "method", "accepted_at", "evidence", "note")
# The customer's acceptance: a signed scan, a document or a saved e-mail.
ACCEPTANCE_EVIDENCE = DOCUMENT_EXTENSIONS | {"eml", "msg"}
FEEDBACK_FIELDS = ("received_at", "contact_name", "content")


def frozen_error() -> Conflict:
    return Conflict(
        _("This version was submitted and can no longer change: start a new version to edit it."),
        code="version_frozen",
    )


def _require_draft(version: SolutionVersion) -> None:
    if version.is_frozen:
        raise frozen_error()


def _require_writer_or_work(
    actor: User, version: SolutionVersion, section: SolutionSection | None = None
) -> None:
    """The opportunity's workers edit every section; a section's assigned writer edits it."""
    if section is not None and section.writer_id is not None and section.writer_id == actor.pk:
        return
    require_work(actor, version.solution.opportunity)


def _move(
    version: SolutionVersion,
    *,
    actor: User,
    move: str,
    note: str | SystemNote = "",
    facts: dict[str, Any] | None = None,
    check_permission: bool = True,
    **input: Any,
) -> VersionStatusChange:
    """The one door of a version's status: check ``move`` in the table on the locked
    version, set its ``facts``, write the status and the status change row."""
    checked = MACHINE.check(version, actor, move, check_permission=check_permission, **input)
    from_status = version.status
    for name, value in (facts or {}).items():
        setattr(version, name, value)
    version.status = checked.target
    save_as(version, actor)
    return VersionStatusChange.objects.create(
        solution_version=version,
        from_status=from_status,
        to_status=checked.target,
        move=move,
        actor=actor,
        **note_fields(note),
    )


def _take_rate(version: SolutionVersion, opportunity: Opportunity) -> None:
    version.currency = opportunity.currency
    version.fx_rate_to_cny = opportunity.fx_rate_to_cny
    version.fx_rate_date = opportunity.fx_rate_date


# --- solutions and versions --------------------------------------------------------------


@transaction.atomic
def solution_create(
    *, actor: User, opportunity: Opportunity, title: str, template: SolutionTemplate | None = None
) -> Solution:
    """A solution for ``opportunity`` with its first version, a draft: empty, or with the
    sections of an admin's template (R-SOL-1)."""
    from opportunities.locks import lock_opportunity

    opportunity = lock_opportunity(opportunity.pk)
    require_work(actor, opportunity)
    if not opportunity.is_open:
        raise Conflict(_("The opportunity is closed."), code="opportunity_closed")
    if template is not None and not template.is_active:
        raise DomainError(fields={"template": [_("This template is no longer in use.")]})
    solution = Solution(opportunity=opportunity, title=(title or "").strip(), created_by=actor)
    validate(solution)
    save_as(solution, actor)
    version = SolutionVersion(solution=solution, number=1, author=actor)
    _take_rate(version, opportunity)
    save_as(version, actor)
    if template is not None:
        SolutionSection.objects.bulk_create(
            SolutionSection(
                solution_version=version,
                kind=row.kind,
                position=SolutionSection(kind=row.kind).default_position,
                body_html=sanitize(row.body_html),
            )
            for row in template.sections.all()
        )
    return solution


@transaction.atomic
def version_create_next(*, actor: User, solution: Solution) -> SolutionVersion:
    """The next version: a copy of the latest one's sections (without their writers' done
    marks), quote lines and requirement answers (R-SOL-3). One draft at a time."""
    latest = SolutionVersion.objects.filter(solution=solution).order_by("-number").first()
    if latest is None:
        raise DomainError(_("This solution has no version to copy."))
    latest = lock_version(latest)
    opportunity = latest.solution.opportunity
    require_work(actor, opportunity)
    if not opportunity.is_open:
        raise Conflict(_("The opportunity is closed."), code="opportunity_closed")
    if SolutionVersion.objects.filter(solution=solution, status=VersionStatus.DRAFT).exists():
        raise Conflict(_("This solution already has a draft version: edit it."), code="draft_exists")
    number = (SolutionVersion.objects.filter(solution=solution).aggregate(n=Max("number"))["n"] or 0) + 1
    version = SolutionVersion(solution=latest.solution, number=number, author=actor, copied_from=latest)
    _take_rate(version, opportunity)
    try:
        with transaction.atomic():
            save_as(version, actor)
    except IntegrityError:
        raise Conflict(
            _("This solution already has a draft version: edit it."), code="draft_exists"
        ) from None
    section_map: dict[int, SolutionSection] = {}
    for old in latest.sections.all():
        new = SolutionSection.objects.create(
            solution_version=version,
            kind=old.kind,
            position=old.position,
            body_html=old.body_html,
            writer_id=old.writer_id,
        )
        section_map[old.pk] = new
    line_map: dict[int, QuoteLine] = {}
    for old_line in latest.quote_lines.all():
        line_map[old_line.pk] = QuoteLine.objects.create(
            solution_version=version, **{name: getattr(old_line, name) for name in LINE_FIELDS}
        )
    SolutionAnswer.objects.bulk_create(
        SolutionAnswer(
            solution_version=version,
            requirement_id=a.requirement_id,
            section=section_map.get(a.section_id) if a.section_id else None,
            quote_line=line_map.get(a.quote_line_id) if a.quote_line_id else None,
            note=a.note,
        )
        for a in latest.answers.all()
    )
    return version


# --- sections (R-SOL-1) ------------------------------------------------------------------


def _clean_section(section: SolutionSection, data: dict[str, Any]) -> None:
    apply_fields(section, data, SECTION_FIELDS)
    section.body_html = sanitize(section.body_html)
    writer = data.get("writer")
    if writer is not None and not writer.is_active:
        raise DomainError(fields={"writer": [_("This person can no longer write.")]})
    if writer is not None and not (
        Opportunity.objects.visible_to(writer)
        .filter(pk=section.solution_version.solution.opportunity_id)
        .exists()
    ):
        raise DomainError(
            fields={
                "writer": [_("This person cannot see the opportunity: add them to the project team first.")]
            }
        )
    if section.due_date is not None and section.writer_id is None:
        raise DomainError(fields={"writer": [_("Name the writer the due date is for.")]})
    validate(section, exclude=["solution_version"])


@transaction.atomic
def section_create(
    *, actor: User, version: SolutionVersion, kind: str, data: dict[str, Any]
) -> SolutionSection:
    version = lock_version(version)
    require_work(actor, version.solution.opportunity)
    _require_draft(version)
    section = SolutionSection(solution_version=version, kind=kind)
    section.position = section.default_position
    if version.sections.filter(kind=kind).exists():
        raise DomainError(fields={"kind": [_("This version already has this section.")]})
    _clean_section(section, data)
    save_as(section, actor)
    timers.section_timer_sync(section, before=None)
    if section.writer_id is not None:
        notifications.notify_section_assigned(section, actor=actor)
    return section


@transaction.atomic
def section_update(
    *, actor: User, section: SolutionSection, data: dict[str, Any], expected_version: int | None = None
) -> SolutionSection:
    version = lock_version(section.solution_version)
    section = SolutionSection.objects.select_for_update().get(pk=section.pk)
    section.solution_version = version
    _require_draft(version)
    check_version(section, expected_version)
    _require_writer_or_work(actor, version, section)
    if "writer" in data or "due_date" in data:
        # Assigning the work is the opportunity's workers' job, not the writer's.
        require_work(actor, version.solution.opportunity)
    before = (section.writer_id, section.due_date)
    _clean_section(section, data)
    if (section.writer_id, section.due_date) != before:
        section.done_at = None
    save_as(section, actor)
    timers.section_timer_sync(section, before=before)
    if section.writer_id is not None and (section.writer_id, section.due_date) != before:
        notifications.notify_section_assigned(section, actor=actor)
    return section


@transaction.atomic
def section_mark_done(*, actor: User, section: SolutionSection) -> SolutionSection:
    """The writer (or the presales owner assembling it) says the section is written; the
    writer's timer is met."""
    version = lock_version(section.solution_version)
    section = SolutionSection.objects.select_for_update().get(pk=section.pk)
    section.solution_version = version
    _require_draft(version)
    _require_writer_or_work(actor, version, section)
    section.done_at = timezone.now()
    save_as(section, actor)
    timers.section_timer_done(section, at=section.done_at)
    return section


@transaction.atomic
def section_delete(*, actor: User, section: SolutionSection) -> None:
    version = lock_version(section.solution_version)
    require_work(actor, version.solution.opportunity)
    _require_draft(version)
    timers.section_timer_cancel(section, reason=_("The section was removed."))
    section.delete()


# --- quote lines (R-SOL-2) ---------------------------------------------------------------


def _clean_line(line: QuoteLine, data: dict[str, Any]) -> None:
    apply_fields(line, data, LINE_FIELDS)
    validate(line, exclude=["solution_version"])


@transaction.atomic
def line_create(*, actor: User, version: SolutionVersion, data: dict[str, Any]) -> QuoteLine:
    version = lock_version(version)
    require_work(actor, version.solution.opportunity)
    _require_draft(version)
    line = QuoteLine(solution_version=version)
    if "position" not in data:
        line.position = (version.quote_lines.aggregate(p=Max("position"))["p"] or 0) + 1
    _clean_line(line, data)
    save_as(line, actor)
    return line


@transaction.atomic
def line_update(
    *, actor: User, line: QuoteLine, data: dict[str, Any], expected_version: int | None = None
) -> QuoteLine:
    version = lock_version(line.solution_version)
    require_work(actor, version.solution.opportunity)
    _require_draft(version)
    line = QuoteLine.objects.select_for_update().get(pk=line.pk)
    check_version(line, expected_version)
    _clean_line(line, data)
    save_as(line, actor)
    return line


@transaction.atomic
def line_delete(*, actor: User, line: QuoteLine) -> None:
    version = lock_version(line.solution_version)
    require_work(actor, version.solution.opportunity)
    _require_draft(version)
    line.delete()


# --- requirement answers (R-SOL-1) -------------------------------------------------------


@transaction.atomic
def answer_create(*, actor: User, version: SolutionVersion, data: dict[str, Any]) -> SolutionAnswer:
    """``requirement`` is answered by ``section`` or ``quote_line`` of this version."""
    version = lock_version(version)
    require_work(actor, version.solution.opportunity)
    _require_draft(version)
    requirement: Requirement | None = data.get("requirement")
    section: SolutionSection | None = data.get("section")
    line: QuoteLine | None = data.get("quote_line")
    errors: dict[str, list[str]] = {}
    if requirement is None or requirement.opportunity_id != version.solution.opportunity_id:
        errors["requirement"] = [_("Choose a requirement of this opportunity.")]
    if (section is None) == (line is None):
        errors["section"] = [_("Choose one section or one quote line.")]
    if section is not None and section.solution_version_id != version.pk:
        errors["section"] = [_("Choose a section of this version.")]
    if line is not None and line.solution_version_id != version.pk:
        errors["quote_line"] = [_("Choose a quote line of this version.")]
    if errors:
        raise DomainError(fields=errors)
    answer = SolutionAnswer(
        solution_version=version,
        requirement=requirement,
        section=section,
        quote_line=line,
        note=data.get("note", ""),
    )
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError:
        raise DomainError(fields={"requirement": [_("This answer is already recorded.")]}) from None
    return answer


@transaction.atomic
def answer_delete(*, actor: User, answer: SolutionAnswer) -> None:
    version = lock_version(answer.solution_version)
    require_work(actor, version.solution.opportunity)
    _require_draft(version)
    answer.delete()


# --- the lifecycle (R-SOL-3, R-SOL-5) ----------------------------------------------------


@transaction.atomic
def version_submit(*, actor: User, version: SolutionVersion) -> SolutionVersion:
    """The presales owner (or any worker of the opportunity) sends the version to review:
    it freezes (R-SOL-3), takes the opportunity's currency and rate for its quote, meets
    its writers' deadlines and the solution's revision deadline, and starts its review
    (kind ``solution_version``)."""
    version = lock_version(version)
    opportunity = version.solution.opportunity
    MACHINE.check(version, actor, "submit")
    now = timezone.now()
    _take_rate(version, opportunity)
    _move(version, actor=actor, move="submit", facts={"submitted_at": now})
    for section in version.sections.all():
        timers.section_timer_done(section, at=now)
    timers.revision_timer_satisfy(version.solution, at=now)
    review_start(actor=actor, subject=version, kind=KIND)
    return version


@transaction.atomic
def version_withdraw(*, actor: User, version: SolutionVersion, reason: str) -> SolutionVersion:
    """Take the version back from review (it stays frozen, as withdrawn; the changes go into
    the next version). Its review is cancelled with the reason (R-REV-5)."""
    version = lock_version(version)
    _move(version, actor=actor, move="withdraw", note=reason, reason=reason)
    review_cancel_for_subject(actor=actor, subject=version, reason=reason)
    return version


def version_on_approved(*, subject: SolutionVersion, review: Any, actor: User) -> None:
    """Review engine callback (inside the deciding transaction): the version is approved."""
    version = lock_version(subject)
    _move(version, actor=actor, move="approve", facts={"decided_at": timezone.now()}, check_permission=False)


def version_on_rejected(*, subject: SolutionVersion, review: Any, actor: User) -> None:
    """Review engine callback: the version returns to its author with the comments; the
    author writes the next version (R-REV-5)."""
    version = lock_version(subject)
    _move(
        version,
        actor=actor,
        move="reject",
        note=review.outcome_note,
        facts={"decided_at": timezone.now()},
        check_permission=False,
    )


def version_on_cancelled(*, subject: SolutionVersion, review: Any, actor: User) -> None:
    """Review engine callback: the review was withdrawn; a version still in review is
    withdrawn with it (a withdrawal through ``version_withdraw`` already moved it)."""
    version = lock_version(subject)
    if version.status == VersionStatus.IN_REVIEW:
        _move(version, actor=actor, move="cancel", note=review.outcome_note, check_permission=False)


@transaction.atomic
def version_mark_presented(
    *, actor: User, version: SolutionVersion, at: datetime | None = None
) -> SolutionVersion:
    """R-SOL-5: the version went to the customer; only an approved version may."""
    version = lock_version(version)
    _move(version, actor=actor, move="present", facts={"presented_at": at or timezone.now()})
    return version


def approval_reasons(version: SolutionVersion) -> list[str]:
    """R-SOL-5, the one rule: why ``version`` may not reach the customer yet (presented,
    exported as a customer copy, accepted, shown in a demo); none once its review approved it
    (``SolutionVersion.is_approved``; lists filter with ``SolutionVersion.objects.approved()``).
    Guards that return reasons (the demos' moves) ask here; services raise through
    :func:`require_approved`."""
    if version.is_approved:
        return []
    return [_("The solution version is not approved.")]


def require_approved(version: SolutionVersion, what: str) -> None:
    """R-SOL-5: nothing of a version reaches the customer before its review approved it."""
    reasons = approval_reasons(version)
    if reasons:
        raise Conflict(
            _("%(what)s: the version's review must approve it first (it is %(status)s).")
            % {"what": what, "status": version.get_status_display()},
            code="version_not_approved",
            reasons=reasons,
        )


@transaction.atomic
def acceptance_record(*, actor: User, version: SolutionVersion, data: dict[str, Any]) -> Acceptance:
    """R-SOL-6: the customer accepted ``version`` (who, how, when, optional evidence). The
    version must be approved and presented; an earlier acceptance on the opportunity is
    superseded (one accepted version per opportunity at a time)."""
    version = lock_version(version)
    opportunity = version.solution.opportunity
    require_work(actor, opportunity)
    require_approved(version, _("Recording the customer's acceptance"))
    if version.presented_at is None:
        raise Conflict(
            _("Mark the version as presented before recording its acceptance."), code="not_presented"
        )
    acceptance = Acceptance(opportunity=opportunity, solution_version=version, recorded_by=actor)
    evidence = data.get("evidence")
    apply_fields(acceptance, {k: v for k, v in data.items() if k != "evidence"}, ACCEPTANCE_FIELDS)
    if evidence:
        # Checked by content, stored under a random name (presales/core/uploads.py).
        save_upload(
            acceptance.evidence,
            evidence,
            validate_upload(evidence, field="evidence", allowed=ACCEPTANCE_EVIDENCE),
        )
    contact = data.get("contact")
    if contact is not None and contact.customer_id != opportunity.customer_id:
        raise DomainError(fields={"contact": [_("Choose a contact of this opportunity's customer.")]})
    if acceptance.accepted_at and acceptance.accepted_at > timezone.now() + timedelta(minutes=5):
        raise DomainError(fields={"accepted_at": [_("The acceptance cannot be in the future.")]})
    validate(acceptance, exclude=["opportunity"])
    Acceptance.objects.filter(opportunity=opportunity, superseded_at__isnull=True).update(
        superseded_at=timezone.now()
    )
    acceptance.save()
    return acceptance


@transaction.atomic
def feedback_record(*, actor: User, version: SolutionVersion, data: dict[str, Any]) -> Feedback:
    """R-SOL-3: the customer's feedback on a presented version; the revised version is owed
    within the revision limit (48 h by default), by the version's author."""
    version = lock_version(version)
    require_work(actor, version.solution.opportunity)
    if version.presented_at is None:
        raise Conflict(
            _("Feedback is recorded on a version presented to the customer."), code="not_presented"
        )
    feedback = Feedback(solution_version=version, recorded_by=actor)
    apply_fields(feedback, data, FEEDBACK_FIELDS)
    if feedback.received_at is None:
        feedback.received_at = timezone.now()
    validate(feedback)
    feedback.save()
    owner = version.solution.opportunity.presales_owner or version.author
    timers.revision_timer_start(version.solution, owner=owner, start=feedback.received_at)
    notifications.notify_feedback(feedback, owner=owner, actor=actor)
    return feedback


def versions_on_opportunity_closed(*, opportunity: Opportunity, actor: User) -> None:
    """The opportunity closed (lost, abandoned): nothing of its solutions is awaited any more.
    Reviews in progress are withdrawn (the versions become withdrawn through
    ``version_on_cancelled``), writers' and revision deadlines are cancelled. Called under
    the opportunity's lock by the close move, through ``opportunities.hooks.register_on_closed``
    (registered in proposals/solutions/gates.py ``register_all``)."""
    reason = _("The opportunity was closed (%(stage)s).") % {"stage": opportunity.get_stage_display()}
    for version in SolutionVersion.objects.filter(
        solution__opportunity=opportunity, status=VersionStatus.IN_REVIEW
    ):
        review_cancel_for_subject(actor=actor, subject=version, reason=reason)
    for section in SolutionSection.objects.filter(
        solution_version__solution__opportunity=opportunity, done_at__isnull=True, writer__isnull=False
    ):
        timers.section_timer_cancel(section, reason=reason)
    for solution in Solution.objects.filter(opportunity=opportunity):
        timers.revision_timer_cancel(solution, reason=reason)

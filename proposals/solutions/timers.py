"""The deadlines of solutions (R-SOL-1, R-SOL-3).

- ``solution_section_due`` (registered here, fixed: the section's due date, end of that day
  in the company's time zone): started when a section is given a writer and a due date,
  owned by the writer; satisfied when the writer marks it done or the version is submitted;
  cancelled (and started anew) when the writer or the date changes, cancelled when the
  section is deleted.
- ``solution_revision`` (presales/sla/defaults.py, 48 h): started on the solution by customer
  feedback on a presented version; satisfied when the solution's next version is submitted.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.defaults import SOLUTION_REVISION
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.services import timer_cancel, timer_satisfy, timer_start
from presales.sla.subjects import register_timer_subject
from proposals.models import Solution, SolutionSection

SECTION_DUE = "solution_section_due"

__all__ = ["SECTION_DUE", "SOLUTION_REVISION", "register", "section_timer_sync"]


def end_of(day) -> datetime:
    """The end of ``day`` in the company's time zone."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def section_timer_sync(section: SolutionSection, *, before: tuple[Any, Any] | None, reason: str = "") -> None:
    """Start, restart or cancel the section's timer after its writer or due date changed
    (``before`` = (writer id, due date) before the change; None for a new section)."""
    now = (section.writer_id, section.due_date)
    if before == now:
        return
    if before is not None and before[0] is not None and before[1] is not None:
        timer_cancel(
            kind=SECTION_DUE, subject=section, reason=reason or str(_("The writer or the due date changed."))
        )
    if section.writer_id is not None and section.due_date is not None and section.done_at is None:
        timer_start(
            kind=SECTION_DUE,
            subject=section,
            owner=section.writer,
            due_at=end_of(section.due_date),
            team=section.solution_version.solution.opportunity.team,
        )


def section_timer_done(section: SolutionSection, *, at: datetime) -> None:
    timer_satisfy(kind=SECTION_DUE, subject=section, at=at)


def section_timer_cancel(section: SolutionSection, *, reason: str) -> None:
    timer_cancel(kind=SECTION_DUE, subject=section, reason=reason)


def revision_timer_start(solution: Solution, *, owner: Any, start: datetime) -> None:
    timer_start(
        kind=SOLUTION_REVISION, subject=solution, owner=owner, start=start, team=solution.opportunity.team
    )


def revision_timer_cancel(solution: Solution, *, reason: str) -> None:
    timer_cancel(kind=SOLUTION_REVISION, subject=solution, reason=reason)


def revision_timer_satisfy(solution: Solution, *, at: datetime) -> None:
    timer_satisfy(kind=SOLUTION_REVISION, subject=solution, at=at)


def register() -> None:
    register_timer_kind(
        TimerKind(
            SECTION_DUE,
            _("Solution section due"),
            "R-SOL-1",
            PolicyValues(None, LimitUnit.FIXED, (24,), EscalationTarget.OWNER_MANAGER),
            _(
                "Started when a solution section is given a writer and a due date; satisfied when the "
                "writer marks it done or the version is submitted."
            ),
        )
    )
    register_timer_subject(
        "proposals.SolutionSection",
        lambda: SolutionSection.objects.select_related("solution_version__solution"),
    )
    register_timer_subject("proposals.Solution", lambda: Solution.objects.all())

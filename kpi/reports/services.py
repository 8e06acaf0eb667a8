"""Write use cases of the monthly team report (R-KPI-3).

Keyword-only and atomic; the report is re-read under ``select_for_update()`` before a change
and the permission checked inside (the team's manager, a general manager or an admin). A
submitted report is frozen: generating its figures again, editing its sections and submitting
it again are refused (409 ``frozen``) on every route (web, API, admin, direct call).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.models.reports import RECIPIENT_ROLES, SECTION_FIELDS, ReportStatus, TeamReport
from kpi.periods import Period, PeriodKind
from kpi.reports import notifications, selectors
from kpi.reports.transitions import MACHINE, may_manage
from presales.accounts.models import Team, User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.roles import Actor
from presales.core.writes import apply_fields, check_version, save_as, validate


def _frozen() -> Conflict:
    return Conflict(_("This report was submitted: it can no longer be changed."), code="frozen")


def _month(month: Period) -> Period:
    if month.kind != PeriodKind.MONTH:
        raise DomainError(fields={"month": [_("A team report is for one month, e.g. 2026-11.")]})
    if month.start > Period.current().start:
        raise DomainError(fields={"month": [_("A report cannot be generated for a future month.")]})
    return month


def _lock(report: TeamReport) -> TeamReport:
    return TeamReport.objects.select_for_update(of=("self",)).select_related("team").get(pk=report.pk)


def _fill(report: TeamReport) -> None:
    report.figures = selectors.report_figures(report.team_id, Period(report.month, PeriodKind.MONTH))
    report.generated_at = timezone.now()
    if not report.market_feedback.strip():
        report.market_feedback = selectors.market_feedback_text(report.figures)


@transaction.atomic
def report_generate(*, team: Team, month: Period, actor: Actor | None) -> TeamReport:
    """Create the team's draft for ``month`` with its figures, or regenerate the figures of
    the draft (the written sections are kept; the market feedback is pre-filled when empty).
    ``actor`` None is the monthly task."""
    if actor is not None and not may_manage(actor, team):
        raise NotAllowed(_("Only the team's manager, a general manager or an admin generates its report."))
    month = _month(month)
    try:
        with transaction.atomic():
            report, _created = TeamReport.objects.get_or_create(
                team=team,
                month=month.start,
                defaults={"author_id": getattr(actor, "pk", None) or team.manager_id},
            )
    except IntegrityError:  # created at the same moment by another request: use it
        report = TeamReport.objects.get(team=team, month=month.start)
    report = _lock(report)
    if report.is_frozen:
        raise _frozen()
    _fill(report)
    save_as(report, actor)
    return report


@transaction.atomic
def report_update(
    *, actor: Actor, report: TeamReport, data: Mapping[str, Any], expected_version: int | None = None
) -> TeamReport:
    """Edit the written sections of a draft."""
    row = _lock(report)
    if not may_manage(actor, row):
        raise NotAllowed(_("Only the team's manager, a general manager or an admin edits its report."))
    if row.is_frozen:
        raise _frozen()
    check_version(row, expected_version)
    apply_fields(row, data, SECTION_FIELDS)
    validate(row)
    save_as(row, actor)
    return row


def recipients_of(report: TeamReport) -> list[User]:
    """The general managers and department heads, and the manager's own manager (the manager
    of the team the team's manager belongs to), active: one query."""
    manager = report.team.manager
    home = manager.team if manager is not None else None
    above = home.manager_id if home is not None else None
    condition = Q(groups__name__in=list(RECIPIENT_ROLES))
    if above:
        condition |= Q(pk=above)
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _move(report: TeamReport, name: str, actor: Actor, at: datetime) -> None:
    """The report's one status-writing function: check the move, write the status."""
    move = MACHINE.check(report, actor, name)
    report.status = move.target
    if move.target == ReportStatus.SUBMITTED:
        report.submitted_at = at
        report.submitted_by_id = actor.pk


@transaction.atomic
def report_submit(*, actor: Actor, report: TeamReport, expected_version: int | None = None) -> TeamReport:
    """Submit the draft to the recipients (``recipients_of``), who are told; it is frozen."""
    row = _lock(report)
    if not may_manage(actor, row):
        raise NotAllowed(_("Only the team's manager, a general manager or an admin submits its report."))
    if row.is_frozen:
        raise _frozen()
    check_version(row, expected_version)
    _move(row, "submit", actor, timezone.now())
    if row.author_id is None:
        row.author_id = actor.pk
    save_as(row, actor)
    recipients = [person for person in recipients_of(row) if person.pk != actor.pk]
    row.submitted_to.set(recipients)
    notifications.report_submitted(row, recipients, actor=actor)
    return row


def reports_generate_monthly(*, today: Any = None) -> list[TeamReport]:
    """The monthly task (on the 1st): a draft of last month's report for every team with a
    manager that has none yet, its manager told. Idempotent: a team whose report exists
    (draft or submitted) is skipped, and the notification's key is unique."""
    today = today or timezone.localdate()
    month = Period.containing(today).previous()
    done = set(TeamReport.objects.filter(month=month.start).values_list("team_id", flat=True))
    created = []
    for team in Team.objects.filter(manager__isnull=False).exclude(pk__in=done).select_related("manager"):
        with transaction.atomic():
            report = report_generate(team=team, month=month, actor=None)
            notifications.report_drafted(report)
        created.append(report)
    return created

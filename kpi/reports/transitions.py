"""The monthly team report's one move (R-KPI-3): draft → submitted. Submitted is final: the
services refuse every change of a submitted report (its figures and its sections)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi.models.reports import ALL_REPORT_ROLES, ReportStatus
from presales.core.roles import Role
from presales.core.statemachine import Machine, Move


def may_manage(actor: Any, report_or_team: Any) -> bool:
    """The team's manager, a general manager or an admin writes and submits the report."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser or actor.has_role(Role.GENERAL_MANAGER, Role.ADMIN):
        return True
    team = getattr(report_or_team, "team", report_or_team)
    return team is not None and team.manager_id == actor.pk


def may_read_all(actor: Any) -> bool:
    return actor.is_superuser or actor.has_role(*ALL_REPORT_ROLES)


def _has_summary(report: Any, actor: Any, **_context: Any) -> list[str]:
    return [] if report.summary.strip() else [_("Write the summary before submitting.")]


def _has_figures(report: Any, actor: Any, **_context: Any) -> list[str]:
    return [] if report.generated_at else [_("Generate the figures before submitting.")]


MACHINE = Machine(
    [
        Move(
            name="submit",
            sources=frozenset({ReportStatus.DRAFT}),
            target=ReportStatus.SUBMITTED,
            label=gettext_lazy("Submit"),  # type: ignore[arg-type]  # shown translated
            guards=(_has_figures, _has_summary),
            permission=may_manage,
        )
    ]
)

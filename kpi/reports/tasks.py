"""Celery tasks of the monthly team report (R-KPI-3): thin wrappers calling one service.
Imported by ``kpi.reports.registry.register()`` so that the worker knows them."""

from celery import shared_task

from kpi.reports.services import reports_generate_monthly


@shared_task(name="kpi.reports.tasks.generate_team_reports_task")
def generate_team_reports_task() -> int:
    """Monthly (beat, the 1st): last month's draft report for every team with a manager."""
    return len(reports_generate_monthly())

"""Background work of the analytics (R-KPI-3)."""

from __future__ import annotations

from celery import shared_task

from kpi.analytics.summary import refresh_summary


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_analytics_summary_task() -> int:
    """Bring the analytics' summary up to date: only the groups changed since the last
    refresh (beat: every 15 minutes); idempotent."""
    return refresh_summary()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rebuild_analytics_summary_task() -> int:
    """Rebuild the analytics' summary whole (beat: nightly), catching what no change mark
    records (a changed company calendar, a deleted team); idempotent."""
    return refresh_summary(full=True)

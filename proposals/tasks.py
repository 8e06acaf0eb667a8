"""Celery tasks of the proposals app (found by ``autodiscover_tasks``), one import per area."""

from proposals.demos.tasks import start_demo_feedback_timers_task

__all__ = ["start_demo_feedback_timers_task"]

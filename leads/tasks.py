"""Celery tasks of leads and customers: thin wrappers that call one service."""

from celery import shared_task
from django.utils import timezone

from leads.services import customer_review_grades


@shared_task(name="leads.tasks.review_customer_grades_task")
def review_customer_grades_task() -> int:
    """Monthly (beat): downgrade A customers without progress for 3 months (R-CUST-3)."""
    return len(customer_review_grades(now=timezone.now()))

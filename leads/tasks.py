"""Celery tasks of leads and customers: thin wrappers that call one service."""

from celery import shared_task
from django.utils import timezone

from leads.cadence import cadence_backfill
from leads.services import customer_review_grades
from leads.tiering import customers_suggest_tiers


@shared_task(name="leads.tasks.review_customer_grades_task")
def review_customer_grades_task() -> int:
    """Monthly (beat): downgrade A customers without progress for 3 months (R-CUST-3)."""
    return len(customer_review_grades(now=timezone.now()))


@shared_task(name="leads.tasks.backfill_cadence_task")
def backfill_cadence_task() -> int:
    """Monthly (beat): align every active customer's contact-cadence timers (R-CUST-7)."""
    return cadence_backfill()


@shared_task(name="leads.tasks.suggest_tiers_task")
def suggest_tiers_task() -> int:
    """Monthly (beat): re-compute every active customer's suggested tier (R-CUST-4)."""
    return customers_suggest_tiers(now=timezone.now())

"""Start or align the contact-cadence timers of every active customer (R-CUST-7); idempotent."""

from django.core.management.base import BaseCommand

from leads.cadence import cadence_backfill


class Command(BaseCommand):
    help = "Start or align every active customer's contact-cadence timers (R-CUST-7)."

    def handle(self, *args, **options) -> None:
        count = cadence_backfill()
        self.stdout.write(f"{count} customers checked")

"""Bring the analytics' summary up to date now (R-KPI-3); ``--full`` rebuilds it whole."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from kpi.analytics.summary import refresh_summary


class Command(BaseCommand):
    help = "Refresh the analytics summary (the changed groups; --full: everything)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="rebuild every group, not only the changed ones"
        )

    def handle(self, *args, full: bool = False, **options) -> None:
        started = time.monotonic()
        rows = refresh_summary(full=full)
        self.stdout.write(f"analytics summary: {rows} rows in {time.monotonic() - started:.1f}s")

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.builders import BUILDERS, DemoContext


class Command(BaseCommand):
    help = "Load the bilingual demo data (idempotent: running it twice gives the same data)."

    def handle(self, *args, **options):
        ctx = DemoContext()
        with transaction.atomic():
            for dotted in BUILDERS:
                import_module(dotted).build(ctx)
                self.stdout.write(f"  demo: {dotted.rsplit('.', 1)[-1]} loaded")
        for line in ctx.log:
            self.stdout.write(line)

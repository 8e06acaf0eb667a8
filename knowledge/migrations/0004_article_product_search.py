"""The reusable bid answers are filtered by product (the defence answer library, R-BID-3):
the product gets the core's substring search index (presales.core.search)."""

from django.db import migrations

from presales.core.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_rank_vector")]

    operations = [CreateSearchIndex("article", "product")]

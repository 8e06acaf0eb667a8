"""The GIN index over the articles' search keys (PostgreSQL only; SQLite searches with icontains)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS kb_article_search ON knowledge_article USING gin (search_vector)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS kb_article_search")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_articles")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

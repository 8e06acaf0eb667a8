"""Issue 9: extended statistics for the opportunity visibility predicate.

The team-scope predicate ORs ``team_id IN (...)`` with ``sales_owner_id = u`` and
``presales_owner_id = u``; owners work in their own team, so a multivariate MCV list over
the three columns gives PostgreSQL the real combinations instead of independent guesses.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0007_list_indexes_issue9")]

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE STATISTICS IF NOT EXISTS opportunity_team_owners_stats (mcv, dependencies) "
                "ON team_id, sales_owner_id, presales_owner_id FROM presales_opportunity",
                "ANALYZE presales_opportunity",
            ],
            reverse_sql=["DROP STATISTICS IF EXISTS opportunity_team_owners_stats"],
        )
    ]

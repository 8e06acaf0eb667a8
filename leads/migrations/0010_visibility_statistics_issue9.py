"""Issue 9: extended statistics for the visibility predicate.

The team-scope predicate ORs ``team_id IN (...)`` with ``owner_id = u`` (and, on leads,
``presales_owner_id = u``). Owners work in their own team, so the columns are far from
independent; a multivariate MCV list lets PostgreSQL estimate the OR from the real
(team, owner) combinations instead of multiplying the two selectivities.
"""

from django.db import migrations

STATISTICS = [
    ("customer_team_owner_stats", "leads_customer", "team_id, owner_id"),
    ("lead_team_owners_stats", "leads_lead", "team_id, owner_id, presales_owner_id"),
]


class Migration(migrations.Migration):
    dependencies = [("leads", "0009_list_indexes_issue9")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"CREATE STATISTICS IF NOT EXISTS {name} (mcv, dependencies) ON {columns} FROM {table}",
                f"ANALYZE {table}",
            ],
            reverse_sql=[f"DROP STATISTICS IF EXISTS {name}"],
        )
        for name, table, columns in STATISTICS
    ]

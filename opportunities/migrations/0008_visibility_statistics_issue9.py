"""Issue 9: statistics for the opportunity visibility predicate (see leads 0010).

- Person columns: a per-user piece (``sales_owner_id = u``, ``user_id = u`` on the project
  team) is estimated from the most-common-values list; a target of 1000 lists every person
  with a noticeable share, so a person on a few opportunities is planned as such.
- ``team_id IN (...) OR sales_owner_id = u OR presales_owner_id = u``: owners work in their
  own team; a multivariate MCV list gives the real combinations.
"""

from django.db import migrations

from presales.core.migration_ops import RunSQLOnPostgres

PERSON_COLUMNS = [
    ("presales_opportunity", "sales_owner_id"),
    ("presales_opportunity", "presales_owner_id"),
    ("presales_projectmember", "user_id"),
]


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0007_list_indexes_issue9")]

    operations = [
        *(
            RunSQLOnPostgres(
                sql=f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS 1000",
                reverse_sql=f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS -1",
            )
            for table, column in PERSON_COLUMNS
        ),
        RunSQLOnPostgres(
            sql="CREATE STATISTICS IF NOT EXISTS opportunity_team_owners_stats (mcv, dependencies) "
            "ON team_id, sales_owner_id, presales_owner_id FROM presales_opportunity",
            reverse_sql="DROP STATISTICS IF EXISTS opportunity_team_owners_stats",
        ),
        RunSQLOnPostgres(
            sql="ANALYZE presales_opportunity, presales_projectmember",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]

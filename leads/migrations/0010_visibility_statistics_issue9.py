"""Issue 9: statistics for the visibility predicate.

- Person columns (who owns, who is assigned): a per-user piece of the predicate is
  estimated from the column's most-common-values list; with the default target (100) most
  people fall outside it and get the average row count, so a person on five records is
  planned as if on thousands (a parallel plan for a handful of rows). A target of 1000
  lists every person with a noticeable share.
- The team-scope predicate ORs ``team_id IN (...)`` with ``owner_id = u``: owners work in
  their own team, so the columns are far from independent; a multivariate MCV list gives
  the real (team, owner) combinations instead of multiplying two selectivities.
"""

from django.db import migrations

from presales.core.migration_ops import RunSQLOnPostgres

PERSON_COLUMNS = [
    ("leads_customer", "owner_id"),
    ("leads_customerpresales", "user_id"),
    ("leads_lead", "owner_id"),
    ("leads_lead", "presales_owner_id"),
]
STATISTICS = [
    ("customer_team_owner_stats", "leads_customer", "team_id, owner_id"),
    ("lead_team_owners_stats", "leads_lead", "team_id, owner_id, presales_owner_id"),
]


class Migration(migrations.Migration):
    dependencies = [("leads", "0009_list_indexes_issue9")]

    operations = [
        *(
            RunSQLOnPostgres(
                sql=f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS 1000",
                reverse_sql=f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS -1",
            )
            for table, column in PERSON_COLUMNS
        ),
        *(
            RunSQLOnPostgres(
                sql=f"CREATE STATISTICS IF NOT EXISTS {name} (mcv, dependencies) ON {columns} FROM {table}",
                reverse_sql=f"DROP STATISTICS IF EXISTS {name}",
            )
            for name, table, columns in STATISTICS
        ),
        RunSQLOnPostgres(
            sql="ANALYZE leads_customer, leads_customerpresales, leads_lead",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]

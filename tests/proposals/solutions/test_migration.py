"""The frozen-version triggers are PostgreSQL's (R-SOL-3); on SQLite (``demo runstack``) the
migration skips them and the services' refusal holds alone."""

from __future__ import annotations

import importlib
from unittest import mock

from presales.core.migration_ops import RunSQLOnPostgres

migration = importlib.import_module("proposals.migrations.0002_solution_content")


def _trigger_op() -> RunSQLOnPostgres:
    (op,) = [o for o in migration.Migration.operations if isinstance(o, RunSQLOnPostgres)]
    return op


def _editor(vendor: str) -> mock.Mock:
    editor = mock.Mock()
    editor.connection.vendor = vendor
    editor.connection.alias = "default"
    editor.connection.ops.prepare_sql_script.side_effect = lambda sql: [sql]
    return editor


def test_triggers_created_on_postgres_only_R_SOL_3():
    op = _trigger_op()
    assert "proposals_refuse_frozen_content" in op.sql and "proposals_version_frozen" in op.sql
    sqlite = _editor("sqlite")
    op.database_forwards("proposals", sqlite, mock.Mock(), mock.Mock())
    sqlite.execute.assert_not_called()
    postgres = _editor("postgresql")
    op.database_forwards("proposals", postgres, mock.Mock(), mock.Mock())
    assert postgres.execute.called

"""Substring search served by an index, for Chinese and Latin text (issue 9, build 6).

Every list's ``q`` finds the rows whose fields *contain* the query, wherever it stands:
"北京" in "北京华东精密制造有限公司", "tech" in "Pacific Technology Inc.". A plain
``icontains`` (``UPPER(col) LIKE '%…%'``) can use no index, and pg_trgm cannot serve a
two-character Chinese infix (a two-character pattern has no whole trigram), so on PostgreSQL
a searchable column gets an expression GIN index over its *search keys*:

- the value is folded: NFKC (full-width ``ＡＢＣ１２３`` reads as ``abc123``, half-width
  katakana as full-width) and lower case;
- its keys are every character and every pair of adjacent characters of the folded value
  (``presales_search_grams``): "华东精密" → 华, 东, 精, 密, 华东, 东精, 精密.

A query of one or two characters is one key, and holding that key *is* containing the
query. A longer query needs all of its pairs, which is necessary but not sufficient ("京大北京"
holds 北京 and 京大, the pairs of "北京大", without containing it), so the folded ``LIKE`` is
checked again on the rows the index returns. The index is on an expression of the column:
there is no column to keep in step, so every writer (services, admin, imports, raw SQL) is
covered.

The query side is written so that the planner reads the index first: it estimates the
folded ``LIKE`` as rare, so it takes the bitmap of the search index (and, with a team
filter, ANDs it with that index) and sorts the matches, instead of walking the list's
ordering index and testing every row until it has a page, which costs a full scan when the
matches sit late in that order (README "Search"; figures in docs/architecture.md "Search").

Apps make a field searchable with one migration operation, :class:`CreateSearchIndex`, and
search with :func:`search` (or :func:`search_q`). On other databases (SQLite for
``make run``) the operation does nothing and the search is ``icontains``.

Not matched: Traditional against Simplified characters (臺 vs 台), pinyin, word stems,
spelling variants; nothing is ranked (the list keeps its ordering).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.models import BooleanField, Expression, F, Model, Q, QuerySet, TextField, Value
from django.db.models.sql.compiler import SQLCompiler
from django.db.utils import NotSupportedError

M = TypeVar("M", bound=Model)

#: The SQL functions the indexes and the queries use (PostgreSQL). ``CREATE OR REPLACE``:
#: every :class:`CreateSearchIndex` runs it, so each app's migration stands alone. The index
#: stores what ``presales_search_grams`` returned when the row was written: a change to
#: its result needs a new function name and new indexes, never an edit of this body.
#: The PL/pgSQL bodies call only built-in functions (a restore runs with an empty
#: search_path); the SQL bodies are bound when created.
FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION presales_search_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(normalize(value, NFKC));

CREATE OR REPLACE FUNCTION presales_search_grams(value text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    s text := lower(normalize(value, NFKC));
    n integer := length(s);
    keys text[] := '{}';
BEGIN
    FOR i IN 1 .. n LOOP
        keys := keys || substr(s, i, 1);
    END LOOP;
    FOR i IN 1 .. n - 1 LOOP
        keys := keys || substr(s, i, 2);
    END LOOP;
    RETURN keys;
END
$$;

CREATE OR REPLACE FUNCTION presales_search_query(value text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    s text := lower(normalize(value, NFKC));
    n integer := length(s);
    keys text[] := '{}';
BEGIN
    IF n <= 2 THEN
        RETURN ARRAY[s];
    END IF;
    FOR i IN 1 .. n - 1 LOOP
        keys := keys || substr(s, i, 2);
    END LOOP;
    RETURN keys;
END
$$;

CREATE OR REPLACE FUNCTION presales_search_pattern(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN '%' || replace(replace(replace(presales_search_fold(value), '\', '\\'), '%', '\%'), '_', '\_')
        || '%';
"""


def index_name(table: str, column: str) -> str:
    """The search index's name for a column (PostgreSQL names are at most 63 bytes)."""
    return f"{table}_{column}_search"[-63:].lstrip("_")


class CreateSearchIndex(Operation):
    """Make ``model.field`` searchable: the GIN index over its search keys (PostgreSQL only;
    nothing on other databases, whose search is ``icontains``). Use it in the app's own
    migration: ``CreateSearchIndex("customer", "name")``. No model state changes, so
    ``makemigrations`` neither adds nor removes it."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, field: str) -> None:
        self.model_name = model_name
        self.field = field

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [self.model_name, self.field], {}

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def _table_and_column(self, app_label: str, state: ProjectState) -> tuple[str, str]:
        model = state.apps.get_model(app_label, self.model_name)
        return model._meta.db_table, model._meta.get_field(self.field).column

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table, column = self._table_and_column(app_label, to_state)
        quote = schema_editor.quote_name
        schema_editor.execute(FUNCTIONS_SQL, params=None)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index_name(table, column))} "
            f"ON {quote(table)} USING gin (presales_search_grams({quote(column)}))",
            params=None,
        )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table, column = self._table_and_column(app_label, from_state)
        schema_editor.execute(
            f"DROP INDEX IF EXISTS {schema_editor.quote_name(index_name(table, column))}", params=None
        )

    def describe(self) -> str:
        return f"Create the search index of {self.model_name}.{self.field} (PostgreSQL)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_{self.field}_search"


class _SearchTest(Expression):
    """One test of a column against a query, compiled from ``template`` (PostgreSQL only)."""

    conditional = True
    output_field = BooleanField()
    template = ""

    def __init__(self, expression: str | Expression, query: str) -> None:
        super().__init__(output_field=BooleanField())
        # An F until the query resolves it (to a column, across joins if need be).
        self.expression: Any = F(expression) if isinstance(expression, str) else expression
        self.query = Value(query, output_field=TextField())

    def get_source_expressions(self) -> list[Any]:
        return [self.expression, self.query]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.expression, self.query = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        if connection.vendor != "postgresql":
            raise NotSupportedError("The search index needs PostgreSQL; search_q() falls back to icontains.")
        column, column_params = compiler.compile(self.expression)
        query, query_params = compiler.compile(self.query)
        sql = self.template.replace("{column}", column).replace("{query}", query)
        params: list[Any] = []
        for part in self.template.split("{")[1:]:
            params.extend(column_params if part.startswith("column}") else query_params)
        return sql, tuple(params)


class HasSearchKeys(_SearchTest):
    """The column holds every search key of the query: what the GIN index answers. Necessary
    for containing the query; sufficient up to two characters."""

    template = "presales_search_grams({column}) @> presales_search_query({query})"


class FoldedContains(_SearchTest):
    """The folded column contains the folded query (``%`` and ``_`` in it are text): the exact
    test, run on the rows the index returned. The planner estimates a ``LIKE '%…%'`` as rare,
    which is what makes it read the search index first (see the module docstring)."""

    template = "presales_search_fold({column}) LIKE presales_search_pattern({query})"


class TextContains(_SearchTest):
    """``query`` occurs in the column's text (folded: NFKC, lower case), answered from the
    column's search index. The ``LIKE`` comes first: where the planner tests rows one by one
    it is the cheaper test, and the keys are computed only for the rows it lets through."""

    template = (
        "(presales_search_fold({column}) LIKE presales_search_pattern({query})"
        " AND presales_search_grams({column}) @> presales_search_query({query}))"
    )


def search_q(value: str, fields: Iterable[str], *, vendor: str) -> Q:
    """Rows where any of ``fields`` contains ``value``: the indexed test on PostgreSQL,
    ``icontains`` on any other ``vendor`` (SQLite: small demo data, no index).

    On PostgreSQL it is (keys of field 1 OR keys of field 2 …) AND (field 1 contains OR
    field 2 contains …), which selects the same rows as OR-ing each field's (keys AND
    contains), because containing the query implies holding its keys. Written so, the first
    half is answered by the OR of the fields' index bitmaps and dropped from the per-row
    test, which is then the folded ``LIKE`` only (the keys are not computed row by row)."""
    fields = list(fields)
    if vendor != "postgresql":
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return condition
    keys, texts = Q(), Q()
    for field in fields:
        keys |= Q(HasSearchKeys(field, value))
        texts |= Q(FoldedContains(field, value))
    return keys & texts


def search(queryset: QuerySet[M], value: str, fields: Sequence[str]) -> QuerySet[M]:
    """``queryset`` narrowed to the rows where any of ``fields`` contains ``value`` (case-
    insensitive; on PostgreSQL also full-width = half-width); a blank value leaves it as is.

    Each field needs a :class:`CreateSearchIndex` (a field of a related model, such as
    ``customer__name``, uses that model's index). Fields of one table are OR'ed (one bitmap
    per index, OR'ed); when a field sits across a relation the matches are the union of one
    subquery per field, because an OR across a join can use neither index."""
    value = value.strip()
    if not value:
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor != "postgresql" or not any("__" in field for field in fields):
        return queryset.filter(search_q(value, fields, vendor=vendor))
    manager = queryset.model._base_manager.using(queryset.db)
    first, *others = (
        manager.filter(search_q(value, [field], vendor=vendor)).values("pk") for field in fields
    )
    return queryset.filter(pk__in=first.union(*others) if others else first)

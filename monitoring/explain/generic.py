"""Generic plans for statements with ``$n`` placeholders (normalized pg_stat_statements text).

The text is first made plannable by the workload rewriter the advisor uses too (``pgsql.workload``):
``date $1`` becomes ``CAST($1 AS date)``, untyped placeholders get the type their context implies. We
reuse it rather than keep a second one. Then:

* PostgreSQL 16+: ``EXPLAIN (GENERIC_PLAN, FORMAT JSON) <statement>``.
* Before 16: ``PREPARE`` it (the server infers the parameter types) and ``EXPLAIN EXECUTE`` it with
  NULLs under ``plan_cache_mode = force_generic_plan`` — a generic plan never looks at the values.

A placeholder the server still cannot type is retried as text, inside a savepoint so one failed attempt
does not abort the caller's (rolled-back) transaction. Statements go over the simple query protocol (no
client-side parameters): over the extended protocol the server would want a value for ``$1``.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import errors as pgerrors

from monitoring.explain.statement import Statement
from pgsql.workload import AnalyzedStatement, WorkloadStatement, analyze_workload
from pgsql.workload.plannable import drop_interval_precision

GENERIC_PLAN_MAJOR = 16
PREPARED_NAME = "dbconsole_explain"
MAX_FORCED_TYPES = 8
_PARAMETER = re.compile(r"parameter \$(\d+)")


def explain_generic(conn: psycopg.Connection[Any], statement: Statement, major: int,
                    options: list[str]) -> list[dict[str, Any]]:
    """The generic plan of ``statement`` as EXPLAIN's JSON; raises psycopg errors for the caller."""
    analysed = _analysed(conn, statement)
    forced: dict[int, str] = {}  # by placeholder number in the original text
    for _attempt in range(MAX_FORCED_TYPES):
        if analysed is not None:
            # typical=False: the plan of the statement as written, not of typical values put in.
            text, original_of = analysed.plannable_sql(major, forced, typical=False)
        else:
            text = drop_interval_precision(statement.text)
            original_of = {n: n for n in statement.params}
        try:
            with conn.transaction():  # a savepoint
                return _explain(conn, text, max(original_of, default=0), major, options)
        except pgerrors.IndeterminateDatatype as exc:
            found = _PARAMETER.search(str(exc))
            original = original_of.get(int(found.group(1))) if found else None
            if analysed is None or original is None or original in forced:
                raise
            forced[original] = "pg_catalog.text"  # as an untyped literal would have been
    raise pgerrors.IndeterminateDatatype("too many placeholders without a type")


def _analysed(conn: psycopg.Connection[Any], statement: Statement) -> AnalyzedStatement | None:
    """The advisor's analysis of a SELECT (None for writes, or what it cannot resolve: sent as is)."""
    if statement.kind != "SELECT":
        return None
    with conn.transaction():  # its catalog reads must not spoil our transaction if one fails
        workload = analyze_workload(conn, [WorkloadStatement(queryid=0, query=statement.text)])
    return workload.statements[0] if workload.statements else None


def _explain(conn: psycopg.Connection[Any], text: str, param_count: int, major: int,
             options: list[str]) -> list[dict[str, Any]]:
    if major >= GENERIC_PLAN_MAJOR:
        return _json(conn, f"EXPLAIN ({', '.join([*options, 'GENERIC_PLAN'])}) {text}")
    conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    # The prepared statement outlives a rollback but not the connection, which closes right after;
    # a retry in the same session needs the name free again.
    conn.execute("DEALLOCATE ALL")
    conn.execute(f"PREPARE {PREPARED_NAME} AS {text}")
    nulls = f"({', '.join(['NULL'] * param_count)})" if param_count else ""
    return _json(conn, f"EXPLAIN ({', '.join(options)}) EXECUTE {PREPARED_NAME}{nulls}")


def _json(conn: psycopg.Connection[Any], query: str) -> list[dict[str, Any]]:
    row = conn.execute(query).fetchone()
    assert row is not None
    value = row[0]
    return value if isinstance(value, list) else list(value)

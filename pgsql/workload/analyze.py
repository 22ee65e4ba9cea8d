"""From pg_stat_statements entries to analysed statements: parsed, resolved, typed, or skipped with a reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pglast
from pglast import ast

from pgsql.workload.catalog import Catalog, Column, load_catalog
from pgsql.workload.dml import Rows, rows_of
from pgsql.workload.nodes import params, walk
from pgsql.workload.patterns import StatementAccess
from pgsql.workload.plannable import Rewriter, drop_interval_precision
from pgsql.workload.scopes import Extractor, UnresolvedRelation
from pgsql.workload.statements import SkippedStatement, WorkloadStatement
from pgsql.workload.typical import QuantileCache, Substitution, typical_values

_DML = {"InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "MergeStmt": "MERGE"}


@dataclass
class AnalyzedStatement:
    """A SELECT of the workload with its per-table access patterns, ready for what-if planning."""

    statement: WorkloadStatement
    tree: Any
    access: StatementAccess
    column_types: dict[int, Column] = field(repr=False)
    typical: Substitution = field(default_factory=Substitution, repr=False)
    kind: str = "SELECT"  # or UPDATE, DELETE, SELECT FOR UPDATE, INSERT SELECT: costed as the SELECT of its rows
    sets: tuple[int, frozenset[str]] | None = None  # an UPDATE's table oid and the columns it sets

    @property
    def queryid(self) -> int:
        return self.statement.queryid

    def plannable_sql(self, server_major: int, forced: dict[int, str] | None = None, *,
                      typical: bool = True, replace: dict[str, str] | None = None) -> tuple[str, dict[int, int]]:
        """The statement with the casts generic planning needs (see :mod:`pgsql.workload.plannable`)
        and, with ``typical``, typical values for ranges and limits (:mod:`pgsql.workload.typical`).
        ``replace`` maps expressions (unqualified text) to the column standing in for them.

        Returns the text and, for each placeholder left in it, its number in the original statement.
        """
        substitution = self.typical if typical else None
        return Rewriter(self.column_types, server_major, forced, substitution, replace).sql(self.tree)

    @property
    def param_numbers(self) -> set[int]:
        """The ``$n`` placeholders of the statement."""
        return params(self.tree)


@dataclass
class Workload:
    """The analysed workload: what can be planned, what was skipped and why, and the catalog read."""

    statements: list[AnalyzedStatement]
    skipped: list[SkippedStatement]
    catalog: Catalog


def parse_statement(query: str) -> tuple[ast.Node | None, str]:
    """Parse one normalized SELECT; returns (SELECT tree, "") or (None, reason it is not analysed)."""
    rows, reason = parse_rows(query, writes=False)
    return (rows.select, "") if rows is not None else (None, reason)


def parse_rows(query: str, *, writes: bool = True) -> tuple[Rows | None, str]:
    """Parse one normalized statement into the SELECT of the rows it reads (with ``writes``, also the
    rows an UPDATE, DELETE, INSERT … SELECT or SELECT … FOR UPDATE changes or locks: see
    :mod:`pgsql.workload.dml`); (None, reason it is not analysed) otherwise."""
    if not query or not query.strip():
        return None, "no query text (pg_stat_statements may have discarded it)"
    try:
        raw = pglast.parse_sql(drop_interval_precision(query))
    except pglast.parser.ParseError as exc:
        return None, f"does not parse: {exc}"
    if len(raw) != 1:
        return None, "several statements in one entry" if raw else "no statement, only comments"
    stmt = raw[0].stmt
    kind = type(stmt).__name__
    if kind in _DML and not writes:
        return None, f"{_DML[kind]} statement: only SELECTs are analysed; writes count through the write load"
    if kind == "MergeStmt":
        return None, "MERGE statement: not analysed; its writes count through the write load"
    if not isinstance(stmt, ast.SelectStmt) and kind not in _DML:
        return None, f"utility statement ({kind.removesuffix('Stmt')}): nothing an index can speed up"
    if isinstance(stmt, ast.SelectStmt) and stmt.intoClause is not None:
        return None, "SELECT INTO creates a table: treated as a utility statement"
    if isinstance(stmt, ast.SelectStmt) and stmt.lockingClause and not writes:
        return Rows(select=stmt, kind="SELECT"), ""
    return rows_of(stmt)


def merge_duplicates(statements: Iterable[WorkloadStatement]) -> list[WorkloadStatement]:
    """pg_stat_statements keeps one row per (user, database, queryid, toplevel): add them up per queryid."""
    merged: dict[tuple[int, str | None], WorkloadStatement] = {}
    for stmt in statements:
        key = (stmt.queryid, stmt.dbname)
        if key in merged:
            seen = merged[key]
            merged[key] = replace(seen, calls=seen.calls + stmt.calls,
                                  total_exec_time_ms=seen.total_exec_time_ms + stmt.total_exec_time_ms)
        else:
            merged[key] = stmt
    return list(merged.values())


def analyze_workload(conn: Any, statements: Iterable[WorkloadStatement], *, typical: bool = True,
                     writes: bool = False) -> Workload:
    """Parse every statement, read the catalog of the relations they name, extract access patterns.

    ``conn`` is a guarded connection to the target database the statements ran in; statements whose
    ``dbname`` names another database are skipped. With ``typical``, typical values for range ends,
    LIKE patterns and limits are read from pg_stats (:mod:`pgsql.workload.typical`). With
    ``writes``, UPDATE, DELETE, INSERT … SELECT and SELECT … FOR UPDATE are analysed as the SELECT of
    the rows they find (:mod:`pgsql.workload.dml`); without, only SELECTs are.
    """
    current_db = conn.execute("SELECT current_database()").fetchone()[0]
    parsed: list[tuple[WorkloadStatement, Rows]] = []
    skipped: list[SkippedStatement] = []
    for stmt in merge_duplicates(statements):
        if stmt.dbname is not None and stmt.dbname != current_db:
            skipped.append(SkippedStatement(stmt.queryid, stmt.query,
                                            f"ran in database {stmt.dbname}, not {current_db}"))
            continue
        if stmt.calls <= 0:
            skipped.append(SkippedStatement(stmt.queryid, stmt.query, "no calls in the window"))
            continue
        rows, reason = parse_rows(stmt.query, writes=writes)
        if rows is None:
            skipped.append(SkippedStatement(stmt.queryid, stmt.query, reason))
        else:
            parsed.append((stmt, rows))
    names = {n.relname or "" for _, rows in parsed for n in walk(rows.select) if isinstance(n, ast.RangeVar)}
    catalog = load_catalog(conn, names)
    analysed: list[AnalyzedStatement] = []
    quantiles = QuantileCache(conn)
    for stmt, rows in parsed:
        tree = rows.select
        extractor = Extractor(catalog)
        try:
            extractor.select(tree, None, {})
        except UnresolvedRelation as exc:
            skipped.append(SkippedStatement(stmt.queryid, stmt.query, str(exc)))
            continue
        except (AttributeError, IndexError, TypeError) as exc:  # a construct the walker does not know
            skipped.append(SkippedStatement(stmt.queryid, stmt.query, f"could not analyse: {exc!r}"))
            continue
        if not any(scan.table.indexable for scan in extractor.scans):
            skipped.append(SkippedStatement(stmt.queryid, stmt.query,
                                            "reads no table that can take an index (only views, system catalogs, "
                                            "functions or constants)"))
            continue
        substitution = (typical_values(extractor.bounds, extractor.limit_params, quantiles, extractor.patterns)
                        if typical else Substitution())
        target = catalog.resolve(rows.target.schemaname, rows.target.relname or "") if rows.target else None
        sets = (target.oid, rows.sets) if target is not None and rows.kind == "UPDATE" else None
        analysed.append(AnalyzedStatement(statement=stmt, tree=tree,
                                          access=StatementAccess.from_scans(extractor.scans),
                                          column_types=extractor.column_types, typical=substitution,
                                          kind=rows.kind, sets=sets))
    return Workload(statements=analysed, skipped=skipped, catalog=catalog)


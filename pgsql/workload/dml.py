"""Statements that change or lock rows, seen as the SELECT that finds those rows.

An index speeds up an UPDATE, a DELETE or a SELECT … FOR UPDATE exactly as it speeds up the scan
that finds their rows; what they then change costs the same with or without the new index (its own
upkeep is charged separately, through the write model). So for index advice

* ``UPDATE t SET … FROM f WHERE w`` is costed as ``SELECT t.ctid FROM t, f WHERE w``,
* ``DELETE FROM t USING u WHERE w`` as ``SELECT t.ctid FROM t, u WHERE w``,
* ``INSERT INTO t SELECT …`` as its SELECT,
* ``SELECT … FOR UPDATE`` (any strength) as the SELECT without its locking clause,

keeping WITH clauses. Selecting ``ctid`` rules out an index-only scan, as the row must be visited to
be changed. Planned this way the monitoring role needs SELECT only: EXPLAIN of the write itself would
need UPDATE or DELETE privilege, which it must not have. An UPDATE also says which columns it sets:
an index on one of them would cost the table its HOT updates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pglast import ast

_SKIP_INSERT = "INSERT … VALUES statement: nothing an index can speed up; writes count through the write load"


@dataclass(frozen=True)
class Rows:
    """The SELECT standing for a statement, what it was, and for an UPDATE its target and set columns."""

    select: ast.SelectStmt
    kind: str
    target: ast.RangeVar | None = None
    sets: frozenset[str] = frozenset()


def _ctid_of(relation: Any) -> ast.ResTarget:
    name = relation.alias.aliasname if relation.alias is not None else relation.relname
    return ast.ResTarget(val=ast.ColumnRef(fields=(ast.String(sval=name), ast.String(sval="ctid"))))


def rows_of(stmt: Any) -> tuple[Rows | None, str]:
    """The SELECT finding the rows ``stmt`` reads, changes or locks; (None, reason) when there is none."""
    if isinstance(stmt, ast.SelectStmt):
        if not stmt.lockingClause:
            return Rows(select=stmt, kind="SELECT"), ""
        plain = copy.deepcopy(stmt)
        plain.lockingClause = None
        return Rows(select=plain, kind="SELECT FOR UPDATE"), ""
    if isinstance(stmt, ast.UpdateStmt):
        if getattr(stmt.whereClause, "cursor_name", None):
            return None, "UPDATE … WHERE CURRENT OF a cursor: no rows to find"
        select = ast.SelectStmt(targetList=(_ctid_of(stmt.relation),),
                                fromClause=(stmt.relation, *(stmt.fromClause or ())),
                                whereClause=stmt.whereClause, withClause=stmt.withClause)
        sets = frozenset(t.name for t in stmt.targetList or () if isinstance(t, ast.ResTarget) and t.name)
        return Rows(select=select, kind="UPDATE", target=stmt.relation, sets=sets), ""
    if isinstance(stmt, ast.DeleteStmt):
        if getattr(stmt.whereClause, "cursor_name", None):
            return None, "DELETE … WHERE CURRENT OF a cursor: no rows to find"
        select = ast.SelectStmt(targetList=(_ctid_of(stmt.relation),),
                                fromClause=(stmt.relation, *(stmt.usingClause or ())),
                                whereClause=stmt.whereClause, withClause=stmt.withClause)
        return Rows(select=select, kind="DELETE", target=stmt.relation), ""
    if isinstance(stmt, ast.InsertStmt):
        source = stmt.selectStmt
        if not isinstance(source, ast.SelectStmt) or source.valuesLists or not (source.fromClause or source.op):
            return None, _SKIP_INSERT
        select = copy.deepcopy(source)
        if stmt.withClause is not None and select.withClause is None:
            select.withClause = stmt.withClause
        return Rows(select=select, kind="INSERT SELECT"), ""
    return None, f"{type(stmt).__name__.removesuffix('Stmt').upper()} statement: not analysed"

"""Name scopes of a SELECT: which FROM item a column reference belongs to.

A scope is one query level's FROM list. A column reference resolves in the innermost scope first and
then outwards (correlated subqueries); qualified references by alias, or by table name when the table
has no alias; unqualified ones only when exactly one item of a level has such a column, since the
server would reject an ambiguous one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import BoolExprType, SetOperation

from pgsql.workload.patterns import ScanPattern


class UnresolvedRelation(Exception):
    """A relation of the statement does not exist in the target's catalog (or is not visible)."""


@dataclass
class FromItem:
    """One FROM item: a table occurrence (``scan``) or a derived relation (CTE, subquery, function)."""

    alias: str
    scan: ScanPattern | None
    columns: set[str] | None  # visible column names; None when unknown (a function without a list)
    renames: dict[str, str] = field(default_factory=dict)  # visible name -> table column


@dataclass
class Scope:
    """The FROM items of one query level, and the level it is nested in."""

    parent: Scope | None
    items: list[FromItem] = field(default_factory=list)

    def chain(self) -> Iterator[Scope]:
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent


@dataclass(frozen=True)
class Resolved:
    """A column reference resolved to its FROM item and the table column it names."""

    item: FromItem
    column: str

    @property
    def scan(self) -> ScanPattern | None:
        return self.item.scan


def loose(node: Any) -> Any:
    """pglast declares every attribute optional; past an isinstance check we read them as the parser
    fills them, and the tests cover the shapes the parser produces."""
    return node


def flatten(node: Any, boolop: BoolExprType) -> list[Any]:
    """``a AND (b AND c)`` → ``[a, b, c]`` (or the same for OR)."""
    if node is None:
        return []
    if isinstance(node, ast.BoolExpr) and node.boolop == boolop:
        return [leaf for arg in loose(node).args for leaf in flatten(arg, boolop)]
    return [node]


def output_names(select: Any) -> set[str] | None:
    """Column names a subquery or CTE exposes, or None when they cannot be told without the catalog."""
    if not isinstance(select, ast.SelectStmt):
        return None
    if select.op and select.op != SetOperation.SETOP_NONE:
        return output_names(select.larg)
    names: set[str] = set()
    for target in select.targetList or ():
        if target.name:
            names.add(target.name)
        elif isinstance(target.val, ast.ColumnRef) and isinstance(loose(target.val).fields[-1], ast.String):
            names.add(loose(target.val).fields[-1].sval)
        elif isinstance(target.val, ast.ColumnRef):
            return None  # SELECT * from something: unknown without resolving it
    return names


def lookup(names: list[str], scope: Scope) -> Resolved | None:
    """Resolve ``[qualifier.]column`` in the innermost scope first, then outwards, as the server does."""
    col = names[-1]
    qualifier = names[-2] if len(names) > 1 else None
    for level in scope.chain():
        if qualifier is not None:
            for item in level.items:
                relname = item.scan.table.name if item.scan is not None else None
                if item.alias == qualifier or (relname == qualifier and item.alias == relname):
                    return Resolved(item, item.renames.get(col, col))
            continue
        found = [item for item in level.items if item.columns is not None and col in item.columns]
        if len(found) == 1:
            return Resolved(found[0], found[0].renames.get(col, col))
        if found or any(item.columns is None for item in level.items):
            return None  # ambiguous, or possibly provided by an unknown derived relation
    return None

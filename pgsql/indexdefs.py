"""Index definitions (``pg_get_indexdef``) parsed with PostgreSQL's own parser, for comparing indexes.

Two indexes are compared key by key on their printed ``IndexElem`` — column or expression, operator
class, collation, direction, NULLS order — so ``(email text_pattern_ops)`` never passes for
``(email)``, and on their method, INCLUDE list and predicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pglast import ast, parse_sql
from pglast.parser import ParseError
from pglast.stream import RawStream


@dataclass(frozen=True)
class IndexShape:
    method: str
    unique: bool
    keys: tuple[str, ...]
    include: tuple[str, ...]
    predicate: str

    def is_prefix_of(self, other: IndexShape) -> bool:
        """True when ``other`` serves every scan this one serves: same method (btree only: a prefix of a
        hash or GIN index is not an index of its own), same predicate, this one's keys a strict prefix
        of the other's, and this one's INCLUDE columns available in the other."""
        return (
            self.method == other.method == "btree"
            and self.predicate == other.predicate
            and len(self.keys) < len(other.keys)
            and other.keys[: len(self.keys)] == self.keys
            and set(self.include) <= set(other.keys) | set(other.include)
        )


@cache
def parse_index(definition: str) -> IndexShape | None:
    """The shape of an index from its definition; None when it cannot be parsed (never guess)."""
    try:
        statements = parse_sql(definition)
    except ParseError:
        return None
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.IndexStmt):
        return None
    stmt = statements[0].stmt
    printer = RawStream()
    return IndexShape(
        method=stmt.accessMethod or "btree",
        unique=bool(stmt.unique),
        keys=tuple(printer(p) for p in stmt.indexParams or ()),
        include=tuple(printer(p) for p in stmt.indexIncludingParams or ()),
        predicate=printer(stmt.whereClause) if stmt.whereClause is not None else "",
    )

"""What was pasted: exactly one explainable statement, and what running it would do.

PostgreSQL's own parser (pglast) decides; we never guess with regular expressions. ``Statement`` says
whether the text is a plain read (EXPLAIN ANALYZE may run it in a read-only transaction), or would
write or lock rows (then ANALYZE needs an explicit confirmation and a writable, rolled-back transaction),
and which ``$n`` parameters it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast, parse_sql
from pglast.parser import ParseError
from pglast.visitors import Visitor

MAX_LENGTH = 100_000
EXPLAINABLE: dict[type[ast.Node], str] = {
    ast.SelectStmt: "SELECT",
    ast.InsertStmt: "INSERT",
    ast.UpdateStmt: "UPDATE",
    ast.DeleteStmt: "DELETE",
    ast.MergeStmt: "MERGE",
}
_WRITES = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)


class StatementError(ValueError):
    """The input is not exactly one explainable statement; the message says what to change."""


@dataclass(frozen=True)
class Statement:
    text: str  # the statement alone: no surrounding whitespace, no trailing semicolon
    kind: str  # SELECT, INSERT, UPDATE, DELETE, MERGE
    writes: bool  # modifies rows itself or in a WITH clause
    locks_rows: bool  # SELECT ... FOR UPDATE/SHARE
    params: tuple[int, ...]  # the $n numbers used, sorted

    @property
    def read_only(self) -> bool:
        return not self.writes and not self.locks_rows

    @property
    def has_params(self) -> bool:
        return bool(self.params)

    @property
    def param_count(self) -> int:
        return max(self.params, default=0)


class _Inspector(Visitor):
    def __init__(self) -> None:
        self.params: set[int] = set()
        self.writes = False
        self.locks = False

    def visit_ParamRef(self, ancestors: object, node: ast.ParamRef) -> None:
        if node.number is not None:
            self.params.add(node.number)

    def visit(self, ancestors: object, node: ast.Node) -> None:
        if isinstance(node, _WRITES):
            self.writes = True
        if isinstance(node, ast.SelectStmt) and node.lockingClause:
            self.locks = True


def parse_statement(sql: str) -> Statement:
    """Raise ``StatementError`` unless ``sql`` is exactly one SELECT/INSERT/UPDATE/DELETE/MERGE."""
    if len(sql) > MAX_LENGTH:
        raise StatementError(f"the statement is longer than {MAX_LENGTH:,} characters")
    try:
        raw = parse_sql(sql)
    except ParseError as exc:
        raise StatementError(f"PostgreSQL cannot parse this: {_parse_message(exc, sql)}") from None
    if not raw:
        raise StatementError("there is no statement to explain")
    if len(raw) > 1:
        raise StatementError(f"paste exactly one statement (found {len(raw)}); EXPLAIN works on one at a time")
    stmt = raw[0]
    node = stmt.stmt
    assert node is not None  # a RawStmt always wraps a statement
    if isinstance(node, ast.ExplainStmt):
        raise StatementError("paste the statement without EXPLAIN: the options are chosen below")
    kind = EXPLAINABLE.get(type(node))
    if kind is None:
        raise StatementError(
            f"EXPLAIN works on SELECT, INSERT, UPDATE, DELETE and MERGE, not {_describe(sql, stmt)}")
    start = stmt.stmt_location or 0
    text = sql[start:start + stmt.stmt_len] if stmt.stmt_len else sql[start:]
    text = text.strip().rstrip(";").rstrip()
    inspector = _Inspector()
    inspector(node)
    return Statement(text=text, kind=kind, writes=isinstance(node, _WRITES) or inspector.writes,
                     locks_rows=inspector.locks, params=tuple(sorted(inspector.params)))


def _describe(sql: str, stmt: ast.RawStmt) -> str:
    words = [w.upper() for w in sql[stmt.stmt_location or 0:].split()[:2]]
    if words and words[0] in ("CREATE", "ALTER", "DROP", "COMMENT", "GRANT", "REVOKE"):
        return " ".join(words)  # CREATE INDEX, ALTER TABLE…: the object kind is the useful part
    return words[0] if words else type(stmt.stmt).__name__


def _parse_message(exc: ParseError, sql: str) -> str:
    """``syntax error at or near "x"`` plus line and column, which is what a person looks for."""
    message = str(exc.args[0]) if exc.args else str(exc)
    if len(exc.args) > 1 and isinstance(exc.args[1], int):
        before = sql[: exc.args[1]]
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        message += f" (line {line}, column {column})"
    return message

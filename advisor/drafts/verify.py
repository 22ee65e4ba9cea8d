"""Check a rendered draft before anyone sees it: it must say exactly what its plan says, nothing more.

Names from a monitored database end up in every part of a draft — identifiers, literals, comments,
DO-block bodies, Python string literals and comments. The renderers quote each through one layer per
language (``pgsql.ident``, ``advisor.drafts.pysource``); this module proves the result, so that a
quoting mistake is refused instead of shipped:

* every planned statement parses (PostgreSQL's own parser, via pglast) as exactly one statement of a
  kind drafts are made of;
* each SQL script, less its own ``\\set ON_ERROR_STOP on`` line, parses into exactly the planned
  statements in the planned order — a name that broke out of a comment or a quote would add one;
* the Django and Alembic files parse as Python and contain nothing but what a migration file needs
  (imports of Django or Alembic, constant assignments, the migration class or the two functions, and
  calls to ``RunSQL`` / index operations / ``op.execute``) — importing them runs no other code — and
  every SQL string in them is a planned statement, as Django and Alembic will send it.

A failed check raises :class:`UnsafeDraft`; the draft is then neither shown nor downloadable.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pglast import ast as pg
from pglast import parse_sql
from pglast.parser import ParseError
from pglast.stream import RawStream

from advisor.drafts.plan import DraftOptions, Plan, Step
from advisor.drafts.sql_script import FOOTER_STATEMENTS, META_LINE, step_statements


class UnsafeDraft(ValueError):
    """A rendered draft does not match its plan; it is refused (never shown, never downloaded)."""

    def __init__(self, part: str, problem: str) -> None:
        super().__init__(f"the {part} draft was refused: {problem}. Nothing was produced; this is a dbconsole "
                         "bug (a name from the database was not quoted as it must be) — please report it")
        self.part = part
        self.problem = problem


# What drafts are made of (pglast statement classes). Anything else in a draft is refused.
DRAFT_KINDS = frozenset({
    "IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt", "RenameStmt", "AlterSeqStmt", "VacuumStmt",
    "DoStmt", "CreateFunctionStmt", "CreateTrigStmt", "LockStmt", "VariableSetStmt", "TransactionStmt",
})
# The one query a draft runs: moving an identity's sequence past the old column's values.
DRAFT_FUNCTIONS = frozenset({"setval"})


def _kind(node: Any) -> str:
    name = type(node).__name__
    if isinstance(node, pg.SelectStmt):
        targets = node.targetList or ()
        calls = [t.val for t in targets if isinstance(t.val, pg.FuncCall)]
        if len(targets) == 1 and len(calls) == 1 and not node.fromClause and not node.whereClause:
            function = str((calls[0].funcname or ())[-1].sval)
            if function in DRAFT_FUNCTIONS:
                return f"SelectStmt:{function}"
    return name


def _printed(node: Any) -> str:
    return str(RawStream()(node))


def parse_statement(sql: str, part: str, kinds: frozenset[str] | None = None) -> Any:
    """``sql`` as exactly one statement of a draft kind (or of ``kinds``), or :class:`UnsafeDraft`."""
    try:
        stmts = parse_sql(sql)
    except ParseError as exc:
        raise UnsafeDraft(part, f"a planned statement does not parse ({exc})") from None
    if len(stmts) != 1:
        raise UnsafeDraft(part, f"a planned statement is {len(stmts)} statements")
    node = stmts[0].stmt
    kind = _kind(node)
    if kinds is not None and kind not in kinds:
        raise UnsafeDraft(part, f"a planned statement is a {kind}, not one of {', '.join(sorted(kinds))}")
    if kind not in DRAFT_KINDS and not kind.startswith("SelectStmt:"):
        raise UnsafeDraft(part, f"a planned statement is a {kind}, which drafts never contain")
    return node


def _script_statements(part: str, steps: Iterable[tuple[Step, Sequence[str]]], options: DraftOptions,
                       footer: bool) -> list[str]:
    out: list[str] = []
    for step, statements in steps:
        out += step_statements(statements, step.mode, options)
    return out + (list(FOOTER_STATEMENTS) if footer else [])


def forward_statements(plans: Sequence[Plan], options: DraftOptions) -> list[str]:
    return _script_statements("SQL", ((s, s.forward) for p in plans for s in p.steps), options, True)


def rollback_statements(plans: Sequence[Plan], options: DraftOptions) -> list[str]:
    return _script_statements("rollback", ((s, s.rollback) for p in reversed(plans) for s in reversed(p.steps)),
                              options, True)


def followup_statements(plans: Sequence[Plan], options: DraftOptions) -> list[str]:
    return _script_statements("follow-up", ((s, s.forward) for p in plans for s in p.followup), options, True)


def verify_script(part: str, text: str, planned: Sequence[str]) -> None:
    """The psql script ``text`` runs exactly ``planned``, in order, and no other psql command."""
    expected = [_printed(parse_statement(s, part)) for s in planned]
    lines = text.split("\n")
    if META_LINE not in lines:
        raise UnsafeDraft(part, "the script lost its \\set ON_ERROR_STOP line")
    # Our one psql command goes; any other backslash outside a quote or comment is a psql command
    # too, and PostgreSQL's parser refuses it below (psql reads quotes and comments the same way).
    lines[lines.index(META_LINE)] = ""
    try:
        found = [_printed(raw.stmt) for raw in parse_sql("\n".join(lines))]
    except ParseError as exc:
        raise UnsafeDraft(part, f"the script does not parse ({exc})") from None
    if found != expected:
        extra = next((f for f, e in zip(found, expected, strict=False) if f != e),
                     found[len(expected)] if len(found) > len(expected) else "")
        raise UnsafeDraft(part, f"the script runs {len(found)} statements where {len(expected)} were planned"
                                + (f" (first difference: {extra[:120]!r})" if extra else ""))


# -- Python ---------------------------------------------------------------------------------------

_IMPORTS = {
    "__future__": {"annotations"},
    "django.db": {"migrations", "models"},
    "django.contrib.postgres.operations": {"AddIndexConcurrently", "RemoveIndexConcurrently"},
    "alembic": {"op"},
}
_CALLS = {"migrations.RunSQL", "models.Index", "AddIndexConcurrently", "RemoveIndexConcurrently",
          "op.execute", "op.get_context", "op.get_context().autocommit_block"}
_ATTRIBUTES = {"migrations.Migration", "migrations.RunSQL.noop"} | _CALLS
_NAMES = {"migrations", "models", "op", "AddIndexConcurrently", "RemoveIndexConcurrently"}
_NODES = (ast.Module, ast.Expr, ast.Constant, ast.ImportFrom, ast.alias, ast.ClassDef, ast.Assign, ast.Name,
          ast.Load, ast.Store, ast.Attribute, ast.Call, ast.keyword, ast.List, ast.Tuple, ast.FunctionDef,
          ast.arguments, ast.With, ast.withitem)
# SQLAlchemy's text(): ":name" is a bind parameter, "\:" an escaped colon (sqlalchemy.sql.compiler).
_SQLALCHEMY_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?![:\w])")
_SQLALCHEMY_ESCAPE = re.compile(r"\\(:\w*)(?![:\w])")


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        base = _dotted(node.func)
        return None if base is None else f"{base}()"
    return None


def _problem(node: ast.AST, parent: ast.AST | None) -> str | None:
    """Why ``node`` (under ``parent``) has no place in a migration file, or None."""
    if not isinstance(node, _NODES):
        return f"{type(node).__name__} has no place in a migration file"
    if isinstance(node, ast.ImportFrom):
        allowed = _IMPORTS.get(node.module or "", set())
        if node.level or any(a.name not in allowed or a.asname for a in node.names):
            return f"import from {node.module!r}"
    elif isinstance(node, ast.Call):
        if _dotted(node.func) not in _CALLS:
            return f"call of {ast.unparse(node.func)!r}"
    elif isinstance(node, ast.Attribute):
        inner = isinstance(parent, ast.Attribute | ast.Call)  # checked as part of its chain
        if _dotted(node) is None or (not inner and _dotted(node) not in _ATTRIBUTES):
            return f"attribute {ast.unparse(node)!r}"
    elif isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load) and node.id not in _NAMES:
            return f"name {node.id!r}"
    elif isinstance(node, ast.Assign):
        if not all(isinstance(t, ast.Name) for t in node.targets):
            return "assignment to something other than a name"
    elif isinstance(node, ast.ClassDef):
        if node.name != "Migration" or node.decorator_list or node.keywords \
                or [_dotted(b) for b in node.bases] != ["migrations.Migration"]:
            return f"class {node.name}"
    elif isinstance(node, ast.FunctionDef):
        args = node.args
        plain = not (node.decorator_list or args.args or args.posonlyargs or args.kwonlyargs or args.vararg
                     or args.kwarg)
        if node.name not in {"upgrade", "downgrade"} or not plain \
                or not (isinstance(node.returns, ast.Constant) and node.returns.value is None):
            return f"function {node.name}"
    elif isinstance(node, ast.Expr):
        docstring = isinstance(parent, ast.Module) and parent.body[0] is node and \
            isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        if not docstring and not isinstance(node.value, ast.Call):
            return "an expression statement"
    return None


def _check_tree(part: str, tree: ast.Module) -> None:
    stack: list[tuple[ast.AST, ast.AST | None]] = [(tree, None)]
    while stack:
        node, parent = stack.pop()
        problem = _problem(node, parent)
        if problem is not None:
            raise UnsafeDraft(part, f"line {getattr(node, 'lineno', '?')}: {problem}")
        stack += [(child, node) for child in ast.iter_child_nodes(node)]


def _sql_strings(tree: ast.Module) -> list[str]:
    """The SQL a migration file sends: RunSQL's sql/reverse_sql items and op.execute's argument."""
    out: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name == "op.execute":
            out += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        elif name == "migrations.RunSQL":
            for kw in node.keywords:
                if isinstance(kw.value, ast.List):
                    out += [e.value for e in kw.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return out


def _as_alembic_sends(part: str, text: str) -> str:
    """What SQLAlchemy's ``text()`` makes of ``text``; refused when it would bind a parameter."""
    if _SQLALCHEMY_BIND.search(text):
        raise UnsafeDraft(part, "a statement would be read as having a bind parameter")
    return _SQLALCHEMY_ESCAPE.sub(lambda m: m.group(1), text)


def verify_python(part: str, text: str, planned: Iterable[str]) -> None:
    """``text`` is a migration file that imports safely and sends only ``planned`` statements."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise UnsafeDraft(part, f"it is not valid Python ({exc.msg}, line {exc.lineno})") from None
    _check_tree(part, tree)
    allowed = {_printed(parse_statement(s, part)) for s in planned}
    if part == "Alembic" and any("\\:" in s for s in planned):
        raise UnsafeDraft(part, "a name holds '\\:', which Alembic's op.execute() cannot pass on unchanged")
    for sql in _sql_strings(tree):
        sent = _as_alembic_sends(part, sql) if part == "Alembic" else sql
        try:
            stmts = parse_sql(sent)
        except ParseError as exc:
            raise UnsafeDraft(part, f"a SQL string does not parse ({exc})") from None
        for raw in stmts:
            if _printed(raw.stmt) not in allowed:
                raise UnsafeDraft(part, f"it sends a statement that is not in the plan: {_printed(raw.stmt)[:120]!r}")


def all_statements(plans: Sequence[Plan], options: DraftOptions) -> list[str]:
    """Every statement any part of a draft may send: forward, rollback, follow-up, and the frameworks'
    session settings (timeouts around Django's index operations, the final RESETs)."""
    session = ["SET lock_timeout = 0", "SET statement_timeout = 0", *FOOTER_STATEMENTS]
    return [*forward_statements(plans, options), *rollback_statements(plans, options),
            *followup_statements(plans, options), *session]


def verify_draft(plans: Sequence[Plan], options: DraftOptions, *, sql: str, rollback: str, followup: str | None,
                 django: str, alembic: str) -> None:
    """Every check above, on every part of a draft; raises :class:`UnsafeDraft` on the first failure."""
    verify_script("SQL", sql, forward_statements(plans, options))
    verify_script("rollback", rollback, rollback_statements(plans, options))
    if followup is not None:
        verify_script("follow-up", followup, followup_statements(plans, options))
    planned = all_statements(plans, options)
    verify_python("Django", django, planned)
    verify_python("Alembic", alembic, planned)

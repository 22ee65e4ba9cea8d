"""Lint a SQL migration: statement by statement, with the script's state carried along."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from advisor.lint.locking import locks_for
from advisor.lint.report import Finding, LintReport, Severity, StatementReport
from advisor.lint.rules import ALL_RULES, Context
from advisor.lint.script import Piece, split_script
from advisor.lint.state import ScriptState, table_key


def _kind(node: object) -> str:
    return type(node).__name__.removesuffix("Stmt") if node is not None else "?"


def _column_renames(pieces: list[Piece]) -> list[tuple[str, str, str]]:
    return [(table_key(p.node.relation), str(p.node.subname), str(p.node.newname)) for p in pieces
            if isinstance(p.node, ast.RenameStmt) and p.node.renameType == ObjectType.OBJECT_COLUMN]


def lint_sql(sql: str, *, in_transaction: bool = False) -> LintReport:
    """Lint ``sql`` (a whole migration script) and return the report.

    ``in_transaction``: the script will be run inside one transaction by whatever runs it (a framework
    that wraps each migration in BEGIN … COMMIT, e.g. Django with ``atomic = True`` or Flyway). By
    default the script is taken to run as ``psql -f`` does: each statement on its own unless it sits
    between BEGIN and COMMIT.

    Never raises for bad SQL: a statement that does not parse gets a ``parse-error`` finding.
    """
    pieces = split_script(sql)
    state = ScriptState(assume_transaction=in_transaction, column_renames=_column_renames(pieces))
    reports: list[StatementReport] = []
    for number, piece in enumerate(pieces, 1):
        if piece.meta:
            reports.append(StatementReport(number, piece.line, piece.text, "psql meta-command",
                                           findings=[Finding("psql-meta-command", Severity.INFO, piece.line,
                                                             "psql meta-command: only psql understands it.")]))
            continue
        if piece.error is not None or piece.node is None:
            reports.append(StatementReport(
                number, piece.line, piece.text, "unparsed", parsed=False, in_transaction=state.transactional,
                findings=[Finding("parse-error", Severity.CRITICAL, piece.line,
                                  f"PostgreSQL cannot parse this statement: {piece.error or 'empty'}",
                                  "Fix the syntax; nothing about this statement was checked.")]))
            continue
        locks = locks_for(piece.node)
        ctx = Context(node=piece.node, locks=locks, state=state)
        findings = [Finding(hit.rule, hit.severity, piece.line, hit.message, hit.safe_alternative,
                            allowed=hit.rule in piece.allowed)
                    for rule in ALL_RULES for hit in rule(ctx)]
        reports.append(StatementReport(number, piece.line, piece.text, _kind(piece.node), locks=locks,
                                       findings=findings, in_transaction=state.transactional))
        state.after(piece.node)
    return LintReport(statements=reports)

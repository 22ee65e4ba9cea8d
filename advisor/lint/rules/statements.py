"""Statements a migration does not normally contain — the ones a reviewer should not have to spot.

Migrations change schema and data: CREATE/ALTER/DROP, DML, session settings, transactions, maintenance.
Anything else in one — a query whose rows are thrown away, a COPY, a role change, a NOTIFY — is either
a mistake or something that got in with a pasted name or text (a table named ``x⏎SELECT …; --`` in a
generated file). ``unexpected-statement`` names every such statement; ``privileged-statement`` is for
those that reach outside the database's schema (server files and programs, roles, server settings, the
session's identity, loading libraries, whole databases).
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import VariableSetKind

from advisor.lint.rules.base import CRITICAL, WARNING, Context, Hit

EXPECTED = (
    ast.CreateStmt, ast.AlterTableStmt, ast.IndexStmt, ast.DropStmt, ast.RenameStmt, ast.AlterSeqStmt,
    ast.CreateSeqStmt, ast.ViewStmt, ast.CreateTableAsStmt, ast.RefreshMatViewStmt, ast.CommentStmt,
    ast.VacuumStmt, ast.ReindexStmt, ast.ClusterStmt, ast.LockStmt, ast.TruncateStmt, ast.VariableSetStmt,
    ast.TransactionStmt, ast.DoStmt, ast.CreateFunctionStmt, ast.AlterFunctionStmt, ast.CreateTrigStmt,
    ast.CreateEnumStmt, ast.AlterEnumStmt, ast.CompositeTypeStmt, ast.CreateDomainStmt, ast.AlterDomainStmt,
    ast.DefineStmt, ast.CreateExtensionStmt, ast.AlterExtensionStmt, ast.CreateSchemaStmt,
    ast.AlterObjectSchemaStmt, ast.AlterOwnerStmt, ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt,
    ast.MergeStmt, ast.CreatePolicyStmt, ast.AlterPolicyStmt, ast.CreateStatsStmt, ast.AlterStatsStmt,
    ast.GrantStmt, ast.AlterDefaultPrivilegesStmt, ast.RuleStmt, ast.CreateCastStmt, ast.CreateOpClassStmt,
    ast.CreateRangeStmt, ast.AlterTypeStmt, ast.AlterCollationStmt, ast.AlterTableMoveAllStmt,
    ast.VariableShowStmt,
)
PRIVILEGED = (
    ast.AlterSystemStmt, ast.CreateRoleStmt, ast.AlterRoleStmt, ast.AlterRoleSetStmt, ast.DropRoleStmt,
    ast.GrantRoleStmt, ast.LoadStmt, ast.CreatedbStmt, ast.DropdbStmt, ast.AlterDatabaseStmt,
    ast.AlterDatabaseSetStmt, ast.DropOwnedStmt, ast.ReassignOwnedStmt, ast.CreateSubscriptionStmt,
    ast.AlterSubscriptionStmt,
)
# Functions a migration calls through SELECT for their effect: sequences, settings, advisory locks.
MIGRATION_FUNCTIONS = frozenset({
    "setval", "set_config", "pg_advisory_lock", "pg_advisory_unlock", "pg_advisory_xact_lock",
    "pg_try_advisory_lock", "pg_try_advisory_xact_lock",
})
SESSION_IDENTITY = frozenset({"role", "session_authorization"})
ALTERNATIVE = ("Remove it, or move it out of the migration into a step run and reviewed on its own; if it "
               "came with a name or text from elsewhere, find out how.")


def _label(node: Any) -> str:
    name = type(node).__name__.removesuffix("Stmt")
    return {"Select": "SELECT", "Copy": "COPY", "Call": "CALL", "Notify": "NOTIFY", "Execute": "EXECUTE",
            "Explain": "EXPLAIN", "VariableSet": "SET"}.get(name, name)


def _function_names(node: Any) -> list[str]:
    calls = [t.val for t in node.targetList or () if isinstance(t.val, ast.FuncCall)]
    return [str(c.funcname[-1].sval) for c in calls if c.funcname]


def _plain_select(node: Any) -> bool:
    """A query whose rows are thrown away (not SELECT INTO, not only migration helper functions)."""
    if not isinstance(node, ast.SelectStmt) or node.intoClause is not None:
        return False
    targets = node.targetList or ()
    functions = _function_names(node)
    return not (targets and len(functions) == len(targets) and set(functions) <= MIGRATION_FUNCTIONS)


def _privileged(node: Any) -> str | None:
    if isinstance(node, PRIVILEGED):
        return f"{_label(node)} acts on the server, roles or whole databases, not on this schema"
    if isinstance(node, ast.CopyStmt) and (node.is_program or node.filename):
        where = "a program on the database server" if node.is_program else "a file on the database server"
        return f"COPY {'to' if not node.is_from else 'from'} {where}"
    if isinstance(node, ast.VariableSetStmt) and node.kind == VariableSetKind.VAR_SET_VALUE \
            and str(node.name or "") in SESSION_IDENTITY:
        return "it changes who the session acts as"
    return None


def unexpected_statement(ctx: Context) -> list[Hit]:
    """A statement of a kind migrations do not contain (see the module docstring)."""
    node = ctx.node
    privileged = _privileged(node)
    if privileged is not None:
        return [Hit("privileged-statement", CRITICAL,
                    f"{_label(node)} in a migration: {privileged}. A migration should never need this.",
                    ALTERNATIVE)]
    if isinstance(node, ast.SelectStmt) and _plain_select(node):
        return [Hit("unexpected-statement", WARNING,
                    "A query in a migration: its rows are thrown away, so it matters only through what the "
                    "functions it calls do. Migrations do not need one (setval and advisory locks excepted).",
                    ALTERNATIVE)]
    if not isinstance(node, (*EXPECTED, ast.SelectStmt)):
        return [Hit("unexpected-statement", WARNING,
                    f"A {_label(node)} statement in a migration: migrations change schema and data; this does "
                    "neither, so check that it belongs here.", ALTERNATIVE)]
    return []


RULES = [unexpected_statement]

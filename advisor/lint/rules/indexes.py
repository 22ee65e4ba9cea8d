"""Index rules: build and drop without blocking writes, and never CONCURRENTLY inside a transaction."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from advisor.lint.locking import relname
from advisor.lint.rules.base import CRITICAL, WARNING, Context, Hit


def create_index_not_concurrent(ctx: Context) -> list[Hit]:
    """CREATE INDEX without CONCURRENTLY holds SHARE (no writes) for the whole build."""
    node = ctx.node
    if not isinstance(node, ast.IndexStmt) or node.concurrent or ctx.state.is_new(node.relation):
        return []
    return [Hit("create-index-not-concurrent", CRITICAL,
                f"CREATE INDEX on {relname(node.relation)} takes SHARE: every INSERT/UPDATE/DELETE waits "
                "until the whole build finishes.",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS …, outside a transaction block (Django: "
                "AddIndexConcurrently with atomic = False; Alembic: inside autocommit_block()).")]


def concurrently_in_transaction(ctx: Context) -> list[Hit]:
    """Commands that refuse to run inside a transaction block, found inside one."""
    node, what = ctx.node, None
    if isinstance(node, ast.IndexStmt) and node.concurrent:
        what = "CREATE INDEX CONCURRENTLY"
    elif isinstance(node, ast.DropStmt) and node.concurrent:
        what = "DROP INDEX CONCURRENTLY"
    elif isinstance(node, ast.ReindexStmt) and any(str(p.defname) == "concurrently" for p in node.params or ()):
        what = "REINDEX CONCURRENTLY"
    elif isinstance(node, ast.VacuumStmt) and node.is_vacuumcmd:
        what = "VACUUM"
    if what is None or not ctx.state.transactional:
        return []
    return [Hit("concurrently-in-transaction", CRITICAL,
                f"{what} cannot run inside a transaction block: it fails with "
                "'cannot run inside a transaction block'.",
                "Run it on its own, in autocommit: outside BEGIN … COMMIT (psql -f runs each statement "
                "in its own transaction), Django atomic = False, Alembic autocommit_block().")]


def drop_index_not_concurrent(ctx: Context) -> list[Hit]:
    """DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table."""
    node = ctx.node
    if not isinstance(node, ast.DropStmt) or node.removeType != ObjectType.OBJECT_INDEX or node.concurrent:
        return []
    return [Hit("drop-index-not-concurrent", WARNING,
                "DROP INDEX takes ACCESS EXCLUSIVE on the table: reads and writes queue behind it, and "
                "while it waits for a long transaction everything else waits too.",
                "DROP INDEX CONCURRENTLY IF EXISTS …, outside a transaction block.")]


def reindex_not_concurrent(ctx: Context) -> list[Hit]:
    """REINDEX without CONCURRENTLY blocks writes and queries that use the index."""
    node = ctx.node
    if not isinstance(node, ast.ReindexStmt) or any(str(p.defname) == "concurrently" for p in node.params or ()):
        return []
    return [Hit("reindex-not-concurrent", CRITICAL,
                "REINDEX without CONCURRENTLY blocks writes to the table and, through ACCESS EXCLUSIVE on "
                "the index, queries whose planning opens it — for the whole rebuild.",
                "REINDEX INDEX CONCURRENTLY … (PostgreSQL 12+), outside a transaction block.")]


def index_build_statement_timeout(ctx: Context) -> list[Hit]:
    """A concurrent build under a statement_timeout is cancelled halfway and leaves an INVALID index."""
    node = ctx.node
    concurrent_build = (isinstance(node, ast.IndexStmt) and node.concurrent) or (
        isinstance(node, ast.ReindexStmt) and any(str(p.defname) == "concurrently" for p in node.params or ()))
    if not concurrent_build or not ctx.state.has_statement_timeout:
        return []
    return [Hit("index-build-statement-timeout", WARNING,
                "A statement_timeout is in force: a long concurrent build is cancelled and leaves an "
                "INVALID index that still slows writes.",
                "SET statement_timeout = 0 before the build (lock_timeout can stay).")]


RULES = [create_index_not_concurrent, concurrently_in_transaction, drop_index_not_concurrent,
         reindex_not_concurrent, index_build_statement_timeout]

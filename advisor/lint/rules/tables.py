"""Table-wide rules: rewrites (VACUUM FULL, CLUSTER), explicit locks, renames, truncates, big DML."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from advisor.lint.locking import relname
from advisor.lint.locks import LockMode
from advisor.lint.rules.base import CRITICAL, INFO, WARNING, Context, Hit


def vacuum_full_or_cluster(ctx: Context) -> list[Hit]:
    """VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE for their whole run."""
    node = ctx.node
    full = isinstance(node, ast.VacuumStmt) and node.is_vacuumcmd and any(
        str(o.defname) == "full" for o in node.options or ())
    if full or isinstance(node, ast.ClusterStmt):
        rule = "vacuum-full" if full else "cluster"
        return [Hit(rule, CRITICAL,
                    f"{'VACUUM FULL' if full else 'CLUSTER'} rewrites the table under ACCESS EXCLUSIVE: every "
                    "read and write waits until it ends, and it needs free disk for a full copy.",
                    "pg_repack (online rebuild, ACCESS EXCLUSIVE only briefly at start and end), or plain "
                    "VACUUM to make dead space reusable; keep VACUUM FULL for a maintenance window.")]
    return []


def lock_table(ctx: Context) -> list[Hit]:
    """An explicit LOCK TABLE: fine when deliberate and bounded by lock_timeout."""
    node = ctx.node
    if not isinstance(node, ast.LockStmt):
        return []
    mode = LockMode(node.mode or LockMode.ACCESS_EXCLUSIVE)
    if ctx.state.has_lock_timeout and ctx.state.transactional:
        return [Hit("lock-table", INFO, f"Explicit {mode.label} lock, bounded by lock_timeout.")]
    return [Hit("lock-table", WARNING,
                f"LOCK TABLE … IN {mode.label} MODE without lock_timeout: while it waits, every later query "
                "needing a conflicting lock queues behind it.",
                "SET LOCAL lock_timeout = '5s' first, inside the transaction that needs the lock, and retry "
                "on timeout.")]


def rename_table(ctx: Context) -> list[Hit]:
    """Renaming a table breaks running code that uses the old name."""
    node = ctx.node
    if not isinstance(node, ast.RenameStmt) or node.renameType != ObjectType.OBJECT_TABLE:
        return []
    return [Hit("rename-table", WARNING,
                f"Renaming table {relname(node.relation)} → {node.newname} breaks application code still using "
                "the old name.",
                "Create a view with the old name during the transition, or deploy code that handles both.")]


def truncate(ctx: Context) -> list[Hit]:
    """TRUNCATE: ACCESS EXCLUSIVE and data loss (CASCADE reaches referencing tables too)."""
    node = ctx.node
    if not isinstance(node, ast.TruncateStmt):
        return []
    names = ", ".join(relname(r) for r in node.relations or ())
    return [Hit("truncate", WARNING,
                f"TRUNCATE {names} takes ACCESS EXCLUSIVE and removes every row; it cannot be undone after "
                "COMMIT.", "Delete in batches if the table is in use, and keep a backup.")]


def drop_table(ctx: Context) -> list[Hit]:
    """DROP TABLE on a table that existed before the script."""
    node = ctx.node
    if not isinstance(node, ast.DropStmt) or node.removeType != ObjectType.OBJECT_TABLE:
        return []
    return [Hit("drop-table", WARNING,
                "DROP TABLE takes ACCESS EXCLUSIVE, removes the data for good and breaks code still using it.",
                "Stop using the table in code first; rename it aside and drop it later once nothing broke.")]


def refresh_matview(ctx: Context) -> list[Hit]:
    """REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view."""
    node = ctx.node
    if not isinstance(node, ast.RefreshMatViewStmt) or node.concurrent:
        return []
    return [Hit("refresh-materialized-view", WARNING,
                "REFRESH MATERIALIZED VIEW takes ACCESS EXCLUSIVE: reads of the view wait for the refresh.",
                "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view).")]


def unbatched_dml(ctx: Context) -> list[Hit]:
    """UPDATE/DELETE of a whole table in one statement: long row locks, a burst of WAL and dead rows."""
    node = ctx.node
    if isinstance(node, ast.UpdateStmt | ast.DeleteStmt) and node.whereClause is None \
            and not ctx.state.is_new(node.relation):
        verb = "UPDATE" if isinstance(node, ast.UpdateStmt) else "DELETE"
        return [Hit(f"{verb.lower()}-without-where", WARNING,
                    f"{verb} of every row of {relname(node.relation)} in one transaction locks all its rows "
                    "until COMMIT and writes a burst of WAL and dead tuples.",
                    "Process in batches by key range, one transaction per batch.")]
    return []


RULES = [vacuum_full_or_cluster, lock_table, rename_table, truncate, drop_table, refresh_matview, unbatched_dml]

"""Session rules: a lock_timeout before anything that takes a blocking lock; what the lint can't see."""

from __future__ import annotations

from pglast import ast

from advisor.lint.locks import blocks_writes
from advisor.lint.rules.base import INFO, WARNING, Context, Hit


def missing_lock_timeout(ctx: Context) -> list[Hit]:
    """A write-blocking lock requested with no lock_timeout: the wait itself is the outage."""
    if ctx.state.has_lock_timeout or isinstance(ctx.node, ast.LockStmt):
        return []  # LOCK TABLE has its own rule
    created = ctx.state.created
    blocking = [lk for lk in ctx.locks
                if blocks_writes(lk.mode) and lk.relation.rsplit(".", 1)[-1] not in created]
    if not blocking:
        return []
    lock = max(blocking, key=lambda lk: int(lk.mode))
    return [Hit("missing-lock-timeout", WARNING,
                f"Takes {lock.mode.label} on {lock.relation} with no lock_timeout: if a long transaction holds "
                "the table, this statement waits — and every query that arrives after it queues behind it.",
                "SET lock_timeout = '5s' (or SET LOCAL inside the transaction) before it, and retry on timeout.")]


def do_block(ctx: Context) -> list[Hit]:
    """DO blocks and function bodies are procedural code: the lint does not look inside."""
    if isinstance(ctx.node, ast.DoStmt):
        return [Hit("do-block", INFO, "DO block: its statements are not analysed; review them by hand.")]
    return []


RULES = [missing_lock_timeout, do_block]

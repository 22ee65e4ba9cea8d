"""Render plans as an Alembic revision (``upgrade`` / ``downgrade``).

Statements that must not run in a transaction (CONCURRENTLY, VACUUM, DO blocks that COMMIT, and the
long VALIDATE scans) run inside ``op.get_context().autocommit_block()``; the others run in the
migration's transaction with ``SET LOCAL`` timeouts. ``autocommit_block`` commits whatever came before
it, so steps stay in order and each transactional step is committed before the next concurrent one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from advisor.drafts.plan import DraftOptions, Plan, Step
from advisor.drafts.pysource import py_comment, py_str
from advisor.drafts.sql_script import step_statements

# SQLAlchemy's text() reads ":name" as a bind parameter; "\:" is its escape for a literal colon.
_BIND = re.compile(r"(?<![:\w\\]):(?=\w)")
_REVISION = re.compile(r"[0-9A-Za-z_]*")


def escape_binds(sql: str) -> str:
    """``sql`` with every colon SQLAlchemy would take for a bind parameter escaped."""
    return _BIND.sub(r"\\:", sql)


def _step(step: Step, statements: Sequence[str], options: DraftOptions) -> list[str]:
    body = step_statements(statements, step.mode, options)
    if not body:
        return [f"    {py_comment(step.title + ': nothing to do')}"]
    lines = [f"    {py_comment(step.title)}"]
    if body[0] == "BEGIN":
        # Alembic already runs a transaction here: drop our BEGIN/COMMIT, keep SET LOCAL.
        return lines + [f"    op.execute({py_str(escape_binds(s))})" for s in body[1:-1]]
    lines.append("    with op.get_context().autocommit_block():")
    return lines + [f"        op.execute({py_str(escape_binds(s))})" for s in body]


def revision_id(text: str) -> str:
    """A stable 12-hex-digit revision id derived from the migration's content."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


def render_alembic(title: str, plans: Sequence[Plan], options: DraftOptions, *,
                   down_revision: str | None = None, revision: str | None = None) -> str:
    """The text of an Alembic revision module carrying out ``plans``."""
    up: list[str] = []
    down: list[str] = []
    for plan in plans:
        for step in plan.steps:
            up += _step(step, step.forward, options)
    for plan in reversed(plans):
        for step in reversed(plan.steps):
            down += _step(step, step.rollback, options)
    reset = ["    with op.get_context().autocommit_block():",
             "        op.execute('RESET lock_timeout')", "        op.execute('RESET statement_timeout')"]
    body_up = "\n".join(up + reset)
    body_down = "\n".join(down + reset)
    rev = revision or revision_id(body_up + body_down)
    for given in (rev, down_revision or ""):
        if not _REVISION.fullmatch(given):
            raise ValueError(f"not an Alembic revision id: {given!r} (letters, digits and _ only)")
    # The docstring holds no name (a title could close it): the title is a comment below it.
    return (
        '"""dbconsole migration draft.\n\n'
        f"Revision ID: {rev}\nRevises: {down_revision or ''}\n\n"
        "Run with transaction_per_migration = True in env.py: the autocommit blocks commit what came\n"
        "before them.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "from alembic import op\n\n"
        + py_comment(f"dbconsole migration draft: {title}") + "\n\n"
        f"revision = {py_str(rev)}\n"
        f"down_revision = {'None' if down_revision is None else py_str(down_revision)}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        f"{body_up}\n\n\n"
        "def downgrade() -> None:\n"
        f"{body_down}\n"
    )

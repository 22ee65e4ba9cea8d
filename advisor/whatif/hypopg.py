"""HypoPG on the target: hypothetical indexes that only the planner of our own session can see.

Checked on PostgreSQL 15 with HypoPG 1.3.1: every function works inside read-only transactions
(``default_transaction_read_only=on``, as our guarded connections are), because a hypothetical index
lives in the backend's memory, never in the catalog. So the advisor needs no write access, and the
hypothetical indexes vanish with the session; we still call ``hypopg_reset()`` when done, because
the caller may pool the connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pgsql.ident import quote_ident_if_needed
from pgsql.sqlfiles import SqlDir

SQL_FILES = SqlDir(__file__)


@dataclass(frozen=True)
class HypoPGStatus:
    """Whether what-if planning is possible on this database, and if not, what to tell the user."""

    usable: bool
    schema: str | None = None
    version: str | None = None
    reason: str = ""


def hypopg_status(conn: Any) -> HypoPGStatus:
    """Look HypoPG up in the connected database without creating anything."""
    row = conn.execute(SQL_FILES.load("hypopg_schema")).fetchone()
    if row is not None:
        return HypoPGStatus(usable=True, schema=row[0], version=row[1])
    available = conn.execute(SQL_FILES.load("hypopg_available")).fetchone()
    if available is not None:
        return HypoPGStatus(usable=False, reason=(
            "HypoPG is installed on the server but not created in this database: "
            "CREATE EXTENSION hypopg; (needs a one-time privileged step, dbconsole never does it)"))
    return HypoPGStatus(usable=False, reason=(
        "HypoPG is not installed on this server (package postgresql-<major>-hypopg), "
        "so index suggestions cannot be checked against the planner"))


class HypoPG:
    """Creates, measures and drops hypothetical indexes, counting every HypoPG function call."""

    def __init__(self, conn: Any, status: HypoPGStatus) -> None:
        if not status.usable or status.schema is None:
            raise ValueError(f"HypoPG is not usable here: {status.reason}")
        self.conn = conn
        self._schema = quote_ident_if_needed(status.schema)
        self.calls = 0

    def create(self, definition: str) -> int:
        """Simulate ``CREATE INDEX …``; returns the hypothetical index's oid."""
        self.calls += 1
        row = self.conn.execute(
            f"SELECT indexrelid FROM {self._schema}.hypopg_create_index(%s)", (definition,)
        ).fetchone()
        return int(row[0])

    def create_measured(self, definition: str) -> tuple[int, int]:
        """Create and read its estimated size in bytes in one round trip (two HypoPG calls)."""
        self.calls += 2
        row = self.conn.execute(
            f"SELECT h.indexrelid, {self._schema}.hypopg_relation_size(h.indexrelid) "
            f"FROM {self._schema}.hypopg_create_index(%s) AS h",
            (definition,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def size(self, oid: int) -> int:
        """Estimated size in bytes of an existing hypothetical index."""
        self.calls += 1
        row = self.conn.execute(f"SELECT {self._schema}.hypopg_relation_size(%s)", (oid,)).fetchone()
        return int(row[0])

    def drop(self, oid: int) -> None:
        self.calls += 1
        self.conn.execute(f"SELECT {self._schema}.hypopg_drop_index(%s)", (oid,))

    def reset(self) -> None:
        """Remove every hypothetical index of this session."""
        self.calls += 1
        self.conn.execute(f"SELECT {self._schema}.hypopg_reset()")

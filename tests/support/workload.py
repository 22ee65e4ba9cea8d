"""Real workloads planted on a test target: a blocking chain of live sessions, busy statements."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

from tests.support.targets import TargetDb


@dataclass
class BlockingChain:
    """``holder`` keeps a row lock in an open transaction; each waiter queues behind the previous one."""

    holder_pid: int
    waiter_pids: list[int] = field(default_factory=list)
    table: str = "chain_demo"


@contextlib.contextmanager
def blocking_chain(db: TargetDb, waiters: int = 2, table: str = "chain_demo") -> Iterator[BlockingChain]:
    """Start a real chain of ``waiters + 1`` sessions and wait until every waiter is blocked.

    On exit the holder rolls back and the waiters finish (or are cancelled), so the database is left
    as it was, apart from the table.
    """
    with db.connect() as setup:
        setup.execute(f"CREATE TABLE IF NOT EXISTS {table} (id int PRIMARY KEY, v int)")
        setup.execute(f"INSERT INTO {table} VALUES (1, 0) ON CONFLICT DO NOTHING")
    holder = psycopg.connect(db.cluster.conninfo(db.dbname), application_name="chain-holder")
    holder.execute(f"UPDATE {table} SET v = v + 1 WHERE id = 1")  # stays open
    chain = BlockingChain(holder_pid=holder.info.backend_pid, table=table)
    connections: list[psycopg.Connection[Any]] = []
    threads: list[threading.Thread] = []
    try:
        for i in range(waiters):
            conn = psycopg.connect(db.cluster.conninfo(db.dbname), autocommit=True,
                                   application_name=f"chain-waiter-{i + 1}")
            connections.append(conn)
            chain.waiter_pids.append(conn.info.backend_pid)
            thread = threading.Thread(target=_update_quietly, args=(conn, table), daemon=True)
            thread.start()
            threads.append(thread)
            wait_until_blocked(db, conn.info.backend_pid)
        yield chain
    finally:
        holder.rollback()
        holder.close()
        for thread in threads:
            thread.join(timeout=10)
        for conn in connections:
            conn.close()


def _update_quietly(conn: psycopg.Connection[Any], table: str) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.execute(f"UPDATE {table} SET v = v + 1 WHERE id = 1")


def wait_until_blocked(db: TargetDb, pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with db.connect() as conn:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.02)
    raise TimeoutError(f"backend {pid} never started waiting on a lock")

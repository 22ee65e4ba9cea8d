"""Workloads the live pages are tested against (beyond tests/support/workload.py)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg

from tests.support.targets import TargetDb


@contextlib.contextmanager
def vacuum_waiting_on_a_pinned_page(db: TargetDb) -> Iterator[int]:
    """A ``VACUUM (FREEZE)`` that has started scanning and waits for the cleanup lock on a page an open
    cursor keeps pinned: it stays visible in pg_stat_progress_vacuum until the cursor closes.

    No older transaction may be open in the cluster meanwhile: it would hold back the freeze horizon,
    the vacuum would have nothing to freeze on that page, and it would skip it instead of waiting."""
    with db.connect() as setup:
        setup.execute("CREATE TABLE frozen_demo (id int, pad text)")
        setup.execute("INSERT INTO frozen_demo SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g")
    pinner = psycopg.connect(db.cluster.conninfo(db.dbname))
    pinner.execute("DECLARE pin CURSOR FOR SELECT * FROM frozen_demo")
    pinner.execute("FETCH 1 FROM pin")
    vacuum = psycopg.connect(db.cluster.conninfo(db.dbname), autocommit=True, application_name="manual-vacuum")
    pid = vacuum.info.backend_pid
    thread = threading.Thread(target=_vacuum_quietly, args=(vacuum,), daemon=True)
    thread.start()
    try:
        _wait_for_progress(db, pid)
        yield pid
    finally:
        pinner.rollback()
        pinner.close()
        thread.join(timeout=30)
        vacuum.close()


def _vacuum_quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.execute("VACUUM (FREEZE) frozen_demo")


def _wait_for_progress(db: TargetDb, pid: int) -> None:
    deadline = time.monotonic() + 20
    with db.connect() as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT a.wait_event FROM pg_stat_progress_vacuum p JOIN pg_stat_activity a USING (pid) "
                "WHERE p.pid = %s", (pid,)).fetchone()
            if row and row[0] == "BufferPin":
                return
            time.sleep(0.02)
    raise TimeoutError("the VACUUM never waited on the pinned page")

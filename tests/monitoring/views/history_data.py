"""Real situations planted on a test target and collected into the history store by the real collectors,
for the history parts of the overview, locks, connections, maintenance and fleet pages."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import psycopg

from monitoring.collectors.runner import RunResult, run
from monitoring.models import Target
from tests.support.targets import MONITOR_ROLE, TargetDb
from tests.support.workload import BlockingChain, blocking_chain, wait_until_blocked

EVERYTHING = ("database", "activity", "relations", "settings", "replication", "sequences", "statements")


def collect(target: Target, *names: str) -> list[RunResult]:
    """Run each collector once; every one must succeed (partial counts as success)."""
    results = [run(target, name) for name in names]
    failed = [r.line() for r in results if not r.ok]
    assert not failed, failed
    return results


def statements_workload(db: TargetDb, rounds: int = 30) -> None:
    with db.connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS shop_orders (id int PRIMARY KEY, total numeric)")
        conn.execute("INSERT INTO shop_orders SELECT g, g FROM generate_series(1, 500) g ON CONFLICT DO NOTHING")
        for i in range(rounds):
            conn.execute("SELECT total FROM shop_orders WHERE id = %s", (i % 500 + 1,))
            conn.execute("SELECT count(*) FROM shop_orders WHERE total > %s", (i,))


def temp_files(db: TargetDb) -> None:
    """A sort too big for a tiny work_mem: PostgreSQL writes it to a temporary file."""
    with db.connect() as conn:
        conn.execute("SET work_mem = '64kB'")
        conn.execute("SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC OFFSET 199999")


def deadlock(db: TargetDb) -> None:
    """Two sessions each holding the row the other wants: the deadlock detector kills one of them."""
    with db.connect() as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS deadlock_demo (id int PRIMARY KEY, v int)")
        setup.execute("INSERT INTO deadlock_demo VALUES (1, 0), (2, 0) ON CONFLICT DO NOTHING")
    first = psycopg.connect(db.cluster.conninfo(db.dbname))
    second = psycopg.connect(db.cluster.conninfo(db.dbname))
    try:
        first.execute("UPDATE deadlock_demo SET v = v + 1 WHERE id = 1")
        second.execute("UPDATE deadlock_demo SET v = v + 1 WHERE id = 2")
        crossing = threading.Thread(target=_quietly, args=(first, "UPDATE deadlock_demo SET v = v + 1 WHERE id = 2"))
        crossing.start()
        wait_until_blocked(db, first.info.backend_pid)
        _quietly(second, "UPDATE deadlock_demo SET v = v + 1 WHERE id = 1")
        crossing.join(timeout=30)
    finally:
        for conn in (first, second):
            with contextlib.suppress(psycopg.Error):
                conn.rollback()
            conn.close()


def _quietly(conn: psycopg.Connection[Any], sql: str) -> None:
    with contextlib.suppress(psycopg.errors.DeadlockDetected, psycopg.errors.InFailedSqlTransaction):
        conn.execute(sql)


def near_overflow_sequences(db: TargetDb) -> None:
    """Two smallserial columns: one at 80 % of its range (warning), one at 95 % (critical), one far off."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE tickets (id smallserial PRIMARY KEY, note text)")
        conn.execute("SELECT setval('tickets_id_seq', 26213)")       # 80.0 % of 32767
        conn.execute("CREATE TABLE badges (id smallserial PRIMARY KEY)")
        conn.execute("SELECT setval('badges_id_seq', 31129)")        # 95.0 %
        conn.execute("CREATE TABLE roomy (id bigserial PRIMARY KEY)")
        conn.execute("INSERT INTO roomy DEFAULT VALUES")
        conn.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {MONITOR_ROLE}")


def invalid_index(db: TargetDb, name: str = "members_email_key") -> str:
    """What a failed ``CREATE UNIQUE INDEX CONCURRENTLY`` leaves behind: an invalid index."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS members (id int, email text)")
        conn.execute("INSERT INTO members VALUES (1, 'a@example.org'), (2, 'a@example.org')")
        with contextlib.suppress(psycopg.errors.UniqueViolation):
            conn.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON members (email)")
        valid = conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = %s::regclass", (name,)).fetchone()
    assert valid == (False,)
    return f"public.{name}"


def lock_incident(db: TargetDb, target: Target, samples: int = 3, waiters: int = 2,
                  also: tuple[str, ...] = ()) -> BlockingChain:
    """A real blocking chain, collected ``samples`` times while it holds: one incident, several samples
    (and the collectors in ``also`` once each, while it holds)."""
    with blocking_chain(db, waiters=waiters) as chain:
        for i in range(samples):
            if i:
                time.sleep(0.2)  # so the stored waits differ from sample to sample
            result = run(target, "locks")
            assert result.ok and result.rows == 1, result.line()
        collect(target, *also)
    return chain


def superuser_target(db: TargetDb, name: str) -> Target:
    """A target connecting as the superuser (the workloads above connect as it too)."""
    target = Target(name=name, host="127.0.0.1", port=db.cluster.port, dbname=db.dbname,
                    username=db.cluster.superuser, sslmode="disable")
    target.set_password(db.cluster.password)
    target.save()
    return target

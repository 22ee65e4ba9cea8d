"""Fixtures for view tests: targets whose role may (or may not) signal backends, and app sessions.

Roles are cluster-wide, so each test gets its own, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from monitoring.models import Target
from tests.support.targets import TargetDb

ROLE_PASSWORD = "role-secret-123"


@dataclass
class AppSession:
    """A non-superuser session running a long statement, as an application would."""

    pid: int
    role: str
    conn: psycopg.Connection[Any]


def _role_name(db: TargetDb, kind: str) -> str:
    return f"{kind}_{db.dbname}"


@contextlib.contextmanager
def _role(db: TargetDb, name: str, grants: str) -> Iterator[str]:
    with db.connect() as admin:
        admin.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{ROLE_PASSWORD}' {grants}")
        admin.execute(f"GRANT CONNECT ON DATABASE {db.dbname} TO {name}")
    try:
        yield name
    finally:
        with db.connect() as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
            admin.execute(f"REVOKE CONNECT ON DATABASE {db.dbname} FROM {name}")
            admin.execute(f"DROP ROLE IF EXISTS {name}")


def _target_for(db: TargetDb, role: str) -> Target:
    target = Target(name=f"{role.replace('_', '-')}", host="127.0.0.1", port=db.cluster.port, dbname=db.dbname,
                    username=role, sslmode="disable")
    target.set_password(ROLE_PASSWORD)
    target.save()
    return target


@pytest.fixture
def signalling_target(target_db: TargetDb, db: Any) -> Iterator[Target]:
    """A target whose monitoring role holds pg_monitor and pg_signal_backend (what the README asks)."""
    with _role(target_db, _role_name(target_db, "ops"), "IN ROLE pg_monitor, pg_signal_backend") as role:
        yield _target_for(target_db, role)


@pytest.fixture
def app_session(target_db: TargetDb) -> Iterator[AppSession]:
    """A plain application role running ``pg_sleep`` in a thread until cancelled or terminated."""
    with _role(target_db, _role_name(target_db, "app"), "") as role:
        conn = psycopg.connect(target_db.cluster.conninfo(target_db.dbname, user=role, password=ROLE_PASSWORD),
                               autocommit=True, application_name="billing-worker")
        session = AppSession(pid=conn.info.backend_pid, role=role, conn=conn)
        thread = threading.Thread(target=_sleep_quietly, args=(conn,), daemon=True)
        thread.start()
        _wait_until_active(target_db, session.pid)
        try:
            yield session
        finally:
            with target_db.connect() as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (session.pid,))
            thread.join(timeout=10)
            conn.close()


def _sleep_quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.execute("SELECT pg_sleep(600) /* nightly invoice run */")


def _wait_until_active(db: TargetDb, pid: int) -> None:
    with db.connect() as conn:
        for _ in range(500):
            row = conn.execute("SELECT state, query FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            if row and row[0] == "active" and "pg_sleep" in (row[1] or ""):
                return
            conn.execute("SELECT pg_sleep(0.02)")
    raise TimeoutError(f"backend {pid} never started its statement")

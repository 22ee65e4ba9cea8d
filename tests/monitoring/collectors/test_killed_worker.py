from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from monitoring.collectors.runner import run
from monitoring.models import Statement
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db(transaction=True)   # the worker process must see the committed target

REPO = Path(__file__).resolve().parents[3]


def history_conninfo() -> dict[str, Any]:
    db = connection.settings_dict
    return {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"],
            "dbname": db["NAME"]}


def worker_env() -> dict[str, str]:
    info = history_conninfo()
    url = (f"postgresql://{quote(info['user'])}:{quote(info['password'], safe='')}@{info['host']}:{info['port']}/"
           f"{info['dbname']}")
    return {**os.environ, "DATABASE_URL": url, "DBCONSOLE_SECRET_KEY": settings.SECRET_KEY,
            "DBCONSOLE_FERNET_KEYS": ",".join(settings.FERNET_KEYS), "CI": ""}


def history_counts(target_id: int) -> tuple[int, Any, int]:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM monitoring_stmt_raw WHERE target_id = %s", [target_id])
        raw = cur.fetchone()[0]
        cur.execute("SELECT captured_at FROM monitoring_stmt_state WHERE target_id = %s", [target_id])
        state = cur.fetchone()[0]
    return raw, state, Statement.objects.filter(target_id=target_id).count()


def wait_for(predicate: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(what)


def test_it_leaves_nothing_half_written_when_the_worker_is_killed_mid_write(pg18_db: TargetDb) -> None:
    with pg18_db.connect() as conn:
        for i in range(5):
            conn.execute(f"CREATE TABLE killed_{i} (id int PRIMARY KEY)")
    target = pg18_db.make_target()
    assert run(target, "statements").ok            # baseline: state, statements, a status row
    with pg18_db.connect() as conn:                 # new statements, so the store has rows to insert
        for i in range(5):
            conn.execute(f"SELECT * FROM killed_{i} WHERE id = {i}")
    before = history_counts(target.pk)

    # Hold the status row: the worker's store writes everything else, then waits on it, uncommitted.
    # (pg_stat_activity is a per-transaction snapshot: look at it from another, autocommit session.)
    with (psycopg.connect(**history_conninfo()) as blocker,
          psycopg.connect(**history_conninfo(), autocommit=True) as watcher):
        blocker.execute("SELECT 1 FROM monitoring_collectorstatus WHERE target_id = %s AND collector = 'statements' "
                        "FOR UPDATE", [target.pk])
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "collect", "--target", target.name, "--collector", "statements", "--once"],
            cwd=REPO, env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        try:
            def waiting_pid() -> int | None:
                row = watcher.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND wait_event_type = 'Lock' AND query LIKE '%%monitoring_collectorstatus%%'").fetchone()
                return row[0] if row else None

            wait_for(lambda: waiting_pid() is not None or worker.poll() is not None,
                     "the worker never reached the status row")
            assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else ""
            backend = waiting_pid()
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        blocker.rollback()                          # let the orphaned backend run into its closed socket

        def gone() -> bool:
            row = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone()
            return row is not None and row[0] == 0

        wait_for(gone, "the killed worker's backend never went away")

    assert worker.returncode == -signal.SIGKILL
    assert history_counts(target.pk) == before      # no sample, no statement, state untouched
    result = run(target, "statements")              # the next run covers the whole interval
    assert result.ok and result.rows >= 5
    raw, _state, statements = history_counts(target.pk)
    assert raw == before[0] + 1 and statements >= before[2] + 5

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from dbconsole.embedded.pgcluster import free_port
from monitoring.collectors.base import REGISTRY, CollectContext, Collector
from monitoring.collectors.runner import run
from monitoring.models import CollectorStatus
from monitoring.pgstats.activity import ActivitySnapshot, read_activity
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def status(target_id: int, collector: str) -> CollectorStatus:
    return CollectorStatus.objects.get(target_id=target_id, collector=collector)


def test_it_records_why_each_broken_target_fails_while_a_healthy_one_keeps_collecting(target_db: TargetDb) -> None:
    healthy = target_db.make_target("healthy")
    down = target_db.make_target("down")
    down.port = free_port()   # nothing listens there
    down.save()
    wrong = target_db.make_target("wrong-password")
    wrong.set_password("not-it")
    wrong.save()
    with target_db.connect() as conn:
        conn.execute("DROP EXTENSION pg_stat_statements")
    no_pgss = target_db.make_target("no-pgss")

    assert run(healthy, "database").ok
    results = {t.name: run(t, "statements") for t in (down, wrong, no_pgss)}
    after = run(healthy, "database")

    assert results["down"].status == "unreachable"
    assert "connection refused" in results["down"].reason
    assert results["down"].transient
    assert results["wrong-password"].status == "auth_failed"
    assert results["wrong-password"].hint == "check the password stored for this target"
    assert results["no-pgss"].status == "missing_extension"
    assert "CREATE EXTENSION pg_stat_statements" in results["no-pgss"].hint
    assert not results["no-pgss"].transient
    assert after.ok and after.rows == 1
    for name, result in results.items():
        row = status(CollectorStatus.objects.get(target__name=name, collector="statements").target_id, "statements")
        assert (row.status, row.reason, row.hint) == (result.status, result.reason, result.hint)
        assert row.last_success_at is None and row.last_error_at is not None and row.consecutive_failures == 1
    ok = status(healthy.pk, "database")
    assert ok.status == "ok" and ok.last_success_at is not None and ok.last_error == ""


def test_it_keeps_the_time_of_last_success_and_the_last_error_after_recovering(target_db: TargetDb) -> None:
    target = target_db.make_target()
    assert run(target, "settings").ok
    first_success = status(target.pk, "settings").last_success_at
    target.set_password("wrong")
    target.save()
    failed = run(target, "settings")
    row = status(target.pk, "settings")
    assert failed.status == "auth_failed" and row.last_success_at == first_success and row.consecutive_failures == 1

    target.set_password("monitor-secret-1")
    target.save()
    assert run(target, "settings").ok
    row = status(target.pk, "settings")
    assert row.last_success_at is not None and first_success is not None
    assert row.status == "ok" and row.consecutive_failures == 0 and row.last_success_at > first_success
    assert row.last_error.startswith("password authentication failed")


class TooOldCollector(Collector[ActivitySnapshot]):
    """The real activity reader, told the server is PostgreSQL 12 (older than any of its SQL files)."""

    name = "too-old"
    default_interval = 60

    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> ActivitySnapshot:
        return read_activity(conn, 12)

    def store(self, snapshot: ActivitySnapshot, ctx: CollectContext) -> int:
        raise AssertionError("a read that failed is never stored")


@pytest.fixture
def too_old() -> Iterator[str]:
    REGISTRY[TooOldCollector.name] = TooOldCollector
    try:
        yield TooOldCollector.name
    finally:
        del REGISTRY[TooOldCollector.name]


def test_it_reports_a_server_older_than_the_oldest_sql_as_unsupported(target_db: TargetDb, too_old: str) -> None:
    target = target_db.make_target()
    result = run(target, too_old)
    assert result.status == "unsupported_version" and not result.transient
    assert result.reason == "activity/limits needs PostgreSQL 13 or newer (server: 12)"
    assert result.hint == "dbconsole supports PostgreSQL 13 to 18"
    assert status(target.pk, too_old).status == "unsupported_version"

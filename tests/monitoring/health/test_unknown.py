"""Every health check says unknown — never ok — when it cannot see, and names what lets it see again:
revoked privileges, a missing extension, a failing or stopped collector, a statistics reset. Each
situation is real, on PostgreSQL 15 and 18."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.utils import timezone

from dbconsole.thresholds import thresholds_for
from monitoring import health
from monitoring.collectors.runner import run
from monitoring.health import Check
from monitoring.history.selectors.health import HealthInputs, health_inputs
from monitoring.live.now import read_now
from monitoring.models import Target
from tests.monitoring.views.history_data import EVERYTHING, collect
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.django_db

PASSWORD = "blind-secret-1"


def inputs_of(target: Target) -> HealthInputs:
    return health_inputs([target.pk], sequence_watch=thresholds_for(target).bound("sequence_used_percent",
                                                                                  "warning"))[target.pk]


def by_key(checks: list[Check]) -> dict[str, Check]:
    return {c.key: c for c in checks}


@contextlib.contextmanager
def plain_role(db: TargetDb, name: str) -> Iterator[Target]:
    """A login role without pg_monitor (roles are cluster-wide: dropped afterwards), as a target."""
    with db.connect() as admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN PASSWORD \'{PASSWORD}\'')
    target = Target(name=name.lower().replace("_", "-").replace(" ", "-"), host="127.0.0.1", port=db.cluster.port,
                    dbname=db.dbname, username=name, sslmode="disable")
    target.set_password(PASSWORD)
    target.save()
    try:
        yield target
    finally:
        with db.connect() as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
            admin.execute(f'DROP OWNED BY "{name}"')
            admin.execute(f'DROP ROLE "{name}"')


def test_it_calls_sequences_the_role_cannot_read_unknown_with_the_exact_grant(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute('CREATE SCHEMA "Sales Team"')
        conn.execute('CREATE TABLE "Sales Team".tickets (id serial PRIMARY KEY)')
        conn.execute("""SELECT setval('"Sales Team".tickets_id_seq', 1999999999)""")    # 93.1 % of int4
        conn.execute("CREATE TABLE plain (id serial PRIMARY KEY)")
    target = target_db.make_target()
    result = run(target, "sequences")
    assert result.status == "partial" and "2 sequence(s) not readable" in result.reason
    assert 'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "Sales Team" TO dbconsole_monitor;' in result.hint

    check = health.sequence_overflow(inputs_of(target), timezone.now())
    assert check.status == "unknown", check        # 93 % hidden from us: never "ok, every sequence below 75 %"
    assert "2 sequences not readable by dbconsole_monitor" in check.summary
    assert 'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "Sales Team" TO dbconsole_monitor;' in check.fix
    assert "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO dbconsole_monitor;" in check.fix
    unreadable = {d.label: d for d in check.details}
    assert unreadable["Sales Team.tickets_id_seq"].status == "unknown"
    assert unreadable["Sales Team.tickets_id_seq"].fix == \
        'GRANT SELECT ON SEQUENCE "Sales Team".tickets_id_seq TO dbconsole_monitor;'

    with target_db.connect() as conn:   # the fix, as the check says it
        for statement in check.fix.split(" (or")[0].split(";")[:-1]:
            conn.execute(statement)
    assert run(target, "sequences").status == "ok"
    check = health.sequence_overflow(inputs_of(target), timezone.now())
    assert check.status == "critical" and check.value == pytest.approx(93.13, abs=0.01)
    assert check.threshold is not None and check.threshold.key == "sequence_used_percent"
    assert (check.threshold.level, check.threshold.value) == ("critical", 90.0)


def test_it_calls_session_checks_unknown_when_other_roles_sessions_are_hidden(target_db: TargetDb) -> None:
    with plain_role(target_db, f"Blind_{target_db.dbname}") as target:
        idle = psycopg.connect(target_db.cluster.conninfo(target_db.dbname))   # a superuser, idle in a transaction
        idle.execute("SELECT 1")
        try:
            collect(target, "activity", "database")
            inputs = inputs_of(target)
            live = by_key(health.overview_checks(read_now(target), None, inputs, timezone.now()))
            stored = by_key(health.fleet_checks(inputs, timezone.now()))
        finally:
            idle.close()
    grant = f'GRANT pg_read_all_stats TO "Blind_{target_db.dbname}";'
    for checks in (live, stored):
        for key in ("long_queries", "idle_in_transaction", "blocked"):
            assert checks[key].status == "unknown", checks[key]
            assert checks[key].fix.startswith(grant), checks[key].fix
    assert "not visible to" in live["idle_in_transaction"].summary
    assert stored["connections"].status == "unknown"       # the stored count may leave hidden clients out
    assert stored["collectors"].status == "unknown" and "activity" in stored["collectors"].summary


def test_it_names_the_missing_extension(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("DROP EXTENSION pg_stat_statements")
        conn.execute("DROP EXTENSION pgstattuple")
    target = target_db.make_target()
    assert run(target, "statements").status == "missing_extension"
    collect(target, "relations", "bloat")
    check = health.collectors(inputs_of(target), timezone.now())
    assert check.status == "unknown"
    fixes = {d.label: d.fix for d in check.details}
    assert "CREATE EXTENSION pg_stat_statements" in fixes["statements"]
    assert "CREATE EXTENSION pgstattuple" in fixes["bloat"]
    assert "CREATE EXTENSION pgstattuple" in check.fix and "CREATE EXTENSION pg_stat_statements" in check.fix


def test_it_turns_every_history_check_unknown_when_collection_stopped(target_db: TargetDb) -> None:
    target = target_db.make_target("stopped-db")
    collect(target, *EVERYTHING)
    inputs = inputs_of(target)
    now = by_key(health.fleet_checks(inputs, timezone.now()))
    assert {k: c.status for k, c in now.items() if c.status != "ok"} == {}, now
    later = by_key(health.fleet_checks(inputs, timezone.now() + dt.timedelta(hours=2)))   # the worker died
    assert later["collectors"].status == "warning" and "no collection for 2 h 00 m" in later["collectors"].summary
    for key in ("wraparound", "sequences", "invalid_indexes", "replication", "archiver", "cache_hit"):
        assert later[key].status == "unknown", later[key]
        assert "no collection for 2 h 00 m; last known:" in later[key].summary
        assert "start the Celery worker and beat" in later[key].fix
        assert "manage.py collect --target stopped-db" in later[key].fix
    for key in ("long_queries", "idle_in_transaction", "blocked", "connections"):   # no recent sample at all
        assert later[key].status == "unknown" and "no activity sample since" in later[key].summary


def test_it_tells_a_disabled_target_from_a_stopped_worker(target_db: TargetDb) -> None:
    target = target_db.make_target("paused-db")
    collect(target, "database")
    target.enabled = False
    target.save()
    later = by_key(health.fleet_checks(inputs_of(target), timezone.now() + dt.timedelta(hours=2)))
    assert later["collectors"].status == "unknown" and "collection disabled for 2 h 00 m" in later["collectors"].summary
    assert later["wraparound"].status == "unknown" and "collection is disabled" in later["wraparound"].summary
    assert later["wraparound"].fix == "enable its collection on the Manage targets page"


def test_it_keeps_a_problem_seen_last_but_says_how_old_it_is(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE badges (id smallserial PRIMARY KEY)")
        conn.execute("SELECT setval('badges_id_seq', 31129)")                     # 95 %
        conn.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {MONITOR_ROLE}")
    target = target_db.make_target()
    collect(target, "sequences")
    later = health.sequence_overflow(inputs_of(target), timezone.now() + dt.timedelta(hours=2))
    assert later.status == "critical" and "as last collected — no collection for 2 h 00 m" in later.note


def test_it_calls_the_cache_hit_ratio_unknown_right_after_a_statistics_reset(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE warm AS SELECT g AS id FROM generate_series(1, 50000) g")
        for _ in range(5):
            conn.execute("SELECT count(*) FROM warm")
    target = target_db.make_target()
    collect(target, "database")
    before = by_key(health.fleet_checks(inputs_of(target), timezone.now()))["cache_hit"]
    assert before.status in {"ok", "warning", "critical"} and before.value is not None
    with target_db.connect() as conn:
        conn.execute("SELECT pg_stat_reset()")
    collect(target, "database")
    after = by_key(health.fleet_checks(inputs_of(target), timezone.now()))["cache_hit"]
    assert after.status == "unknown", after
    assert "too few to judge" in after.summary and "since the statistics reset at" in after.summary
    assert after.fix.startswith("nothing to change")


def test_it_says_what_runs_each_collector_that_never_ran(target_db: TargetDb) -> None:
    target = target_db.make_target("fresh-db")
    checks = health.fleet_checks(inputs_of(target), timezone.now())
    assert {c.status for c in checks} == {"unknown"}
    for check in checks:
        assert check.fix, check
    wraparound = by_key(checks)["wraparound"]
    assert "manage.py collect --target fresh-db --collector database --once" in wraparound.fix


def test_it_will_not_make_an_unknown_without_a_fix_or_an_ok_with_one() -> None:
    with pytest.raises(ValueError, match="unknown must say"):
        Check("x", "X", "unknown", "cannot see")
    with pytest.raises(ValueError, match="nothing to fix"):
        Check("x", "X", "ok", "fine", fix="do something")
    with pytest.raises(ValueError, match="not a verdict"):
        Check("x", "X", "info", "fine")


def test_it_serialises_a_check_with_stable_names(target_db: TargetDb) -> None:
    target = target_db.make_target()
    collect(target, "database", "settings")
    check = health.wraparound(inputs_of(target), timezone.now())
    data: dict[str, Any] = check.as_dict()
    assert list(data)[:7] == ["key", "title", "status", "value", "threshold", "summary", "fix"]
    assert data["status"] == "ok" and data["fix"] == ""
    assert data["threshold"] == {"key": "wraparound_freeze_age_ratio", "level": "warning", "value": 1.0,
                                 "unit": "ratio to autovacuum_(multixact_)freeze_max_age", "below": False}
    assert isinstance(data["as_of"], str)


def _sleep(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.execute("SELECT pg_sleep(60)")


def test_it_grades_a_waiting_session_the_role_can_see_even_when_others_are_hidden(target_db: TargetDb) -> None:
    """Blindness never hides what is visible: a warning stays a warning."""
    with plain_role(target_db, f"half_{target_db.dbname}") as target:
        role_conn = psycopg.connect(target_db.cluster.conninfo(target_db.dbname, user=target.username,
                                                               password=PASSWORD))
        role_conn.execute("SELECT 1")                    # its own session, idle in a transaction: visible
        sleeper = target_db.connect()
        thread = threading.Thread(target=_sleep, args=(sleeper,), daemon=True)
        thread.start()
        try:
            checks = by_key(health.live_checks(read_now(target), inputs_of(target), thresholds_for(target)))
        finally:
            role_conn.close()
            with target_db.connect() as admin:
                admin.execute("SELECT pg_cancel_backend(%s)", (sleeper.info.backend_pid,))
            thread.join(timeout=30)
            sleeper.close()
    idle = checks["idle_in_transaction"]
    assert idle.status == "warning" and "as last collected" not in idle.note
    assert "not visible to" in idle.note and "GRANT pg_read_all_stats" in idle.note

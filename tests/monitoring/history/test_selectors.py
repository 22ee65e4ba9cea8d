from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from monitoring.collectors.runner import run
from monitoring.history import activity as activity_store
from monitoring.history import partitions
from monitoring.history.selectors import activity, configuration, events, fleet, relations, sequences
from monitoring.pgstats.activity import read_activity
from monitoring.targets.connect import connect
from tests.support.targets import MONITOR_ROLE, TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def test_it_lists_tables_and_indexes_with_stats_flags_and_growth_in_constant_queries(
        target_db: TargetDb, django_assert_max_num_queries: Any) -> None:
    with target_db.connect() as conn:
        for i in range(12):
            conn.execute(f"CREATE TABLE shelf_{i} (id int PRIMARY KEY, sku text UNIQUE, qty int)")
        conn.execute("CREATE INDEX shelf_0_qty ON shelf_0 (qty) WHERE qty > 0")
        conn.execute("CREATE TABLE parts (id int, day date) PARTITION BY RANGE (day)")
        conn.execute("CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')")
        conn.execute("CREATE TABLE parts_2 PARTITION OF parts FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')")
        conn.execute("INSERT INTO parts SELECT g, '2026-01-01'::date + g % 50 FROM generate_series(1, 2000) g")
        conn.execute("INSERT INTO shelf_0 SELECT g, 'sku' || g, g % 5 FROM generate_series(1, 3000) g")
    with target_db.connect() as conn:   # after the inserting session flushed its counts (else ANALYZE adds them twice)
        conn.execute("ANALYZE")
    target = target_db.make_target()
    assert run(target, "relations").ok
    with target_db.connect() as conn:
        conn.execute("SELECT count(*) FROM shelf_0 WHERE qty > 2")
        conn.execute("DELETE FROM shelf_0 WHERE id <= 1000")
    assert run(target, "relations").ok

    with django_assert_max_num_queries(9):   # 13 tables: a per-row query would show
        found = {t.relation.name: t for t in relations.tables(target.pk)}
    with django_assert_max_num_queries(5):
        idx = {i.relation.name: i for i in relations.indexes(target.pk)}

    assert set(found) == {f"shelf_{i}" for i in range(12)} | {"parts"}     # partitions folded into their parent
    assert found["parts"].relation.kind == "p" and found["parts"].values["reltuples"] == 2000
    shelf = found["shelf_0"]
    assert shelf.values["n_tup_del"] == 1000 and shelf.values["n_tup_ins"] == 3000
    assert shelf.values["n_dead_tup"] >= 1000 and shelf.dead_ratio == pytest.approx(1 / 3)
    assert shelf.values["seq_scan"] >= 1 and shelf.values["xid_age"] > 0
    assert shelf.total_bytes > 0 and shelf.growth_7d_bytes == 0 and shelf.growth_since is not None
    assert idx["shelf_0_pkey"].relation.is_primary and idx["shelf_0_pkey"].relation.constraint_type == "p"
    assert idx["shelf_0_sku_key"].relation.constraint_type == "u"
    partial = idx["shelf_0_qty"]
    assert partial.relation.predicate == "qty > 0" and partial.relation.key_columns == ["qty"]
    assert partial.table is not None and partial.table.name == "shelf_0"
    now = timezone.now()
    series = relations.relation_series(target.pk, shelf.relation.seq, now - dt.timedelta(hours=1), now)
    assert len(series) == 1 and series[0].tuples_written == 1000 and series[0].scans >= 1


def test_it_charts_connections_by_state_and_application_raw_and_hourly(target_db: TargetDb) -> None:
    target = target_db.make_target()
    hour = (timezone.now() - dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    partitions.ensure_range("monitoring_activity_raw", hour, timezone.now())
    with blocking_chain(target_db, waiters=2), connect(target) as conn:
        assert run(target, "activity").ok
        snap = read_activity(conn, target_db.major)
        for minute in (5, 20, 40):   # the same sample as if taken earlier, for the hourly rollup
            with transaction.atomic():
                activity_store.store(target.pk, snap, hour + dt.timedelta(minutes=minute))
    latest = activity.activity_latest(target.pk)
    assert latest is not None
    assert latest.values["waiting_lock"] == 2 and latest.values["idle_in_transaction"] >= 1
    assert latest.values["by_application"]["chain-waiter-1"] == 1
    assert latest.values["longest_xact_seconds"] > 0

    now = timezone.now()
    raw = activity.connection_series(target.pk, now - dt.timedelta(minutes=5), now, by="state")
    assert raw[-1].counts["active"] >= 2 and raw[-1].max_connections == 200
    assert activity_store.HOURLY_ROLLUP.run(now) >= 1
    hourly = activity.connection_series(target.pk, hour, hour + dt.timedelta(hours=1), by="application", res="hour")
    assert len(hourly) == 1 and hourly[0].counts["chain-holder"] == 1 and hourly[0].peak["chain-waiter-2"] == 1


def test_it_records_settings_changes_and_marks_them_on_charts(target_db: TargetDb) -> None:
    target = target_db.make_target()
    start = timezone.now()
    assert run(target, "settings").ok
    assert configuration.settings_changes(target.pk, start, timezone.now()) == []
    with target_db.connect() as conn:
        conn.execute(f'ALTER DATABASE "{target_db.dbname}" SET work_mem = \'64MB\'')
    result = run(target, "settings")

    assert result.ok and result.rows == 1
    [change] = configuration.settings_changes(target.pk, start, timezone.now())
    assert (change.name, change.old_value, change.new_value, change.unit) == ("work_mem", "4096", "65536", "kB")
    current = {s.name: s for s in configuration.settings_current(target.pk, non_default=True)}
    assert current["work_mem"].setting == "65536" and current["work_mem"].source == "database"
    [mark] = events.events(target.pk, start, timezone.now())
    assert mark.kind == "settings_changed" and "work_mem: 4096 → 65536" in mark.message


def test_it_reports_how_much_of_a_sequence_range_is_used(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE tickets (id smallserial PRIMARY KEY, n int GENERATED ALWAYS AS IDENTITY)")
        conn.execute("SELECT setval('tickets_id_seq', 29490)")
        conn.execute("INSERT INTO tickets DEFAULT VALUES")
        conn.execute("CREATE SEQUENCE loose")
    target = target_db.make_target()
    hidden = run(target, "sequences")
    assert hidden.status == "partial" and "GRANT SELECT ON ALL SEQUENCES" in hidden.hint
    with target_db.connect() as conn:
        conn.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {MONITOR_ROLE}")
    assert run(target, "sequences").status == "ok"

    _at, found = sequences.sequences_latest(target.pk)
    by_name = {s["name"]: s for s in found}
    assert found[0]["name"] == "tickets_id_seq"
    assert by_name["tickets_id_seq"]["column"] == "public.tickets.id"
    assert by_name["tickets_id_seq"]["percent_used"] == pytest.approx(100 * 29490 / 32766, abs=0.01)
    assert by_name["tickets_n_seq"]["column"] == "public.tickets.n"
    assert by_name["tickets_n_seq"]["max_value"] == 2**31 - 1
    assert by_name["loose"]["column"] == "" and by_name["loose"]["percent_used"] is None


def test_it_summarises_the_fleet_in_two_queries(target_db: TargetDb, django_assert_num_queries: Any) -> None:
    good = target_db.make_target("fleet-good")
    bad = target_db.make_target("fleet-bad")
    bad.set_password("nope")
    bad.save()
    for name in ("database", "settings"):
        run(good, name)
        run(bad, name)
    with django_assert_num_queries(2):
        rows = {r.target.name: r for r in fleet.fleet()}
    assert rows["fleet-good"].healthy and rows["fleet-good"].last_success_at is not None
    assert not rows["fleet-bad"].healthy and rows["fleet-bad"].last_success_at is None
    assert {s.collector for s in rows["fleet-bad"].failing} == {"database", "settings"}
    assert rows["fleet-bad"].failing[0].hint == "check the password stored for this target"


def test_it_keeps_database_and_replication_samples_readable(target_db: TargetDb) -> None:
    from monitoring.history.selectors.database import database_latest
    from monitoring.history.selectors.replication import replication_latest

    target = target_db.make_target()
    assert run(target, "database").ok and run(target, "replication").ok

    db = database_latest(target.pk)
    assert db is not None and db["size_bytes"] > 0 and db["xact_commit"] > 0 and db["started_at"] is not None
    assert (db["io"] is not None) == (target_db.major >= 16)
    repl = replication_latest(target.pk)
    assert repl is not None and repl["in_recovery"] is False and repl["replicas"] == [] and repl["slots"] == []
    assert repl["failed_count"] == 0

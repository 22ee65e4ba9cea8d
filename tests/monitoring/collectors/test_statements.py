from __future__ import annotations

from typing import Any

import pytest

from monitoring.collectors.runner import run
from monitoring.pgstats.statements import COUNTERS
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

MARK = "delta_demo"


def plant(db: TargetDb) -> None:
    with db.connect() as conn:
        conn.execute(f"CREATE TABLE {MARK} (id int PRIMARY KEY, v int)")
        conn.execute(f"INSERT INTO {MARK} SELECT g, 0 FROM generate_series(1, 100) g")


def workload(db: TargetDb, rounds: int = 1) -> None:
    with db.connect() as conn:
        for r in range(rounds):
            for i in range(7):
                conn.execute(f"SELECT v FROM {MARK} WHERE id = %s", (i + 1,))
            for i in range(3):
                conn.execute(f"UPDATE {MARK} SET v = v + 1 WHERE id = %s", (i + r,))
            conn.execute(f"SELECT count(*) FROM {MARK} WHERE v > %s", (r,))


def pgss(db: TargetDb) -> dict[int, dict[str, int]]:
    """What pg_stat_statements shows for the workload, in the collector's units."""
    major = db.major
    shared = "shared_blk_read_time" if major >= 17 else "blk_read_time"
    shared_w = "shared_blk_write_time" if major >= 17 else "blk_write_time"
    temp = "round(temp_blk_read_time * 1000)::int8, round(temp_blk_write_time * 1000)::int8" if major >= 15 else "0, 0"
    local = ("round(local_blk_read_time * 1000)::int8, round(local_blk_write_time * 1000)::int8"
             if major >= 17 else "0, 0")
    with db.connect() as conn:
        rows = conn.execute(
            f"""SELECT queryid, calls, plans, round(total_plan_time * 1000)::int8, round(total_exec_time * 1000)::int8,
                rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written,
                local_blks_hit, local_blks_read, local_blks_dirtied, local_blks_written,
                temp_blks_read, temp_blks_written, round({shared} * 1000)::int8, round({shared_w} * 1000)::int8,
                {local}, {temp}, wal_records, wal_fpi, wal_bytes::int8
            FROM pg_stat_statements
            WHERE query LIKE '%%{MARK}%%' AND query NOT LIKE '%%pg_stat_statements%%'
                AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"""
        ).fetchall()
    return {r[0]: dict(zip(COUNTERS, r[1:], strict=True)) for r in rows}


def stored_deltas(target_id: int) -> list[dict[str, Any]]:
    """Every stored (statement, counter delta) of the workload, latest collection first."""
    from django.db import connection

    cols = ", ".join(f"u.{c}" for c in COUNTERS)
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT r.captured_at, s.queryid, {cols}
            FROM monitoring_stmt_raw r
            CROSS JOIN LATERAL unnest(r.seqs, {", ".join(f"r.{c}" for c in COUNTERS)}) AS u(seq, {", ".join(COUNTERS)})
            JOIN monitoring_statement s ON s.target_id = r.target_id AND s.seq = u.seq
            JOIN monitoring_querytext t ON t.id = s.text_id
            WHERE r.target_id = %s AND t.text LIKE %s
            ORDER BY r.captured_at DESC""",
            [target_id, f"%{MARK}%"],
        )
        return [
            {"captured_at": row[0], "queryid": row[1], **{c: v or 0 for c, v in zip(COUNTERS, row[2:], strict=True)}}
            for row in cur.fetchall()
        ]


def test_it_stores_deltas_equal_to_what_pg_stat_statements_shows_between_two_reads(target_db: TargetDb) -> None:
    plant(target_db)
    workload(target_db)
    target = target_db.make_target()
    existing = pgss(target_db)
    first = run(target, "statements")
    # The first collection stores what pg_stat_statements already counted (cumulative since its reset).
    assert first.status == "ok" and first.rows > 0
    cumulative = {d["queryid"]: {c: d[c] for c in COUNTERS} for d in stored_deltas(target.pk)}
    assert cumulative == existing
    before = pgss(target_db)
    workload(target_db, rounds=3)
    after = pgss(target_db)
    second = run(target, "statements")
    assert second.status == "ok", second.line()

    rows = stored_deltas(target.pk)
    stored = {d["queryid"]: d for d in rows if d["captured_at"] == rows[0]["captured_at"]}   # the second's
    expected = {
        qid: {c: after[qid][c] - before.get(qid, dict.fromkeys(COUNTERS, 0))[c] for c in COUNTERS}
        for qid in after
    }
    expected = {qid: d for qid, d in expected.items() if any(d.values())}
    assert expected, "the workload should have changed some counters"
    assert set(stored) == set(expected)
    for qid, delta in expected.items():
        assert {c: stored[qid][c] for c in COUNTERS} == delta
    assert sum(d["calls"] for d in expected.values()) == 3 * 11


def negative_values(target_id: int) -> int:
    from django.db import connection

    checks = " + ".join(f"(SELECT count(*) FROM unnest(r.{c}) AS v WHERE v < 0)" for c in COUNTERS)
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(sum({checks}), 0) FROM monitoring_stmt_raw r WHERE r.target_id = %s",
                    [target_id])
        return int(cur.fetchone()[0])


def event_kinds(target_id: int) -> list[str]:
    from monitoring.models import Event

    return list(Event.objects.filter(target_id=target_id).order_by("at").values_list("kind", flat=True))


def test_it_survives_a_reset_by_someone_else_without_negative_deltas_and_records_it(target_db: TargetDb) -> None:
    plant(target_db)
    target = target_db.make_target()
    workload(target_db, rounds=4)
    assert run(target, "statements").ok     # baseline with large counters

    with target_db.connect() as conn:       # a targeted reset of one entry: it goes back to zero
        found = conn.execute(
            f"SELECT queryid FROM pg_stat_statements WHERE query LIKE 'UPDATE {MARK}%%' "
            "AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())").fetchone()
        assert found is not None
        qid = found[0]
        conn.execute("SELECT pg_stat_statements_reset(0, 0, %s)", (qid,))
    workload(target_db, rounds=1)
    assert run(target, "statements").ok
    assert "statement_entries_reset" in event_kinds(target.pk)

    with target_db.connect() as conn:       # everything, as PgHero does after each capture
        conn.execute("SELECT pg_stat_statements_reset()")
    workload(target_db, rounds=1)
    since_reset = pgss(target_db)
    result = run(target, "statements")
    assert result.ok, result.line()

    assert negative_values(target.pk) == 0
    assert "statements_reset" in event_kinds(target.pk)
    latest: dict[int, dict[str, Any]] = {}
    for d in stored_deltas(target.pk):       # newest first
        latest.setdefault(d["queryid"], d)
    for qid, counters in since_reset.items():  # after a full reset the delta is everything shown since
        assert latest[qid]["calls"] == counters["calls"]


def test_it_records_a_restart_and_keeps_counting_without_negative_deltas(target_db: TargetDb) -> None:
    plant(target_db)
    target = target_db.make_target()
    workload(target_db, rounds=2)
    assert run(target, "statements").ok
    before = pgss(target_db)

    target_db.cluster.restart()
    workload(target_db, rounds=1)
    after = pgss(target_db)
    result = run(target, "statements")

    assert result.ok, result.line()
    assert "restart" in event_kinds(target.pk)
    assert negative_values(target.pk) == 0
    rows = stored_deltas(target.pk)   # newest first: the collection after the restart
    stored = {d["queryid"]: d["calls"] for d in rows if d["captured_at"] == rows[0]["captured_at"]}
    # pg_stat_statements.save keeps counters over a clean restart: the delta is the plain difference
    moved = {qid: c["calls"] - before.get(qid, {"calls": 0})["calls"] for qid, c in after.items()}
    assert stored == {qid: calls for qid, calls in moved.items() if calls}
    assert sum(stored.values()) == 11

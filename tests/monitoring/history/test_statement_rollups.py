from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from monitoring.history.rollups_statements import rollup_target
from monitoring.history.selectors import statements as sel
from monitoring.models import Statement
from monitoring.pgstats.statements import COUNTERS
from tests.monitoring.history.statement_data import START, Workload, collect_series, expected, make_target

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
EVERY_20_MIN = [START + dt.timedelta(minutes=20 * i) for i in range(3 * 24 * 3)]   # three days


def hour_and_day_rows(target_id: int) -> list[tuple[object, ...]]:
    cols = ", ".join(COUNTERS)
    with connection.cursor() as cur:
        cur.execute(f"SELECT 'h', hour, through, nseq, totals, {cols} FROM monitoring_stmt_hour WHERE target_id = %s "
                    f"UNION ALL SELECT 'd', day, through, nseq, totals, {cols} FROM monitoring_stmt_day "
                    "WHERE target_id = %s ORDER BY 1, 2", [target_id, target_id])
        return cur.fetchall()


def by_queryid(page: sel.StatementPage) -> dict[int, sel.StatementTotals]:
    return {row.queryid: row for row in page.rows}


def test_it_answers_range_totals_equal_to_the_sum_of_the_stored_deltas() -> None:
    target = make_target("rollup-totals")
    workload = Workload(statements=5)
    collect_series(target, workload, EVERY_20_MIN)
    rollup_target(target.pk)

    ranges = [
        (START + 3 * H + dt.timedelta(minutes=7), START + 30 * H),   # crosses two midnights
        (START + 2 * H, START + 3 * H),                              # one hour
        (START, EVERY_20_MIN[-1] + H),                               # everything
        (START + 26 * H, START + 50 * H + dt.timedelta(minutes=59)),
    ]
    for start, end in ranges:
        page = sel.statement_totals(target.pk, start, end, limit=None)
        hour_start = start.replace(minute=0, second=0, microsecond=0)
        hour_end = end.replace(minute=0, second=0, microsecond=0) + H
        want = expected(workload, hour_start, hour_end)
        got = by_queryid(page)
        assert set(got) == {q for q, d in want.items() if d["calls"]}, (start, end)
        for qid, delta in want.items():
            assert got[qid].calls == delta["calls"]
            assert got[qid].exec_ms == pytest.approx(delta["exec_us"] / 1000)
            assert got[qid].rows == delta["rows"]
            assert got[qid].shared_blks_read == delta["shared_blks_read"]
        assert page.total == len(got)


def test_it_adds_raw_rows_newer_than_the_rollup_to_the_totals() -> None:
    target = make_target("rollup-tail")
    workload = Workload(statements=3, seed=3)
    collect_series(target, workload, EVERY_20_MIN[:40])
    rollup_target(target.pk)
    collect_series(target, workload, EVERY_20_MIN[39:60])   # not rolled up yet (the first is a repeat)

    end = EVERY_20_MIN[59]
    page = sel.statement_totals(target.pk, START, end, limit=None)

    want = expected(workload, START, end + dt.timedelta(seconds=1))
    assert {q: r.calls for q, r in by_queryid(page).items()} == {q: d["calls"] for q, d in want.items() if d["calls"]}
    assert page.as_of == end


def test_it_answers_from_raw_rows_alone_before_any_rollup_and_after_the_watermark() -> None:
    target = make_target("no-rollup")
    workload = Workload(statements=3, seed=4)
    collect_series(target, workload, EVERY_20_MIN[:30])
    start, end = START + 2 * H, START + 7 * H
    want = expected(workload, start.replace(minute=0), end + dt.timedelta(seconds=1))

    before = sel.statement_totals(target.pk, start, end, limit=None)
    rollup_target(target.pk)
    collect_series(target, workload, EVERY_20_MIN[29:50])
    later = sel.statement_totals(target.pk, START + 11 * H, START + 15 * H, limit=None)   # after the watermark

    assert {q: r.calls for q, r in by_queryid(before).items()} == {q: d["calls"] for q, d in want.items()}
    want_later = expected(workload, START.replace(minute=0) + 11 * H, START + 15 * H + dt.timedelta(seconds=1))
    assert {q: r.calls for q, r in by_queryid(later).items()} == {
        q: d["calls"] for q, d in want_later.items() if d["calls"]}


def test_it_rolls_up_the_same_way_incrementally_and_at_once_and_is_idempotent() -> None:
    once, each = make_target("rollup-once"), make_target("rollup-each")
    collect_series(once, Workload(statements=4, seed=11), EVERY_20_MIN[:100])
    collect_series(each, Workload(statements=4, seed=11), EVERY_20_MIN[:100], rollup_each=True)
    rollup_target(once.pk)
    rows = hour_and_day_rows(once.pk)

    assert rollup_target(once.pk) == 0
    assert hour_and_day_rows(once.pk) == rows
    assert hour_and_day_rows(each.pk) == rows
    assert {r[0] for r in rows} == {"h", "d"}


def test_it_sorts_filters_and_pages_without_one_query_per_row(django_assert_max_num_queries: Any) -> None:
    target = make_target("rollup-pages")
    workload = Workload(statements=12, seed=5)
    collect_series(target, workload, EVERY_20_MIN[:30])
    rollup_target(target.pk)
    start, end = START, EVERY_20_MIN[29]
    want = expected(workload, START, end + dt.timedelta(seconds=1))

    with django_assert_max_num_queries(3):
        first = sel.statement_totals(target.pk, start, end, order="calls", limit=5)
    with django_assert_max_num_queries(3):
        second = sel.statement_totals(target.pk, start, end, order="calls", limit=5, offset=5)
    calls = [r.calls for r in first.rows + second.rows]
    assert calls == sorted((d["calls"] for d in want.values()), reverse=True)[:10]
    assert first.total == len(want)

    only = sel.statement_totals(target.pk, start, end, text="demo_7", limit=None)
    assert [r.queryid for r in only.rows] == [7]
    assert "demo_7" in only.rows[0].preview
    mean = sel.statement_totals(target.pk, start, end, order="mean", limit=None)
    assert [r.mean_ms for r in mean.rows] == sorted((r.mean_ms for r in mean.rows), reverse=True)


def test_it_draws_series_and_sparklines_that_add_up_to_the_totals(django_assert_max_num_queries: Any) -> None:
    target = make_target("rollup-series")
    workload = Workload(statements=6, seed=9)
    collect_series(target, workload, EVERY_20_MIN)
    rollup_target(target.pk)
    start, end = START + 5 * H, START + 60 * H
    page = sel.statement_totals(target.pk, start, end, limit=None)
    seqs = [r.seq for r in page.rows]

    with django_assert_max_num_queries(2):   # the hourly rows, the raw rows after them
        lines = sel.sparklines(target.pk, seqs, start, end, metric="calls")
    for row in page.rows:
        points = sel.statement_series(target.pk, row.seq, start, end)
        assert points[0].at == START.replace(minute=0) + 6 * H
        assert sum(p.calls for p in points) == row.calls
        assert sum(lines[row.seq]) == row.calls
        assert len(lines[row.seq]) == len(points)
    daily = sel.statement_series(target.pk, page.rows[0].seq, START, START + 72 * H, res="day")
    # Mar 1, 2, 3 from their day rows; Mar 4 is still open (no day row yet): its hour rows and raw tail.
    assert [p.at.day for p in daily] == [2, 3, 4, 5]
    covered = expected(workload, START.replace(hour=0, minute=0), START + 72 * H + dt.timedelta(seconds=1))
    assert sum(p.calls for p in daily) == covered[page.rows[0].queryid]["calls"]
    statement = Statement.objects.get(target=target, seq=seqs[0])
    assert sel.query_text(statement.pk).startswith("SELECT")

"""The statement selectors' fast paths say exactly what the general ones say: a page ranked in two
passes, one statement's totals, counters read selectively, sparklines in buckets of several hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from monitoring.history.rollups_statements import rollup_target
from monitoring.history.selectors import statements as sel
from tests.monitoring.history.statement_data import START, Workload, collect_series, expected, make_target

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
EVERY_20_MIN = [START + dt.timedelta(minutes=20 * i) for i in range(3 * 24 * 3)]   # three days


@pytest.fixture
def history() -> tuple[int, Workload]:
    target = make_target("statement-pages")
    workload = Workload(statements=9, seed=11)
    collect_series(target, workload, EVERY_20_MIN[:150])
    rollup_target(target.pk)
    collect_series(target, workload, EVERY_20_MIN[150:])   # a raw tail newer than the rollup
    return target.pk, workload


def test_it_pages_in_two_passes_with_the_same_rows_as_one_pass(history: tuple[int, Workload]) -> None:
    target_id, _workload = history
    start, end = START + 5 * H + dt.timedelta(minutes=13), EVERY_20_MIN[-1]
    for order in sel.ORDERS:
        filter_sets: list[dict[str, Any]] = [{}, {"text": "DEMO_1"}, {"user": "app", "database": "shop"},
                                             {"user": "nobody"}]
        for filters in filter_sets:
            everything = sel.statement_totals(target_id, start, end, order=order, limit=None, **filters)
            pages = [sel.statement_totals(target_id, start, end, order=order, limit=4, offset=o, **filters)
                     for o in (0, 4, 8)]
            assert [r for p in pages for r in p.rows] == everything.rows, (order, filters)
            assert {p.total for p in pages if p.rows} <= {everything.total}
    assert everything.total == 0 and pages[0].rows == []


def test_it_answers_one_statement_with_the_numbers_of_the_whole_page(history: tuple[int, Workload]) -> None:
    target_id, workload = history
    for start, end in ((START + 2 * H, EVERY_20_MIN[-1]), (START + 30 * H, START + 31 * H), (START, START + 50 * H)):
        page = sel.statement_totals(target_id, start, end, limit=None)
        assert page.rows
        for row in page.rows:
            assert sel.one_statement_totals(target_id, row.seq, start, end) == row
    assert sel.one_statement_totals(target_id, 999, START, EVERY_20_MIN[-1]) is None
    quiet = sel.one_statement_totals(target_id, 1, START - 48 * H, START - 47 * H)
    assert quiet is not None and quiet.calls == 0
    hour = START + 30 * H
    want = expected(workload, hour.replace(minute=0), hour.replace(minute=0) + 2 * H)
    got = sel.one_statement_totals(target_id, 1, hour, hour + H)
    assert got is not None and got.calls == want[1]["calls"] and got.rows == want[1]["rows"]


def test_it_reads_only_the_counters_asked_for(history: tuple[int, Workload]) -> None:
    target_id, _workload = history
    for start, end in ((START + 5 * H, START + 60 * H), (START + 60 * H, START + 62 * H)):   # hourly, raw
        full = sel.statement_series(target_id, 2, start, end)
        calls = sel.statement_series(target_id, 2, start, end, counters=("calls", "rows"))
        assert [(p.at, p.calls, p.rows) for p in calls] == [(p.at, p.calls, p.rows) for p in full]
        assert any(p.exec_ms for p in full) and not any(p.exec_ms or p.shared_blks_hit for p in calls)


def test_it_sparklines_in_blocks_of_hours_add_up_to_the_hourly_ones(history: tuple[int, Workload]) -> None:
    target_id, _workload = history
    start, end = START + 5 * H + dt.timedelta(minutes=30), START + 60 * H
    seqs = [1, 2, 3, 4, 5]
    hourly = sel.sparklines(target_id, seqs, start, end, metric="calls", res="hour")
    blocks = sel.sparklines(target_id, seqs, start, end, metric="calls", res="hour", max_points=12)
    series = sel.statement_series(target_id, 1, start, end, res="hour")
    for seq in seqs:
        assert sum(blocks[seq]) == sum(hourly[seq]) > 0
        assert len(hourly[seq]) == len(series) and len(blocks[seq]) <= 12
    # 55 hours in 6-hour blocks aligned on the range's first hour (03:00): 03-09, 09-15, … on day two.
    assert blocks[1][0] == sum(p.calls for p in series[:6])
    assert blocks[1][1] == sum(p.calls for p in series[6:12])


def test_it_reaches_now_past_the_rollup_with_the_raw_tail(history: tuple[int, Workload]) -> None:
    """The fixture's last 66 collections are newer than the rollup: hourly and daily series and
    sparklines fold them into their open buckets and add up to the totals of the same range."""
    target_id, _workload = history
    end = EVERY_20_MIN[-1]
    for start, res in ((end - 24 * H, "hour"), (end - 40 * H, "hour"), (START, "day")):
        page = sel.statement_totals(target_id, start, end, limit=None)
        seqs = [r.seq for r in page.rows]
        lines = sel.sparklines(target_id, seqs, start, end, metric="calls", res=res)
        blocks = sel.sparklines(target_id, seqs, start, end, metric="calls", res=res, max_points=5)
        for row in page.rows:
            points = sel.statement_series(target_id, row.seq, start, end, res=res)
            assert sum(p.calls for p in points) == row.calls, (res, row.seq)
            assert sum(lines[row.seq]) == sum(blocks[row.seq]) == row.calls, (res, row.seq)
            assert len(lines[row.seq]) == len(points)
            assert points[-1].at >= end > points[-1].at - dt.timedelta(seconds=points[-1].seconds)


def test_it_draws_a_young_target_before_its_first_rollup() -> None:
    """Seventy minutes of collections and no rollup yet: the hourly series is the raw rows, per hour."""
    target = make_target("statement-young")
    workload = Workload(statements=5, seed=3)
    times = [START + dt.timedelta(minutes=i) for i in range(70)]   # 22:10 to 23:19
    collect_series(target, workload, times)
    start, end = times[-1] - 24 * H, times[-1]
    page = sel.statement_totals(target.pk, start, end, limit=None)
    assert page.rows
    lines = sel.sparklines(target.pk, [r.seq for r in page.rows], start, end, metric="calls", res="hour")
    for row in page.rows:
        hourly = sel.statement_series(target.pk, row.seq, start, end, res="hour")
        assert [p.at for p in hourly] == [START.replace(minute=0) + H, START.replace(minute=0) + 2 * H]
        assert sum(p.calls for p in hourly) == sum(lines[row.seq]) == row.calls > 0

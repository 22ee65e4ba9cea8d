"""The statements rollup ranks a target's statements whenever it moves, in the same transaction: what
``/metrics`` exports is that ranking (one small row per target), so no scrape ranks thousands of
statements per target, and every web worker exports the same top statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from monitoring.history.rollups import expire_small_tables
from monitoring.history.rollups_statements import rollup_target
from monitoring.history.selectors.latest import ranked_statements
from monitoring.models import StatementRanking
from tests.monitoring.history.statement_data import START, Workload, collect_series, expected, make_target

pytestmark = pytest.mark.django_db

EVERY_20_MIN = [START + dt.timedelta(minutes=20 * i) for i in range(2 * 24 * 3)]   # two days: day and hour rows
SECOND = dt.timedelta(seconds=1)


def best(workload: Workload, end: dt.datetime, n: int) -> list[tuple[int, int, int, int]]:
    """(queryid, calls, time_us, rows) of the ``n`` statements with the most time since the first collection."""
    totals = expected(workload, START, end + SECOND)
    rows = [(q, d["calls"], d["exec_us"] + d["plan_us"], d["rows"]) for q, d in totals.items()]
    return sorted((r for r in rows if r[2] > 0), key=lambda r: (-r[2], r[0]))[:n]


def stored(target_id: int) -> list[tuple[int, int, int, int]]:
    ranking = StatementRanking.objects.get(target_id=target_id)
    return [(s["queryid"], s["calls"], round(s["time_us"]), s["rows"]) for s in ranking.ranked]


def test_it_keeps_the_top_statements_by_time_as_of_the_watermark_and_replaces_them_as_it_moves(
        settings: Any) -> None:
    settings.METRICS_TOP_STATEMENTS = 3
    target = make_target("ranked")
    workload = Workload(statements=8, seed=21)
    collect_series(target, workload, EVERY_20_MIN[:100])
    rollup_target(target.pk)

    ranking = StatementRanking.objects.get(target_id=target.pk)
    assert ranking.top == 3 and ranking.through == EVERY_20_MIN[99]
    assert stored(target.pk) == best(workload, EVERY_20_MIN[99], 3)
    assert all(len(s["fingerprint"]) == 8 and "SELECT" not in str(s) for s in ranking.ranked)   # never the text

    collect_series(target, workload, EVERY_20_MIN[99:])   # the first repeats the last one: no delta
    assert StatementRanking.objects.get(target_id=target.pk).through == EVERY_20_MIN[99]   # not rolled up yet
    rollup_target(target.pk)
    assert StatementRanking.objects.filter(target_id=target.pk).count() == 1
    assert StatementRanking.objects.get(target_id=target.pk).through == EVERY_20_MIN[-1]
    assert stored(target.pk) == best(workload, EVERY_20_MIN[-1], 3)
    assert rollup_target(target.pk) == 0 and stored(target.pk) == best(workload, EVERY_20_MIN[-1], 3)


def test_it_reads_the_rankings_of_many_targets_cut_to_the_top_asked_for(settings: Any) -> None:
    settings.METRICS_TOP_STATEMENTS = 5
    ranked, silent = make_target("ranked-many"), make_target("never-rolled-up")
    workload = Workload(statements=6, seed=5)
    collect_series(ranked, workload, EVERY_20_MIN[:30])
    collect_series(silent, Workload(statements=2, seed=6), EVERY_20_MIN[:3])
    rollup_target(ranked.pk)

    found = ranked_statements([ranked.pk, silent.pk], 2)
    assert set(found) == {ranked.pk}      # a target the rollup never ranked has nothing, not zeros
    assert [(s.queryid, s.calls, round(s.time_seconds * 1e6), s.rows) for s in found[ranked.pk]] == best(
        workload, EVERY_20_MIN[29], 2)
    assert all(s.through == EVERY_20_MIN[29] for s in found[ranked.pk])
    assert ranked_statements([ranked.pk], 0) == {} and ranked_statements([], 5) == {}


def test_it_rolls_up_a_removed_target_s_leftover_rows_without_ranking_them(settings: Any) -> None:
    settings.METRICS_TOP_STATEMENTS = 3
    target = make_target("removed")
    collect_series(target, Workload(statements=4, seed=8), EVERY_20_MIN[:12])
    target_id = target.pk
    target.delete()       # its raw rows and collector state stay until retention (not models: no cascade)

    assert rollup_target(target_id) > 0
    assert not StatementRanking.objects.filter(target_id=target_id).exists()


def test_it_goes_with_its_target_and_a_ranking_left_by_a_race_goes_at_retention(settings: Any) -> None:
    settings.METRICS_TOP_STATEMENTS = 3
    kept, removed = make_target("ranking-kept"), make_target("ranking-removed")
    for target in (kept, removed):
        collect_series(target, Workload(statements=3, seed=9), EVERY_20_MIN[:6])
        rollup_target(target.pk)
    gone = removed.pk
    removed.delete()
    assert not StatementRanking.objects.filter(target_id=gone).exists()

    # What a rollup that ranked the target while it was being removed leaves behind (no foreign key).
    with connection.cursor() as cur:
        cur.execute("INSERT INTO monitoring_stmt_top (target_id, through, top, ranked, ranked_at) "
                    "VALUES (%s, now(), 3, '[]', now())", [gone])
    assert expire_small_tables()["statement_rankings"] == 1
    assert list(StatementRanking.objects.values_list("target_id", flat=True)) == [kept.pk]

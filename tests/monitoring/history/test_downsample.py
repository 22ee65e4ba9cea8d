from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from monitoring.history import partitions, rollups, snapshots
from monitoring.history.selectors.database import database_series
from monitoring.pgstats.database import DatabaseSnapshot
from tests.monitoring.history.statement_data import make_target

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 3, 9, 0, tzinfo=dt.UTC)
STARTED = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def sample(commits: int, deadlocks: int, size: int) -> DatabaseSnapshot:
    return DatabaseSnapshot(values={"started_at": STARTED, "xact_commit": commits, "blks_hit": commits * 9,
                                    "blks_read": commits, "deadlocks": deadlocks, "size_bytes": size})


def rows(table: str, target_id: int) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT captured_at, xact_commit, deadlocks FROM {table} WHERE target_id = %s "
                    "ORDER BY captured_at", [target_id])
        return cur.fetchall()


def test_it_keeps_the_last_sample_of_each_complete_hour_and_day_once() -> None:
    target = make_target("downsample")
    times = [T0 + dt.timedelta(minutes=5 * i) for i in range(12 * 30)]      # 30 hours of 5-minute samples
    for table in ("monitoring_database_raw", "monitoring_database_hour", "monitoring_database_day"):
        partitions.ensure_range(table, times[0], times[-1])
    commits = 0
    for i, at in enumerate(times):
        commits = commits + 10 if i != 200 else 3        # a stats reset half-way
        with transaction.atomic():
            snapshots.store_database(target.pk, sample(commits, i // 100, 1000 + i), at)
    now = times[-1] + dt.timedelta(minutes=3)

    first = rollups.downsample(now)
    second = rollups.downsample(now)

    hourly = rows("monitoring_database_hour", target.pk)
    assert first["monitoring_database_hour"] == len(hourly) >= 29
    assert second["monitoring_database_hour"] == 0 and second["monitoring_database_day"] == 0
    assert all(at.minute == 55 for at, *_ in hourly)          # the last sample of each hour
    assert rows("monitoring_database_day", target.pk) == [next(r for r in hourly if r[0].date() == T0.date()
                                                                and r[0].hour == 23)]
    points = database_series(target.pk, T0 + dt.timedelta(hours=2), T0 + dt.timedelta(hours=20), res="hour")
    assert all(p.commits_per_s >= 0 for p in points)
    counted = [t for t in times if T0 + dt.timedelta(hours=1, minutes=55) < t <= points[-1].at]
    reset_hour = times[200].replace(minute=0)
    # Hourly samples see the reset as the counter starting again: what ran in that hour before the reset
    # is lost (never counted twice, never negative) — the documented price of downsampling.
    lost = sum(10 for t in counted if reset_hour <= t < times[200])
    assert sum(round(p.commits_per_s * p.seconds) for p in points) == sum(
        10 if t != times[200] else 3 for t in counted) - lost
    assert points[0].cache_hit_ratio == pytest.approx(0.9)

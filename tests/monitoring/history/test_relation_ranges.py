"""Index scans over a range and table sizes over time, from real relations snapshots of a real target
stored at spaced-out times and rolled up by the real rollups — so a range is read from daily, hourly
and raw samples together — with a real statistics reset in the middle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import pairwise

import pytest
from django.db import transaction
from django.utils import timezone

from monitoring.history import partitions, rollups
from monitoring.history import relations as relation_store
from monitoring.history.selectors import relation_ranges
from monitoring.models import Event, Relation, Target
from monitoring.models import events as ev
from monitoring.pgstats.relations import read_relations
from monitoring.targets.connect import connect
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def scan(db: TargetDb, times: int) -> None:
    """Index scans of orders_placed only; closing the session flushes the counts."""
    with db.connect() as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        for n in range(times):
            conn.execute("SELECT id FROM orders WHERE placed = %s", (n,)).fetchall()


def sampler(db: TargetDb, target: Target) -> Callable[[dt.datetime], None]:
    def take(at: dt.datetime) -> None:
        with connect(target) as conn:
            snap = read_relations(conn, db.major)
        with transaction.atomic():
            relation_store.store(target.pk, snap, at)
    return take


def test_it_counts_scans_across_daily_hourly_and_raw_samples_and_a_statistics_reset(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE orders (id int PRIMARY KEY, placed int)")
        conn.execute("INSERT INTO orders SELECT g, g FROM generate_series(1, 2000) g")
        conn.execute("CREATE INDEX orders_placed ON orders (placed)")
        conn.execute("ANALYZE orders")
    target = target_db.make_target()
    now = timezone.now()
    midnight = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    t0 = midnight - dt.timedelta(hours=20)            # yesterday, 04:00
    for table in ("monitoring_relation_raw", "monitoring_relation_hour", "monitoring_relation_day"):
        partitions.ensure_range(table, t0 - dt.timedelta(days=1), now)
    take = sampler(target_db, target)

    take(t0)                                            # counter 0
    scan(target_db, 2)
    take(t0 + dt.timedelta(hours=4))                    # 2
    scan(target_db, 3)
    take(t0 + dt.timedelta(hours=8, minutes=10))        # 5 — then the statistics are reset
    with target_db.connect() as conn:
        conn.execute("SELECT pg_stat_reset()")
    reset_at = t0 + dt.timedelta(hours=8, minutes=20)
    Event.objects.create(target=target, at=reset_at, kind=ev.DATABASE_STATS_RESET, collector="database",
                         message="statistics reset", dedupe_key=reset_at.isoformat())
    scan(target_db, 1)
    take(t0 + dt.timedelta(hours=8, minutes=40))        # 1: the hour's last sample, the one kept hourly
    scan(target_db, 4)
    take(midnight + dt.timedelta(minutes=5) if midnight + dt.timedelta(minutes=5) < now - dt.timedelta(minutes=3)
         else now - dt.timedelta(minutes=2))            # 5
    rollups.downsample(now - dt.timedelta(days=2))
    rollups.downsample(now)

    seq = Relation.objects.get(target=target, name="orders_placed").seq
    usage = relation_ranges.index_usage(target.pk, t0 - dt.timedelta(minutes=1), now)[seq]
    assert usage.scans == 2 + 3 + 1 + 4 and usage.since == t0 and usage.known
    assert usage.last_seen_scanning is not None and usage.last_seen_after == t0 + dt.timedelta(hours=8, minutes=40)

    # Counted from the sample just before the range: the scans between it and the next sample may have
    # been made before the range began, which is why the page says "since" that sample.
    later = relation_ranges.index_usage(target.pk, t0 + dt.timedelta(hours=5), now)[seq]
    assert later.scans == 3 + 1 + 4 and later.since == t0 + dt.timedelta(hours=4)

    # Over the whole history, for an index never scanned: watched since the first sample.
    pkey = Relation.objects.get(target=target, name="orders_pkey").seq
    seen = relation_ranges.index_last_seen(target.pk, [seq, pkey], now)
    assert seen[pkey].at is None and seen[pkey].watched_since == t0
    assert seen[seq].at == usage.last_seen_scanning


def test_it_draws_table_sizes_from_rollups_and_the_raw_tail(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE logbook (id int PRIMARY KEY, line text)")
    target = target_db.make_target()
    now = timezone.now()
    start = now - dt.timedelta(days=3)
    for table in ("monitoring_relation_raw", "monitoring_relation_hour", "monitoring_relation_day"):
        partitions.ensure_range(table, start - dt.timedelta(days=1), now)
    take = sampler(target_db, target)
    moments = [start + dt.timedelta(hours=h) for h in (1, 13, 25, 37, 49, 61)] + [now - dt.timedelta(minutes=1)]
    for i, at in enumerate(moments):
        with target_db.connect() as conn:
            conn.execute("INSERT INTO logbook SELECT g, repeat('z', 200) FROM generate_series(%s::int, %s::int) g",
                         (i * 2000 + 1, (i + 1) * 2000))
            conn.execute("VACUUM logbook")
        take(at)
    rollups.downsample(now - dt.timedelta(days=2))   # each run looks back two days
    rollups.downsample(now)
    seq = Relation.objects.get(target=target, name="logbook").seq

    hourly = relation_ranges.table_size_series(target.pk, [seq], now - dt.timedelta(days=3, hours=1), now)[seq]
    daily = relation_ranges.table_size_series(target.pk, [seq], now - dt.timedelta(days=20), now)[seq]
    assert [at for at, _ in hourly] == moments   # every sample is the last of its hour
    assert all(b > a for (_, a), (_, b) in pairwise(hourly))
    assert len(daily) < len(hourly) and daily[-1] == hourly[-1]   # coarser, and still ends with the latest
    assert relation_ranges.table_size_series(target.pk, [], start, now) == {}

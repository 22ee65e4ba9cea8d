"""Rollups 1 min → 1 h → 1 d and the retention of the small tables; every function is idempotent.

* Statements: prefix sums, see ``rollups_statements``.
* Database, relations, replication: the last sample of each complete hour (and of each complete day,
  from the hourly table) — exact for cumulative counters.
* Activity: hourly averages and maxima of the 10-second samples.

Only complete buckets are rolled up (their end is more than ``GRACE`` in the past), and rows are
inserted with ``ON CONFLICT DO NOTHING``: running a rollup twice, or over a window already done, adds
nothing. Each run looks back ``LOOKBACK`` so a missed run is caught up.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.history import SQL, rollups_statements

GRACE = dt.timedelta(minutes=2)
LOOKBACK = dt.timedelta(days=2)

# (source, destination, bucket): a fixed list, so table names are never built from input.
DOWNSAMPLES = (
    ("monitoring_database_raw", "monitoring_database_hour", "hour"),
    ("monitoring_database_hour", "monitoring_database_day", "day"),
    ("monitoring_relation_raw", "monitoring_relation_hour", "hour"),
    ("monitoring_relation_hour", "monitoring_relation_day", "day"),
    ("monitoring_replication_raw", "monitoring_replication_hour", "hour"),
)


def _complete(now: dt.datetime, bucket: str) -> dt.datetime:
    """End of the last bucket that is complete at ``now``."""
    edge = (now - GRACE).astimezone(dt.UTC)
    if bucket == "hour":
        return edge.replace(minute=0, second=0, microsecond=0)
    return edge.replace(hour=0, minute=0, second=0, microsecond=0)


def downsample(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    written = {}
    for source, dest, bucket in DOWNSAMPLES:
        until = _complete(now, bucket)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(SQL.load("rollups/downsample").format(source=source, dest=dest, bucket=bucket),
                        {"since": until - LOOKBACK, "until": until})
            written[dest] = cur.rowcount
    return written


def activity_hourly(now: dt.datetime | None = None) -> int:
    until = _complete(timezone.now() if now is None else now, "hour")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(SQL.load("rollups/activity_hour"), {"since": until - LOOKBACK, "until": until})
        return cur.rowcount


def rollup_everything(now: dt.datetime | None = None) -> dict[str, int]:
    """What the ``rollup`` beat task runs (statements per target, each in its own transaction)."""
    result = {"statements_hours": rollups_statements.rollup_all()}
    result.update(downsample(now))
    result["monitoring_activity_hour"] = activity_hourly(now)
    return result


def expire_small_tables(now: dt.datetime | None = None) -> dict[str, int]:
    """Retention for the Django-managed history: lock incidents and events follow the hourly retention,
    sequence snapshots the daily one."""
    from monitoring.models import Event, LockIncident, SequenceSnapshot, SettingChange

    now = now or timezone.now()
    with connection.cursor() as cur:   # the collector state of removed targets (not a model: no cascade)
        cur.execute("DELETE FROM monitoring_stmt_state AS s WHERE NOT EXISTS "
                    "(SELECT 1 FROM monitoring_target AS t WHERE t.id = s.target_id)")
        orphans = cur.rowcount
    hourly = now - dt.timedelta(days=settings.RETENTION_HOURLY_DAYS)
    daily = now - dt.timedelta(days=settings.RETENTION_DAILY_DAYS)
    return {
        "statement_states": orphans,
        "lock_incidents": LockIncident.objects.filter(last_seen_at__lt=hourly).delete()[0],
        "events": Event.objects.filter(at__lt=daily).delete()[0],
        "setting_changes": SettingChange.objects.filter(detected_at__lt=daily).delete()[0],
        "sequence_snapshots": SequenceSnapshot.objects.filter(captured_at__lt=daily).delete()[0],
    }

"""Writers for the row-per-sample families: database counters and replication state.

Both store what the server showed (cumulative counters, gauges, small JSON documents) in one row per
collection; hourly and daily tables keep the last sample of each bucket (``rollups``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from psycopg.types.json import Jsonb

from monitoring.history.partitions import DAILY, DAY, HOURLY, MONTH, RAW, PartitionedTable
from monitoring.history.rollups import Downsample
from monitoring.models import Event
from monitoring.models import events as ev
from monitoring.pgstats.database import DatabaseSnapshot

PARTITIONED = (
    PartitionedTable("monitoring_database_raw", DAY, RAW),
    PartitionedTable("monitoring_database_hour", MONTH, HOURLY),
    PartitionedTable("monitoring_database_day", MONTH, DAILY),
    PartitionedTable("monitoring_replication_raw", DAY, RAW),
    PartitionedTable("monitoring_replication_hour", MONTH, HOURLY),
)
ROLLUPS = (   # hour before day: a day is built from its hours
    Downsample("monitoring_database_raw", "monitoring_database_hour", "hour"),
    Downsample("monitoring_database_hour", "monitoring_database_day", "day"),
    Downsample("monitoring_replication_raw", "monitoring_replication_hour", "hour"),
)

DATABASE_COLUMNS = (
    "started_at", "stats_reset", "cluster_stats_reset", "size_bytes", "numbackends", "xid_age", "mxid_age",
    "xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned", "tup_fetched", "tup_inserted",
    "tup_updated", "tup_deleted", "conflicts", "temp_files", "temp_bytes", "deadlocks", "checksum_failures",
    "sessions", "sessions_abandoned", "sessions_fatal", "sessions_killed", "checkpoints_timed",
    "checkpoints_req", "buffers_checkpoint", "buffers_clean", "maxwritten_clean", "buffers_backend",
    "buffers_alloc", "wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full", "wal_write", "wal_sync",
    "blk_read_time", "blk_write_time", "session_time", "active_time", "idle_in_transaction_time",
    "checkpoint_write_time", "checkpoint_sync_time", "io",
)
REPLICATION_COLUMNS = (
    "in_recovery", "replicas", "slots", "receiver", "replay_delay_seconds", "archived_count", "failed_count",
    "last_archived_wal", "last_archived_at", "last_failed_wal", "last_failed_at",
)
JSON = {"io", "replicas", "slots", "receiver"}


def _insert(table: str, columns: tuple[str, ...], target_id: int, at: dt.datetime, values: dict[str, Any]) -> None:
    row: list[Any] = [Jsonb(values.get(c)) if c in JSON and values.get(c) is not None else values.get(c)
                      for c in columns]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (target_id, captured_at, {', '.join(columns)}) "
            f"VALUES (%s, %s{', %s' * len(columns)})",
            [target_id, at, *row],
        )


def _previous(table: str, target_id: int, columns: str) -> tuple[Any, ...] | None:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {columns} FROM {table} WHERE target_id = %s ORDER BY captured_at DESC LIMIT 1", [target_id]
        )
        return cur.fetchone()


def store_database(target_id: int, snap: DatabaseSnapshot, at: dt.datetime) -> int:
    values = snap.values
    before = _previous("monitoring_database_raw", target_id, "started_at, stats_reset")
    events = []
    if before and before[0] and values.get("started_at") and before[0] != values["started_at"]:
        started = values["started_at"]
        events.append(Event(target_id=target_id, at=at, kind=ev.RESTART, collector="database",
                            message=f"server restarted at {started:%Y-%m-%d %H:%M:%S}",
                            detail={"started_at": started.isoformat(), "previous": before[0].isoformat()},
                            dedupe_key=started.isoformat()))
    if before and values.get("stats_reset") and before[1] != values["stats_reset"]:
        reset = values["stats_reset"]
        events.append(Event(target_id=target_id, at=at, kind=ev.DATABASE_STATS_RESET, collector="database",
                            message="database statistics were reset", detail={"stats_reset": reset.isoformat()},
                            dedupe_key=reset.isoformat()))
    _insert("monitoring_database_raw", DATABASE_COLUMNS, target_id, at, values)
    if events:
        Event.objects.bulk_create(events, ignore_conflicts=True)
    return 1


def store_replication(target_id: int, values: dict[str, Any], at: dt.datetime) -> int:
    _insert("monitoring_replication_raw", REPLICATION_COLUMNS, target_id, at, values)
    return 1 + len(values.get("replicas") or []) + len(values.get("slots") or [])

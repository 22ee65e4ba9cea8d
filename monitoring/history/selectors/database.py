"""Database-level series for the overview and the database charts.

* ``database_series(target_id, start, end)`` → ``list[DatabasePoint]``: per bucket (5-minute samples
  up to 6 hours, hourly up to 14 days, daily beyond: ``dbconsole.timerange.resolution``) — commits
  and rollbacks per second, cache hit ratio, size, temp files/bytes, deadlocks, conflicts, checkpoints
  (timed/requested), WAL bytes, tuples per second, backends, xid/mxid age. Counters are differences of
  cumulative values, reset-aware (a counter that went back restarted from zero: never a negative value).
* ``database_latest(target_id)`` → ``dict`` of the latest sample (cumulative values as read), or None.

For calls/s and mean latency of the statements, see ``statements.workload_series``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.db import connection

from dbconsole.timerange import CHART, resolution
from monitoring.history.selectors._series import JSON_COLUMNS, decode_row, delta, rows

COUNTERS = ("xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned", "tup_fetched", "tup_inserted",
            "tup_updated", "tup_deleted", "temp_files", "temp_bytes", "deadlocks", "conflicts", "checkpoints_timed",
            "checkpoints_req", "wal_bytes", "buffers_checkpoint", "buffers_clean", "buffers_backend")
GAUGES = ("size_bytes", "numbackends", "xid_age", "mxid_age")


@dataclass(frozen=True)
class DatabasePoint:
    at: dt.datetime
    seconds: float
    size_bytes: int | None
    numbackends: int | None
    xid_age: int | None
    mxid_age: int | None
    commits_per_s: float
    rollbacks_per_s: float
    cache_hit_ratio: float | None      # blocks found in shared buffers / blocks requested, 0..1
    blks_read_per_s: float
    tup_returned_per_s: float
    tup_fetched_per_s: float
    tup_written_per_s: float           # inserted + updated + deleted
    temp_files: int
    temp_bytes: int
    deadlocks: int
    conflicts: int
    checkpoints_timed: int
    checkpoints_req: int
    wal_bytes: int
    buffers_written: int               # by checkpoints, the background writer and backends


def database_series(target_id: int, start: dt.datetime, end: dt.datetime,
                    res: str | None = None) -> list[DatabasePoint]:
    res = res or resolution(end - start, CHART)
    samples = rows("database", res, target_id, start, end, (*COUNTERS, *GAUGES))
    points = []
    for before, now in pairwise(samples):
        seconds = (now["captured_at"] - before["captured_at"]).total_seconds() or 1.0
        d = {c: delta(now[c], before[c]) for c in COUNTERS}
        touched = d["blks_hit"] + d["blks_read"]
        points.append(DatabasePoint(
            at=now["captured_at"], seconds=seconds, size_bytes=now["size_bytes"], numbackends=now["numbackends"],
            xid_age=now["xid_age"], mxid_age=now["mxid_age"],
            commits_per_s=d["xact_commit"] / seconds, rollbacks_per_s=d["xact_rollback"] / seconds,
            cache_hit_ratio=d["blks_hit"] / touched if touched else None, blks_read_per_s=d["blks_read"] / seconds,
            tup_returned_per_s=d["tup_returned"] / seconds, tup_fetched_per_s=d["tup_fetched"] / seconds,
            tup_written_per_s=(d["tup_inserted"] + d["tup_updated"] + d["tup_deleted"]) / seconds,
            temp_files=int(d["temp_files"]), temp_bytes=int(d["temp_bytes"]), deadlocks=int(d["deadlocks"]),
            conflicts=int(d["conflicts"]), checkpoints_timed=int(d["checkpoints_timed"]),
            checkpoints_req=int(d["checkpoints_req"]), wal_bytes=int(d["wal_bytes"]),
            buffers_written=int(d["buffers_checkpoint"] + d["buffers_clean"] + d["buffers_backend"]),
        ))
    return [p for p in points if p.at >= start]


def database_latest(target_id: int) -> dict[str, Any] | None:
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM monitoring_database_raw WHERE target_id = %s ORDER BY captured_at DESC LIMIT 1",
                    [target_id])
        row = cur.fetchone()
        if row is None:
            return None
        return decode_row(dict(zip([c.name for c in cur.description], row, strict=True)), JSON_COLUMNS)

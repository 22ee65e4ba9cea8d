"""Replication: the latest state and its history.

* ``replication_latest(target_id)`` → ``dict`` (``in_recovery``; ``replicas``: application_name,
  client_addr, state, sync_state, ``*_lag_bytes`` behind this primary, ``*_lag_seconds``; ``slots``:
  slot_name, slot_type, active, wal_status, ``retained_bytes``; archiver counts and times;
  ``replay_delay_seconds`` on a standby), or None.
* ``replication_series(target_id, start, end)`` → ``list[ReplicationPoint]``: the largest replay lag
  (bytes and seconds), WAL retained by slots (bytes) and archive failures in each bucket (per-minute
  samples up to 6 hours, hourly beyond: ``dbconsole.timerange.resolution``, unless ``res`` is given).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.db import connection

from dbconsole.timerange import CHART, HOUR, resolution
from monitoring.history.selectors._series import JSON_COLUMNS, decode_row, delta, rows

COLUMNS = ("in_recovery", "replicas", "slots", "replay_delay_seconds", "archived_count", "failed_count",
           "last_archived_at", "last_failed_at")


def replication_latest(target_id: int) -> dict[str, Any] | None:
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM monitoring_replication_raw WHERE target_id = %s ORDER BY captured_at DESC LIMIT 1",
                    [target_id])
        row = cur.fetchone()
        if row is None:
            return None
        return decode_row(dict(zip([c.name for c in cur.description], row, strict=True)), JSON_COLUMNS)


@dataclass(frozen=True)
class ReplicationPoint:
    at: dt.datetime
    replicas: int
    max_replay_lag_bytes: float | None
    max_replay_lag_seconds: float | None
    retained_bytes: float
    inactive_slots: int
    archive_failures: int


def replication_series(target_id: int, start: dt.datetime, end: dt.datetime,
                       res: str | None = None) -> list[ReplicationPoint]:
    res = res or resolution(end - start, CHART, coarsest=HOUR)   # rolled up hourly only
    samples = rows("replication", res, target_id, start, end, COLUMNS)
    points = []
    for before, now in pairwise(samples):
        replicas, slots = now["replicas"] or [], now["slots"] or []
        lag_bytes = [r["replay_lag_bytes"] for r in replicas if r.get("replay_lag_bytes") is not None]
        lag_seconds = [r["replay_lag_seconds"] for r in replicas if r.get("replay_lag_seconds") is not None]
        points.append(ReplicationPoint(
            at=now["captured_at"], replicas=len(replicas),
            max_replay_lag_bytes=max(lag_bytes) if lag_bytes else now["replay_delay_seconds"] and None,
            max_replay_lag_seconds=max(lag_seconds) if lag_seconds else now["replay_delay_seconds"],
            retained_bytes=sum(s.get("retained_bytes") or 0 for s in slots),
            inactive_slots=sum(1 for s in slots if not s.get("active")),
            archive_failures=int(delta(now["failed_count"], before["failed_count"])),
        ))
    return [p for p in points if p.at >= start]

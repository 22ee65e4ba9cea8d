"""Connections over time, against ``max_connections``.

* ``connection_series(target_id, start, end, by="state")`` → ``list[ConnectionPoint]``: client
  connections per bucket broken down ``by`` state, database, user, application, client or wait_event
  (10-second samples up to 6 hours, hourly averages beyond — ``peak`` then holds hourly maxima;
  ``res`` from ``dbconsole.timerange.resolution`` unless given).
* ``activity_latest(target_id)`` → ``ActivitySample`` of the latest sample (with the longest query's
  text), or None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from dbconsole.timerange import CHART, HOUR, resolution
from monitoring.history.selectors._series import JSON_COLUMNS, decode_row, decoded

BY = {"state", "database", "user", "application", "client", "wait_event"}
STATES = ("active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "other_state")


@dataclass(frozen=True)
class ConnectionPoint:
    at: dt.datetime
    max_connections: int
    reserved_connections: int
    clients: float                                       # average over the bucket for hourly points
    counts: dict[str, float] = field(default_factory=dict)   # breakdown (averages for hourly points)
    peak: dict[str, float] = field(default_factory=dict)     # hourly maxima (empty for raw points)

    @property
    def usable(self) -> int:
        return self.max_connections - self.reserved_connections


def connection_series(target_id: int, start: dt.datetime, end: dt.datetime, by: str = "state",
                      res: str | None = None) -> list[ConnectionPoint]:
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(sorted(BY))}")
    res = res or resolution(end - start, CHART, coarsest=HOUR)   # rolled up hourly only
    params: dict[str, Any] = {"t": target_id, "start": start, "end": end}
    points = []
    with connection.cursor() as cur:
        if res == "raw":
            column = "NULL::jsonb" if by == "state" else f"by_{by}"
            cur.execute(f"SELECT captured_at, max_connections, reserved_connections, clients, {', '.join(STATES)}, "
                        f"{column} FROM monitoring_activity_raw WHERE target_id = %(t)s AND captured_at >= %(start)s "
                        "AND captured_at <= %(end)s ORDER BY captured_at", params)
            for row in cur.fetchall():
                counts = dict(zip(STATES, row[4:9], strict=True)) if by == "state" else dict(decoded(row[9]) or {})
                points.append(ConnectionPoint(at=row[0], max_connections=row[1], reserved_connections=row[2],
                                              clients=row[3], counts=counts))
            return points
        column = "NULL::jsonb" if by == "state" else f"by_{by}"
        cur.execute("SELECT hour, max_connections, reserved_connections, clients_avg, active_avg, idle_avg, "
                    "idle_in_transaction_avg, clients_max, active_max, idle_max, idle_in_transaction_max, "
                    f"{column} FROM monitoring_activity_hour WHERE target_id = %(t)s AND hour >= %(start)s - "
                    "interval '1 hour' AND hour <= %(end)s ORDER BY hour", params)
        for row in cur.fetchall():
            if by == "state":
                counts = {"active": row[4], "idle": row[5], "idle_in_transaction": row[6]}
                peak = {"clients": row[7], "active": row[8], "idle": row[9], "idle_in_transaction": row[10]}
            else:
                doc: dict[str, Any] = decoded(row[11]) or {}
                counts = {k: float(v["avg"]) for k, v in doc.items()}
                peak = {k: float(v["max"]) for k, v in doc.items()}
            points.append(ConnectionPoint(at=row[0] + dt.timedelta(hours=1), max_connections=row[1],
                                          reserved_connections=row[2], clients=row[3], counts=counts, peak=peak))
    return points


@dataclass(frozen=True)
class ActivitySample:
    captured_at: dt.datetime
    values: dict[str, Any]        # every column of monitoring_activity_raw
    longest_query: str


def activity_latest(target_id: int) -> ActivitySample | None:
    with connection.cursor() as cur:
        cur.execute("SELECT a.*, coalesce(q.text, '') AS longest_query FROM monitoring_activity_raw AS a "
                    "LEFT JOIN monitoring_querytext AS q ON q.id = a.longest_query_text_id WHERE a.target_id = %s "
                    "ORDER BY a.captured_at DESC LIMIT 1", [target_id])
        row = cur.fetchone()
        if row is None:
            return None
        values = decode_row(dict(zip([c.name for c in cur.description], row, strict=True)), JSON_COLUMNS)
    return ActivitySample(captured_at=values["captured_at"], values=values, longest_query=values.pop("longest_query"))

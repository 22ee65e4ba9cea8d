"""Mean execution time per statement over a recent window and over a whole past hour: what a query
regression is measured with (the alert rules compare the two).

* ``recent_means(target_id, start, end, min_calls=1)`` → ``{seq: Mean}`` from the raw rows in
  (start, end] — exact to the collection, for windows of minutes. One query.
* ``hour_means(target_id, hour, min_calls=1)`` → ``HourMeans``: the same for the clock hour starting at
  ``hour`` (floored), from the hourly prefix-sum rows (kept ``RETENTION_HOURLY_DAYS``, so the same hour
  a week back is still there), with ``covered`` telling whether that hour was rolled up at all. Two
  queries.

Statements with fewer than ``min_calls`` calls are left out: a mean over three calls says nothing.
Times in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection

from monitoring.history import SQL
from monitoring.history.selectors.statement_series import floor_day, floor_hour


@dataclass(frozen=True)
class Mean:
    calls: int
    exec_ms: float

    @property
    def mean_ms(self) -> float:
        return self.exec_ms / self.calls if self.calls else 0.0


@dataclass(frozen=True)
class HourMeans:
    hour: dt.datetime
    covered: bool                                    # an hourly row exists for this hour
    means: dict[int, Mean] = field(default_factory=dict)


def recent_means(target_id: int, start: dt.datetime, end: dt.datetime, min_calls: int = 1) -> dict[int, Mean]:
    with connection.cursor() as cur:
        cur.execute(SQL.load("statements/means_recent"),
                    {"target": target_id, "start": start, "end": end, "min_calls": max(int(min_calls), 1)})
        return {seq: Mean(calls=int(calls), exec_ms=int(exec_us or 0) / 1000)
                for seq, calls, exec_us in cur.fetchall()}


def hour_means(target_id: int, hour: dt.datetime, min_calls: int = 1) -> HourMeans:
    end_hour = floor_hour(hour)
    start_hour = end_hour - dt.timedelta(hours=1)
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM monitoring_stmt_hour WHERE target_id = %s AND hour = %s", [target_id, end_hour])
        if cur.fetchone() is None:
            return HourMeans(hour=end_hour, covered=False)
        cur.execute(SQL.load("statements/means_hour"), {
            "target": target_id, "end_day": floor_day(end_hour), "end_hour": end_hour,
            "start_day": floor_day(start_hour), "start_hour": start_hour, "min_calls": max(int(min_calls), 1),
        })
        means = {seq: Mean(calls=int(calls), exec_ms=int(exec_us or 0) / 1000)
                 for seq, calls, exec_us in cur.fetchall()}
    return HourMeans(hour=end_hour, covered=True, means=means)

"""Statement rollups: raw minute deltas → hourly and daily *prefix sums*, so any range costs four rows.

Range totals over 7 days for 5,000 statements must come back in well under 150 ms; summing 10,000
raw rows (or even 168 hourly rows) of 5,000-element arrays is far too slow. Instead:

* ``monitoring_stmt_hour`` (monthly partitions, ``RETENTION_HOURLY_DAYS``): per target and hour, the
  *within-day* cumulative counters of every statement through the end of that hour (array index =
  ``seq``; an hour is rewritten while it is still open — ``through`` says how far it got).
* ``monitoring_stmt_day`` (monthly partitions, ``RETENTION_DAILY_DAYS``): per target and day, the
  cumulative counters since the first collection, through the end of that day.

Cumulative through the end of hour H = day row of the latest day before H's day + hour row of the
latest hour ≤ H in H's day; a range is the difference of two such points (plus the raw rows after the
rollup's watermark). Hourly and daily values for charts are differences of consecutive rows.

The rollup is idempotent and incremental: it adds only raw rows newer than the latest hour row's
``through`` (the watermark) onto the previous cumulative state; running it again without new raw rows
changes nothing. Days before the watermark's day are finalised in the same transaction that moves the
watermark into a new day, so readers always find them.

When the watermark moves, the same transaction ranks the target's statements by time and keeps the top
``METRICS_TOP_STATEMENTS`` (``monitoring_stmt_top``): ``/metrics`` reads that row instead of ranking
every statement of every target at the scrape after each rollup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from monitoring.history import SQL
from monitoring.history.partitions import DAILY, HOURLY, MONTH, PartitionedTable

HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
PARTITIONED = (
    PartitionedTable("monitoring_stmt_hour", MONTH, HOURLY),
    PartitionedTable("monitoring_stmt_day", MONTH, DAILY),
)


def _floor_hour(t: dt.datetime) -> dt.datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def _floor_day(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def targets_with_new_data() -> list[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT target_id FROM monitoring_stmt_state ORDER BY target_id")
        return [row[0] for row in cur.fetchall()]


def rollup_target(target_id: int) -> int:
    """Bring the hour and day rows of ``target_id`` up to its latest raw row; returns hours written."""
    with transaction.atomic(), connection.cursor() as cur:
        # Serialises with the statements store (same row lock): raw rows committed later are newer.
        cur.execute("SELECT 1 FROM monitoring_stmt_state WHERE target_id = %s FOR UPDATE", [target_id])
        if cur.fetchone() is None:
            return 0
        cur.execute(
            "SELECT hour, through FROM monitoring_stmt_hour WHERE target_id = %s ORDER BY hour DESC LIMIT 1",
            [target_id],
        )
        last = cur.fetchone()
        watermark: dt.datetime | None = last[1] if last else None
        cur.execute(
            "SELECT date_trunc('hour', captured_at) AS hour, max(captured_at), max(nseq) FROM monitoring_stmt_raw "
            "WHERE target_id = %s AND (%s::timestamptz IS NULL OR captured_at > %s) GROUP BY 1 ORDER BY 1",
            [target_id, watermark, watermark],
        )
        hours = cur.fetchall()
        for hour, through, nseq in hours:
            hour = hour.astimezone(dt.UTC)
            _finalise_days(cur, target_id, before=_floor_day(hour))
            base = _base_hour(cur, target_id, hour)
            cur.execute(SQL.load("statements/rollup_hour"), {
                "target": target_id, "hour": hour, "through": through, "nseq": max(nseq, base[1]),
                "after": watermark or dt.datetime(1970, 1, 1, tzinfo=dt.UTC), "base_hour": base[0],
            })
            watermark = through
        if hours:
            cur.execute(SQL.load("statements/rank_top"), {"target": target_id, "top": settings.METRICS_TOP_STATEMENTS})
        return len(hours)


def _base_hour(cur: object, target_id: int, hour: dt.datetime) -> tuple[dt.datetime | None, int]:
    """The row to add onto: this hour's own (still open) row, else the day's latest earlier hour."""
    cur.execute(  # type: ignore[attr-defined]
        "SELECT hour, nseq FROM monitoring_stmt_hour WHERE target_id = %s AND hour >= %s AND hour <= %s "
        "ORDER BY hour DESC LIMIT 1",
        [target_id, _floor_day(hour), hour],
    )
    row = cur.fetchone()  # type: ignore[attr-defined]
    return (row[0], row[1]) if row else (None, 0)


def _finalise_days(cur: object, target_id: int, before: dt.datetime) -> None:
    """Write the day row of every day before ``before`` whose hour rows are newer than its day row."""
    cur.execute(  # type: ignore[attr-defined]
        """
        SELECT date_trunc('day', h.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, max(h.through)
        FROM monitoring_stmt_hour AS h
        WHERE h.target_id = %(t)s AND h.hour < %(before)s
            AND h.hour >= coalesce(
                (SELECT max(d.day) + interval '1 day' FROM monitoring_stmt_day AS d WHERE d.target_id = %(t)s),
                '-infinity')
        GROUP BY 1
        ORDER BY 1
        """,
        {"t": target_id, "before": before},
    )
    for day, _through in cur.fetchall():  # type: ignore[attr-defined]
        cur.execute(SQL.load("statements/rollup_day"), {"target": target_id, "day": day})  # type: ignore[attr-defined]


def rollup_all() -> int:
    return sum(rollup_target(t) for t in targets_with_new_data())


@dataclass(frozen=True)
class StatementRollup:
    """The statements' step in ``rollups.rollup_everything``: every target with raw rows, each in its own
    transaction, up to its latest raw row (``now`` does not matter: open hours are rewritten)."""

    name: str = "statements_hours"
    writes: tuple[str, ...] = ("monitoring_stmt_hour", "monitoring_stmt_day")

    def run(self, now: dt.datetime) -> int:
        return rollup_all()


ROLLUPS = (StatementRollup(),)

"""Native declarative partitioning of the big history tables: create ahead, drop when expired.

Every big table is ``PARTITION BY RANGE`` on its time column, in daily partitions (raw samples, kept
``RETENTION_RAW_DAYS``) or monthly ones (rollups, kept ``RETENTION_HOURLY_DAYS`` /
``RETENTION_DAILY_DAYS``). Retention never deletes rows: it drops a whole partition once its upper
bound is older than the cut-off, which costs nothing and leaves no bloat.

Each history module declares the partitioned tables it writes in ``PARTITIONED``; ``tables()`` finds
them all (``discovery``), so a new table is created ahead and expired without being listed here.
The parent tables themselves come from migrations.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from monitoring.history.discovery import declared

DAY, MONTH = "day", "month"
RAW, HOURLY, DAILY = "raw", "hourly", "daily"


@dataclass(frozen=True)
class PartitionedTable:
    name: str
    grain: str        # DAY or MONTH
    retention: str    # RAW, HOURLY or DAILY: which RETENTION_*_DAYS setting applies

    def retention_days(self) -> int:
        return {
            RAW: settings.RETENTION_RAW_DAYS,
            HOURLY: settings.RETENTION_HOURLY_DAYS,
            DAILY: settings.RETENTION_DAILY_DAYS,
        }[self.retention]


def tables() -> tuple[PartitionedTable, ...]:
    """Every partitioned table of the history store, as the modules that write them declare them."""
    found = declared("PARTITIONED")
    wrong = [t for t in found if not isinstance(t, PartitionedTable)]
    if wrong:
        raise TypeError(f"PARTITIONED holds PartitionedTable items, not {wrong!r}")
    names = [t.name for t in found]
    if len(set(names)) != len(names):
        raise ValueError(f"a partitioned table is declared twice: {sorted(names)}")
    return tuple(found)


def by_name(name: str) -> PartitionedTable:
    for table in tables():
        if table.name == name:
            return table
    raise KeyError(f"{name!r} is not a declared partitioned table")


_SUFFIX = re.compile(r"_p(\d{6}|\d{8})$")


def bounds(grain: str, when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) of the partition holding ``when`` (UTC)."""
    when = when.astimezone(dt.UTC)
    if grain == DAY:
        start = when.replace(hour=0, minute=0, second=0, microsecond=0)
        return start, start + dt.timedelta(days=1)
    start = when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def partition_name(table: PartitionedTable, start: dt.datetime) -> str:
    return f"{table.name}_p{start:%Y%m%d}" if table.grain == DAY else f"{table.name}_p{start:%Y%m}"


def ensure(table: PartitionedTable, when: dt.datetime) -> str:
    """Create the partition of ``table`` that holds ``when`` unless it exists; return its name."""
    start, end = bounds(table.grain, when)
    name = partition_name(table, start)
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cur.fetchone()[0]:
            return name
        cur.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table.name}" '
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    return name


def ensure_ahead(now: dt.datetime | None = None, days_ahead: int = 3) -> list[str]:
    """Partitions for today and the next ``days_ahead`` days (and the months they fall in)."""
    now = now or timezone.now()
    made = []
    for table in tables():
        for offset in range(days_ahead + 1):
            made.append(ensure(table, now + dt.timedelta(days=offset)))
    return sorted(set(made))


def ensure_range(table_name: str, start: dt.datetime, end: dt.datetime) -> None:
    """Partitions covering [start, end] — for backfills, benchmarks and tests that plant old data."""
    table = by_name(table_name)
    step = dt.timedelta(days=1) if table.grain == DAY else dt.timedelta(days=28)
    when = start
    while when <= end:
        ensure(table, when)
        when += step
    ensure(table, end)


def existing(table: PartitionedTable) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(name, start, end) of every partition of ``table``, oldest first — read from the catalog."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.relname
            FROM pg_inherits AS i
            JOIN pg_class AS c
                ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass
            """,
            [table.name],
        )
        names = [row[0] for row in cur.fetchall()]
    found = []
    for name in names:
        match = _SUFFIX.search(name)
        if not match:
            continue
        stamp = match.group(1)
        if len(stamp) == 8:
            start = dt.datetime.strptime(stamp, "%Y%m%d").replace(tzinfo=dt.UTC)
            grain = DAY
        else:
            start = dt.datetime.strptime(stamp, "%Y%m").replace(tzinfo=dt.UTC)
            grain = MONTH
        found.append((name, *bounds(grain, start)))
    return sorted(found, key=lambda p: p[1])


def drop_expired(now: dt.datetime | None = None) -> list[str]:
    """Drop every partition whose whole range is older than its table's retention; return their names."""
    now = now or timezone.now()
    dropped = []
    for table in tables():
        cutoff = now - dt.timedelta(days=table.retention_days())
        for name, _start, end in existing(table):
            if end <= cutoff:
                with connection.cursor() as cur:
                    cur.execute(f'DROP TABLE IF EXISTS "{name}"')
                dropped.append(name)
    return dropped

"""Rollups 1 min → 1 h → 1 d and the retention of the small tables; every function is idempotent.

Each history module declares the rollups of the tables it writes in ``ROLLUPS`` (found by
``discovery``, never listed here):

* ``Downsample`` — the last sample of each complete hour (and of each complete day, from the hourly
  table): exact for cumulative counters. Database, relations, replication.
* ``Summary`` — a rollup with its own SQL, e.g. hourly averages and maxima of the activity samples.
* Statements roll up into prefix sums, see ``rollups_statements``.

Only complete buckets are rolled up (their end is more than ``GRACE`` in the past), and rows are
inserted with ``ON CONFLICT DO NOTHING``: running a rollup twice, or over a window already done, adds
nothing. Each run looks back ``LOOKBACK`` so a missed run is caught up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.history import SQL
from monitoring.history.discovery import declared

GRACE = dt.timedelta(minutes=2)
LOOKBACK = dt.timedelta(days=2)
BUCKETS = ("hour", "day")


class Rollup(Protocol):
    """One rollup step, declared in ``ROLLUPS`` by the history module that writes its source."""

    @property
    def name(self) -> str:
        """The key of its row count in ``rollup_everything()``'s result."""

    @property
    def writes(self) -> tuple[str, ...]:
        """The tables it fills."""

    def run(self, now: dt.datetime) -> int:
        """Roll up what is complete at ``now``, in its own transaction; returns rows written."""


def _complete(now: dt.datetime, bucket: str) -> dt.datetime:
    """End of the last bucket that is complete at ``now``."""
    edge = (now - GRACE).astimezone(dt.UTC)
    if bucket == "hour":
        return edge.replace(minute=0, second=0, microsecond=0)
    return edge.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Downsample:
    """Keep the last sample of each complete ``bucket`` of ``source`` in ``dest``. The table names are
    declared in code, never built from input: they are formatted into the SQL."""

    source: str
    dest: str
    bucket: str   # "hour" or "day"

    def __post_init__(self) -> None:
        if self.bucket not in BUCKETS:
            raise ValueError(f"bucket must be one of {BUCKETS}, not {self.bucket!r}")

    @property
    def name(self) -> str:
        return self.dest

    @property
    def writes(self) -> tuple[str, ...]:
        return (self.dest,)

    def run(self, now: dt.datetime) -> int:
        until = _complete(now, self.bucket)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(SQL.load("rollups/downsample").format(source=self.source, dest=self.dest, bucket=self.bucket),
                        {"since": until - LOOKBACK, "until": until})
            return cur.rowcount


@dataclass(frozen=True)
class Summary:
    """A rollup into ``dest`` written in its own history SQL file ``sql``, run over the complete
    ``bucket``s of the last ``LOOKBACK`` (parameters ``since`` and ``until``)."""

    dest: str
    sql: str
    bucket: str = "hour"

    @property
    def name(self) -> str:
        return self.dest

    @property
    def writes(self) -> tuple[str, ...]:
        return (self.dest,)

    def run(self, now: dt.datetime) -> int:
        until = _complete(now, self.bucket)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(SQL.load(self.sql), {"since": until - LOOKBACK, "until": until})
            return cur.rowcount


def registered() -> list[Rollup]:
    """Every rollup the history modules declare."""
    found: list[Rollup] = declared("ROLLUPS")
    names = [r.name for r in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two rollups report under the same name: {sorted(names)}")
    return found


def downsample(now: dt.datetime | None = None) -> dict[str, int]:
    """Only the ``Downsample`` steps (last sample per bucket), in the order their modules declare them."""
    now = now or timezone.now()
    return {r.name: r.run(now) for r in registered() if isinstance(r, Downsample)}


def rollup_everything(now: dt.datetime | None = None) -> dict[str, int]:
    """What the ``rollup`` beat task runs: every declared rollup, each in its own transaction."""
    now = now or timezone.now()
    return {r.name: r.run(now) for r in registered()}


def expire_small_tables(now: dt.datetime | None = None) -> dict[str, int]:
    """Retention for the Django-managed history: lock incidents and events follow the hourly retention,
    sequence snapshots the daily one."""
    from monitoring.models import Event, LockIncident, SequenceSnapshot, SettingChange

    now = now or timezone.now()
    with connection.cursor() as cur:   # the collector state of removed targets (not a model: no cascade)
        cur.execute("DELETE FROM monitoring_stmt_state AS s WHERE NOT EXISTS "
                    "(SELECT 1 FROM monitoring_target AS t WHERE t.id = s.target_id)")
        orphans = cur.rowcount
        # A ranking written by a rollup that raced the target's removal (no foreign key, see StatementRanking).
        cur.execute("DELETE FROM monitoring_stmt_top AS s WHERE NOT EXISTS "
                    "(SELECT 1 FROM monitoring_target AS t WHERE t.id = s.target_id)")
        rankings = cur.rowcount
    hourly = now - dt.timedelta(days=settings.RETENTION_HOURLY_DAYS)
    daily = now - dt.timedelta(days=settings.RETENTION_DAILY_DAYS)
    return {
        "statement_states": orphans,
        "statement_rankings": rankings,
        "lock_incidents": LockIncident.objects.filter(last_seen_at__lt=hourly).delete()[0],
        "events": Event.objects.filter(at__lt=daily).delete()[0],
        "setting_changes": SettingChange.objects.filter(detected_at__lt=daily).delete()[0],
        "sequence_snapshots": SequenceSnapshot.objects.filter(captured_at__lt=daily).delete()[0],
    }

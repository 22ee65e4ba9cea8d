"""Moving a target's history back in time, so a test can look at "two weeks of monitoring" now.

Rules that need history (the unused-index rule's 14 days of statistics, a day of checkpoints) cannot
be waited for in a test. Everything the history store holds about the target — every sample's
``captured_at``, the statements collector's memory, events, when each relation and statement was
first seen — moves back by the same amount, as if the collections had happened that long ago. The
target itself is not touched (its ``pg_postmaster_start_time`` and stats-reset times are what they
are, so the next collection sees no restart).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import F
from django.utils import timezone

from monitoring.history import partitions
from monitoring.history.rollups import rollup_everything
from monitoring.models import Event, Relation, Statement, Target


def _tables_with_samples() -> list[str]:
    """Tables (partitioned parents, not their partitions) with ``target_id`` and ``captured_at``."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "AND EXISTS (SELECT 1 FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'captured_at') "
            "AND EXISTS (SELECT 1 FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'target_id') "
            "ORDER BY 1")
        return [r[0] for r in cur.fetchall()]


def shift_history(target: Target, by: dt.timedelta) -> None:
    """Move everything the history store holds about ``target`` back by ``by``."""
    with connection.cursor() as cur:
        for table in _tables_with_samples():
            cur.execute(f"SELECT min(captured_at), max(captured_at) FROM {table} WHERE target_id = %s",
                        [target.pk])
            low, high = cur.fetchone()
            if low is None:
                continue
            spec = next((t for t in partitions.tables() if t.name == table), None)
            if spec is not None:
                day = low - by
                while day <= high - by + dt.timedelta(days=1):
                    partitions.ensure(spec, day)
                    day += dt.timedelta(days=1)
            cur.execute(f"UPDATE {table} SET captured_at = captured_at - %s * interval '1 second' "
                        "WHERE target_id = %s", [by.total_seconds(), target.pk])
    Event.objects.filter(target=target).update(at=F("at") - by)
    Relation.objects.filter(target=target).update(first_seen=F("first_seen") - by)
    Statement.objects.filter(target=target).update(first_seen=F("first_seen") - by)


def age_history(target: Target, by: dt.timedelta) -> None:
    """``shift_history``, then the rollups the beat task would have run meanwhile (hourly and daily rows
    for the moved samples), so pages and charts over a long range find them."""
    shift_history(target, by)
    then = timezone.now() - by
    for spec in partitions.tables():
        for day in (then - dt.timedelta(days=2), then - dt.timedelta(days=1), then, then + dt.timedelta(days=1)):
            partitions.ensure(spec, day)
    rollup_everything(now=then + dt.timedelta(hours=2))

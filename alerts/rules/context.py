"""What a rule evaluates: one target, the time of the cycle, its thresholds and its collected history.

Every read goes through monitoring's history selectors and is made at most once per cycle, on first
use (a rule that is not evaluated this cycle costs nothing). Nothing here connects to the target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.urls import reverse

from alerts.rules.base import Verdict
from dbconsole.thresholds import Thresholds, thresholds_for
from monitoring.collectors import load_all as load_collectors
from monitoring.collectors.base import REGISTRY as COLLECTORS
from monitoring.history.selectors._series import rows
from monitoring.history.selectors.activity import ActivitySample, activity_latest
from monitoring.history.selectors.database import DatabasePoint, database_series
from monitoring.history.selectors.health import HealthInputs, health_inputs
from monitoring.models import CollectorStatus, LockIncident, LockSample, Target
from pgsql.ident import quote_ident_if_needed

# Failures of the connection itself: the target is down (the target_down rule says so), so rules
# reading its history are simply unknown, not "cannot evaluate" each.
CONNECTION_FAILURES = frozenset({"unreachable", "auth_failed", "database_missing", "too_many_connections",
                                 "not_postgres", "ssl_error", "secret_unreadable"})
MIN_STALE = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class OpenIncident:
    """A lock chain seen by the newest locks collection, with its newest tree."""

    incident: LockIncident
    tree: dict[str, Any]
    captured_at: dt.datetime


@dataclass
class Context:
    target: Target
    now: dt.datetime
    statuses: dict[str, CollectorStatus]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)   # per rule: RuleSetting.params
    verdicts: dict[str, Verdict] = field(default_factory=dict)        # the cycle's verdicts so far

    @cached_property
    def thresholds(self) -> Thresholds:
        return thresholds_for(self.target)

    def interval(self, collector: str) -> int:
        load_collectors()
        cls = COLLECTORS.get(collector)
        return self.target.interval_for(collector, cls.default_interval if cls else 60)

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.target.name, *args])

    # -- where a source stands ----------------------------------------------------------------------

    def stale_after(self, collector: str) -> dt.timedelta:
        intervals = self.thresholds.bound("collector_stale_intervals", "warning")
        return max(dt.timedelta(seconds=self.interval(collector) * intervals), MIN_STALE)

    def source_problem(self, collector: str) -> tuple[str, str, bool] | None:
        """Why the history of ``collector`` cannot be trusted now — ``(reason, fix, actionable)`` — or
        None when it is fresh."""
        status = self.statuses.get(collector)
        if status is None or status.status == "never":
            return f"waiting for the first {collector} collection", "", False
        if not status.ok and status.status in CONNECTION_FAILURES:
            return f"the target does not answer ({status.status})", status.hint, False
        if status.last_success_at is None:
            return (f"the {collector} collector fails: {status.status}: {status.reason}",
                    self.fix_for(status), True)
        age = self.now - status.last_success_at
        if age > self.stale_after(collector):
            why = f"{status.status}: {status.reason}" if not status.ok else "it is not running"
            return (f"no {collector} collection since {status.last_success_at:%Y-%m-%d %H:%M:%S} UTC ({why})",
                    self.fix_for(status) if not status.ok else
                    f"check that the Celery worker consumes the {_queue(collector)} queue and beat runs",
                    True)
        return None

    def fix_for(self, status: CollectorStatus) -> str:
        """The fix for a failing collector: its hint, with the exact GRANT for a missing privilege."""
        if status.status == "permission_denied":
            return f"GRANT pg_monitor TO {quote_ident_if_needed(self.target.username)};"
        return status.hint

    # -- history (monitoring's selectors) --------------------------------------------------------------

    @cached_property
    def health(self) -> HealthInputs:
        return health_inputs([self.target.pk], statuses={self.target.pk: list(self.statuses.values())}).get(
            self.target.pk, HealthInputs(target_id=self.target.pk))

    @cached_property
    def activity(self) -> ActivitySample | None:
        return activity_latest(self.target.pk)

    @cached_property
    def open_incidents(self) -> list[OpenIncident]:
        """Lock chains the newest locks collection still saw, each with its newest tree (two queries)."""
        status = self.statuses.get("locks")
        if status is None or status.last_success_at is None:
            return []
        incidents = list(LockIncident.objects.filter(target=self.target, last_seen_at__gte=status.last_success_at))
        if not incidents:
            return []
        trees = {s.incident_id: s for s in LockSample.objects.filter(
            incident__in=incidents, captured_at=status.last_success_at)}
        return [OpenIncident(incident=i, tree=trees[i.pk].tree, captured_at=trees[i.pk].captured_at)
                for i in incidents if i.pk in trees]

    def database_samples(self, window: dt.timedelta, columns: tuple[str, ...]) -> list[dict[str, Any]]:
        """Raw database samples of the window (and the one before it), cumulative values as read."""
        return rows("database", "raw", self.target.pk, self.now - window, self.now, columns)

    def database_points(self, window: dt.timedelta) -> list[DatabasePoint]:
        return self._database(int(window.total_seconds()))

    def _database(self, seconds: int) -> list[DatabasePoint]:
        cache = self.__dict__.setdefault("_database_cache", {})
        if seconds not in cache:
            cache[seconds] = database_series(self.target.pk, self.now - dt.timedelta(seconds=seconds), self.now,
                                             res="raw")
        return list(cache[seconds])


def _queue(collector: str) -> str:
    load_collectors()
    cls = COLLECTORS.get(collector)
    return cls.queue if cls else "collect"

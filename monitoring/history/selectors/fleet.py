"""The fleet overview: per target, the status of every collector.

* ``collector_statuses(target_ids=None)`` → ``{target_id: [CollectorStatus, …]}`` (by collector name;
  ``status``, ``reason``, ``hint``, ``last_success_at``, ``last_error_at``, ``last_error``,
  ``consecutive_failures``, ``last_duration_ms``). One query.
* ``collector_outcomes(target_ids)`` → ``{target_id: [Outcome, …]}``: only what an exporter reports of
  each run (status, last attempt and success, duration), without the texts; for many targets at once.
  One query.
* ``fleet(target_ids=None)`` → ``list[FleetRow]``: per target, its statuses, the latest success of any
  collector and the failing collectors. Two queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from monitoring.models import CollectorStatus, Target
from monitoring.models.status import OK_STATUSES


def collector_statuses(target_ids: Iterable[int] | None = None) -> dict[int, list[CollectorStatus]]:
    qs = CollectorStatus.objects.order_by("target_id", "collector")
    if target_ids is not None:
        qs = qs.filter(target_id__in=list(target_ids))
    out: dict[int, list[CollectorStatus]] = defaultdict(list)
    for status in qs:
        out[status.target_id].append(status)
    return dict(out)


@dataclass(frozen=True, slots=True)
class Outcome:
    collector: str
    status: str
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_duration_ms: float | None

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES


def collector_outcomes(target_ids: Iterable[int]) -> dict[int, list[Outcome]]:
    rows = (CollectorStatus.objects.filter(target_id__in=list(target_ids)).order_by("target_id", "collector")
            .values_list("target_id", "collector", "status", "last_attempt_at", "last_success_at", "last_duration_ms"))
    out: dict[int, list[Outcome]] = defaultdict(list)
    for target_id, collector, status, attempt, success, duration in rows:
        out[target_id].append(Outcome(collector, status, attempt, success, duration))
    return dict(out)


@dataclass(frozen=True)
class FleetRow:
    target: Target
    statuses: list[CollectorStatus]
    last_success_at: dt.datetime | None

    @property
    def failing(self) -> list[CollectorStatus]:
        return [s for s in self.statuses if not s.ok and s.status != "never"]

    @property
    def healthy(self) -> bool:
        return bool(self.statuses) and not self.failing


def fleet(target_ids: Iterable[int] | None = None) -> list[FleetRow]:
    targets = Target.objects.order_by("name")
    if target_ids is not None:
        targets = targets.filter(pk__in=list(target_ids))
    targets_list = list(targets)
    statuses = collector_statuses(t.pk for t in targets_list)
    rows = []
    for target in targets_list:
        mine = statuses.get(target.pk, [])
        successes = [s.last_success_at for s in mine if s.last_success_at]
        rows.append(FleetRow(target=target, statuses=mine, last_success_at=max(successes) if successes else None))
    return rows

"""Lock incidents for the locks page's timeline, and one incident's trees for replay.

* ``lock_incidents(target_id, start, end, limit=None)`` → ``list[LockIncident]`` overlapping the range,
  newest first (root pid, user, application, query; maxima of waiters, depth and wait seconds; relations).
* ``lock_incident(target_id, incident_id)`` → ``(LockIncident, list[LockSample])`` oldest first; each
  sample's ``tree`` is ``LockNode.as_dict()`` of the root (``children`` nested, times ISO 8601,
  ``wait_seconds`` per waiter).
* ``incident_replay(target_id, incident_id, index=None)`` → ``Replay`` or None: the incident, every
  sample's time, waiter count and longest wait (seconds) without the trees, and the one tree at
  ``index`` (0-based, oldest first; out-of-range values are clamped, None means the worst sample —
  most waiters, then the longest wait). Three queries however long the incident lasted.
* ``incident_summaries(target_ids, start, end)`` → ``{target_id: IncidentSummary}`` for the targets that
  had incidents overlapping the range: count, newest, and the worst one (longest wait) with its root
  blocker. One query for any number of targets (the overview headline, the fleet badge).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

from monitoring.history import SQL
from monitoring.models import LockIncident, LockSample


def lock_incidents(target_id: int, start: dt.datetime, end: dt.datetime,
                   limit: int | None = None) -> list[LockIncident]:
    """``limit`` keeps the newest ones only (a page cannot draw thousands)."""
    qs = (LockIncident.objects.filter(target_id=target_id, started_at__lte=end, last_seen_at__gte=start)
          .order_by("-started_at"))
    return list(qs[:limit] if limit is not None else qs)


def lock_incident(target_id: int, incident_id: int) -> tuple[LockIncident, list[LockSample]] | None:
    incident = LockIncident.objects.filter(target_id=target_id, pk=incident_id).first()
    if incident is None:
        return None
    return incident, list(incident.lock_samples.order_by("captured_at"))


@dataclass(frozen=True)
class SampleMark:
    pk: int
    captured_at: dt.datetime
    waiters: int
    longest_wait_seconds: float


@dataclass(frozen=True)
class Replay:
    incident: LockIncident
    marks: list[SampleMark]           # every sample, oldest first
    index: int                        # the sample shown
    tree: dict[str, Any]              # its ``LockNode.as_dict()``

    @property
    def sample(self) -> SampleMark:
        return self.marks[self.index]


def incident_replay(target_id: int, incident_id: int, index: int | None = None) -> Replay | None:
    incident = LockIncident.objects.filter(target_id=target_id, pk=incident_id).first()
    if incident is None:
        return None
    marks = [SampleMark(*row) for row in LockSample.objects.filter(incident=incident).order_by("captured_at", "pk")
             .values_list("pk", "captured_at", "waiters", "longest_wait_seconds")]
    if not marks:
        return None
    if index is None:
        index = max(range(len(marks)), key=lambda i: (marks[i].waiters, marks[i].longest_wait_seconds))
    index = min(max(index, 0), len(marks) - 1)
    tree = LockSample.objects.filter(pk=marks[index].pk).values_list("tree", flat=True).get()
    return Replay(incident=incident, marks=marks, index=index, tree=tree)


@dataclass(frozen=True)
class IncidentSummary:
    target_id: int
    incidents: int
    samples: int
    latest_id: int
    latest_at: dt.datetime
    worst_id: int
    started_at: dt.datetime
    last_seen_at: dt.datetime
    root_pid: int
    root_usename: str
    root_application: str
    root_state: str
    root_query: str
    relations: list[str]
    max_waiters: int
    max_wait_seconds: float


def incident_summaries(target_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, IncidentSummary]:
    if not target_ids:
        return {}
    with connection.cursor() as cur:
        cur.execute(SQL.load("locks/summary"), {"targets": list(target_ids), "start": start, "end": end})
        names = [c.name for c in cur.description]
        found = [IncidentSummary(**dict(zip(names, row, strict=True))) for row in cur.fetchall()]
    return {s.target_id: s for s in found}

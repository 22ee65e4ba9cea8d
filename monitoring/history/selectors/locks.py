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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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

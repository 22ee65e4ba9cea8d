"""Chart annotations: what happened on a target in a range.

* ``events(target_id, start, end)`` → ``list[Annotation]`` oldest first: server restarts,
  pg_stat_statements resets and evictions, database statistics resets, settings changes (one per
  collection that saw changes, the message lists them), lock incidents (``ref`` is the incident id,
  for the replay link). Two queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from monitoring.events import LOCK_INCIDENT
from monitoring.models import Event, LockIncident


@dataclass(frozen=True)
class Annotation:
    at: dt.datetime
    kind: str          # restart, statements_reset, statements_evicted, statement_entries_reset,
                       # database_stats_reset, settings_changed, lock_incident
    message: str
    ref: int | None = None


def events(target_id: int, start: dt.datetime, end: dt.datetime) -> list[Annotation]:
    found = [Annotation(at=e.at, kind=e.kind, message=e.message)
             for e in Event.objects.filter(target_id=target_id, at__gte=start, at__lte=end)]
    for incident in LockIncident.objects.filter(target_id=target_id, started_at__gte=start, started_at__lte=end):
        found.append(Annotation(
            at=incident.started_at, kind=LOCK_INCIDENT, ref=incident.pk,
            message=f"pid {incident.root_pid} blocked {incident.max_waiters} session(s) for up to "
                    f"{incident.max_wait_seconds:.0f} s"
                    + (f" on {', '.join(incident.relations)}" if incident.relations else ""),
        ))
    return sorted(found, key=lambda a: a.at)

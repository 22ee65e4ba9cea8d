"""Writing lock trees as incidents, so that a 3 a.m. blocking chain can be replayed the next morning.

An incident is one root transaction — (pid, backend start, transaction start) of the session at the
root of a tree — followed across collections: each collection that still sees it adds a sample with
the whole tree (``LockNode.as_dict()``) and raises the incident's maxima.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from monitoring.models import LockIncident, LockSample
from monitoring.pgstats.locks import LockSnapshot, LockTree


def _identity(tree: LockTree) -> Q:
    root = tree.root
    return Q(root_pid=root.pid, root_backend_start=root.backend_start, root_xact_start=root.xact_start)


def store(target_id: int, snap: LockSnapshot, captured_at: dt.datetime) -> int:
    """One sample per tree; returns the number of trees stored."""
    for tree in snap.trees:
        root = tree.root
        relations = sorted({n.relation for n in tree.root.walk() if n.relation})
        modes = sorted({n.mode for n in tree.waiters if n.mode})
        incident = (
            LockIncident.objects.select_for_update()
            .filter(_identity(tree), target_id=target_id)
            .order_by("-started_at")
            .first()
        )
        if incident is None:
            incident = LockIncident(
                target_id=target_id, started_at=captured_at, root_pid=root.pid,
                root_backend_start=root.backend_start, root_xact_start=root.xact_start,
                root_usename=root.usename or "", root_application=root.application_name or "",
            )
        incident.last_seen_at = captured_at
        incident.root_state = root.state or ""
        incident.root_query = root.query or incident.root_query
        incident.relations = sorted(set(incident.relations) | set(relations))
        incident.modes = sorted(set(incident.modes) | set(modes))
        incident.max_waiters = max(incident.max_waiters, len(tree.waiters))
        incident.max_depth = max(incident.max_depth, tree.depth)
        incident.max_wait_seconds = max(incident.max_wait_seconds, tree.longest_wait_seconds)
        incident.samples += 1
        incident.save()
        LockSample.objects.create(
            incident=incident, captured_at=captured_at, waiters=len(tree.waiters),
            longest_wait_seconds=tree.longest_wait_seconds, tree=root.as_dict(),
        )
    return len(snap.trees)

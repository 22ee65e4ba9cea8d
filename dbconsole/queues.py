"""Celery queue names, in one place: settings route tasks to them, workers must consume them.

Kept free of Django imports so the ``make run`` supervisor can build the worker's command line before
settings are loaded, and the compose test can check that a worker listens to every queue.
"""

from __future__ import annotations

# dispatch: the beat-driven dispatcher; collect_fast: activity and locks (10 s); collect: most
# collectors; collect_slow: bloat; maintenance: rollups, partitions, retention; advisor: HypoPG runs;
# alerts: rule evaluation right after collections, and notification delivery.
WORKER_QUEUES: tuple[str, ...] = (
    "celery", "dispatch", "collect_fast", "collect", "collect_slow", "maintenance", "advisor", "alerts",
)

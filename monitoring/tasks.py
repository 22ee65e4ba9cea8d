"""Celery tasks of the monitoring app: thin, taking ids, all real work in collectors and history.

* ``dispatch`` (beat, every ``COLLECT_DISPATCH_EVERY_S``) — enqueues ``collect(target_id, collector)``
  for every enabled target and every collector that is due (and whose ``after`` prerequisites have
  succeeded once on that target), on the collector's queue, with ``expires`` just under its interval.
* ``collect`` — one run under a per-target+collector Redis lock; a transient failure (named by the
  collector: unreachable, too many connections, lock timeout, history store hiccup) is retried with
  exponential backoff and jitter, only while the retry still lands well before the next run.
* ``rollup`` (beat, every 5 min), ``maintain`` (beat, hourly: partitions ahead, retention).

Queues: ``dispatch``, ``collect_fast`` (activity, locks), ``collect`` (statements, database, relations,
replication, settings, sequences), ``collect_slow`` (bloat), ``maintenance`` (rollups, partitions,
retention). One worker may consume them all (``make run``); at scale, give ``collect_fast`` its own
workers so 10-second collectors never queue behind slow ones.

Pool: collection is I/O-bound (waiting on targets and the history store), so workers run the
``threads`` pool; measured numbers are in ``bench/p4_fleet.py`` and the report of issue 3.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from celery import shared_task

from monitoring.collectors import schedule
from monitoring.collectors.runner import collector_for, run
from monitoring.models import CollectorStatus, Target

log = logging.getLogger(__name__)
MAX_RETRIES = 2


@shared_task(name="monitoring.dispatch", ignore_result=True)
def dispatch() -> int:
    """Enqueue every due (target, collector); returns how many were enqueued."""
    candidates = [
        schedule.Due(target_id=pk, collector=name, interval=interval, queue=queue)
        for pk, overrides in Target.objects.filter(enabled=True).values_list("pk", "intervals")
        for name, interval, queue in schedule.intervals(overrides or {})
    ]
    needed = {before for due in candidates for before in schedule.prerequisites(due.collector)}
    succeeded = set(
        CollectorStatus.objects.filter(collector__in=needed, last_success_at__isnull=False)
        .values_list("target_id", "collector")
    ) if needed else set()
    candidates = schedule.ready(candidates, succeeded)
    due = schedule.claim_due(candidates) if candidates else []
    for item in due:
        collect.apply_async(args=(item.target_id, item.collector), queue=item.queue, expires=item.expires)
    return len(due)


@shared_task(name="monitoring.collect", bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def collect(self: Any, target_id: int, collector: str) -> str:
    """Run one collector on one target; returns the CLI-style result line (or why it did not run)."""
    target = Target.objects.filter(pk=target_id, enabled=True).first()
    if target is None:
        return f"collector={collector} skipped: target {target_id} is gone or disabled"
    interval = target.interval_for(collector, collector_for(collector).default_interval)
    with schedule.run_lock(target_id, collector, interval) as held:
        if not held:
            return f"collector={collector} skipped: the previous run on {target.name} is still going"
        result = run(target, collector)
    if result.transient:
        backoff = 2.0 * (2 ** self.request.retries) + random.uniform(0, 1.0)
        if self.request.retries < MAX_RETRIES and backoff < interval / 2:
            log.info("retrying %s on %s in %.1fs: %s", collector, target.name, backoff, result.reason)
            raise self.retry(countdown=backoff)
    return result.line()


@shared_task(name="monitoring.rollup", ignore_result=True)
def rollup() -> dict[str, int]:
    from monitoring.history import rollups

    return rollups.rollup_everything()


@shared_task(name="monitoring.maintain", ignore_result=True)
def maintain() -> dict[str, Any]:
    """Partitions for the next days, expired partitions dropped, old rows of small tables deleted."""
    from monitoring.history import partitions, rollups

    created = partitions.ensure_ahead()
    dropped = partitions.drop_expired()
    return {"partitions": len(created), "dropped": dropped, **rollups.expire_small_tables()}

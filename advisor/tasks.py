"""Celery tasks: the advisor runs on every enabled target periodically.

Beat calls ``advisor.run_all`` every minute; it enqueues one ``advisor.run_target`` per target that is
due (``due_targets``: every ``ADVISOR_EVERY_S``, hourly by default, and a first run as soon as there
is workload to advise on), with ``expires`` under a minute, so a run that could not start before the
next check is dropped instead of piling up. A per-target lock in Redis keeps
two runs of one target apart (a slow HypoPG run overlapping the next dispatch). Tasks take ids, never
objects. ``CELERY_TASK_ROUTES`` sends
``advisor.*`` to the ``advisor`` queue, so a worker dedicated to it keeps HypoPG runs off collectors.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import redis
from celery import shared_task
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from advisor.models import AdvisorRun
from advisor.review.run import run_advisor
from monitoring.models import CollectorStatus, Target

log = logging.getLogger(__name__)

CHECK_EVERY_S = 60   # beat asks run_all this often; runs themselves come every ADVISOR_EVERY_S
FIRST_RUN_GRACE = dt.timedelta(minutes=10)
LOCK_TTL_S = 15 * 60  # longer than any run: the engine stops itself after ADVISOR_ENGINE_TIME_LIMIT_S


def due_targets(now: dt.datetime) -> list[int]:
    """Enabled targets due for a run, in three queries whatever their number.

    A target runs every ``ADVISOR_EVERY_S``. Its first run does not wait that long: it comes as soon as
    the statements collector has stored workload (the index engine's input) — its first collection
    already does, pg_stat_statements' counters since the stats reset — or
    after ``FIRST_RUN_GRACE`` for a target whose statements never arrive (no pg_stat_statements,
    an idle database) — the maintenance and configuration rules still have something to say.
    """
    every = dt.timedelta(seconds=settings.ADVISOR_EVERY_S)
    targets = dict(Target.objects.filter(enabled=True).values_list("pk", "created_at"))
    last_runs = dict(AdvisorRun.objects.filter(target_id__in=targets).values("target_id")
                     .annotate(last=Max("started_at")).values_list("target_id", "last"))
    with_workload = set(CollectorStatus.objects.filter(
        target_id__in=targets, collector="statements", last_rows__gt=0).values_list("target_id", flat=True))
    due = []
    for target_id, created_at in targets.items():
        last = last_runs.get(target_id)
        if last is not None:
            if now - last >= every:
                due.append(target_id)
        elif target_id in with_workload or now - created_at >= FIRST_RUN_GRACE:
            due.append(target_id)
    return sorted(due)


@shared_task(name="advisor.run_all", ignore_result=True)
def run_all() -> int:
    """Enqueue a run for every target that is due; returns how many were enqueued."""
    ids = due_targets(timezone.now())
    for target_id in ids:
        run_target.apply_async(args=(target_id,), expires=CHECK_EVERY_S * 0.9)
    return len(ids)


@shared_task(name="advisor.run_target", ignore_result=True)
def run_target(target_id: int) -> dict[str, Any]:
    """Run the advisor on one target, unless another run of it holds the lock."""
    target = Target.objects.filter(pk=target_id, enabled=True).first()
    if target is None:
        return {"status": "gone"}
    client = redis.Redis.from_url(settings.REDIS_URL)
    lock = client.lock(f"dbconsole:advisor:{target_id}", timeout=LOCK_TTL_S, blocking=False)
    if not lock.acquire(blocking=False):
        log.info("advisor run on %s skipped: another run holds the lock", target.name)
        return {"status": "locked"}
    try:
        outcome = run_advisor(target, trigger="task")
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            log.warning("advisor lock on %s expired before the run finished", target.name)
    run = outcome.run
    return {"status": run.status, "run": run.pk, "created": run.created, "resolved": run.resolved}

"""Celery tasks of the alerts app, on their own ``alerts`` queue (thin; the work is in ``evaluation``).

* ``evaluate(target_id)`` — queued by ``alerts.trigger`` right after a collection of that target
  finished (at most one queued per target at a time: ``queue_evaluation``), and by the tick for a target
  nothing was collected from lately; evaluates, then enqueues the delivery of what it decided to send.
* ``deliver(notification_id)`` — one try; a failure is retried with exponential backoff and jitter.
* ``tick`` (beat, every 10 s) — evaluates targets no collection announced for ``EVALUATE_AT_LEAST_S``
  (a dead collector must still be noticed), sends repeat notifications that are due (and what a silence
  ending lets through), re-enqueues deliveries whose task was lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from alerts.evaluation import routing
from alerts.evaluation.delivery import attempt
from alerts.evaluation.engine import evaluate_target
from alerts.models import Alert, AlertState, Notification, TargetEvaluation
from alerts.models.delivery import DeliveryState
from monitoring.collectors.schedule import PREFIX, client
from monitoring.models import Target

QUEUE = "alerts"
EVALUATE_AT_LEAST_S = 30
QUEUED_TTL_S = 60          # a queued mark whose task was lost frees itself
# A delivery task starts within a second of being queued or of its countdown; a notification still
# undelivered two ticks after its due time lost its task (a worker stopped, a broker hiccup): re-send it
# then, not minutes later. Had the task only been late, whichever of the two runs first sends the message and
# the other finds it delivered (``attempt``'s row lock and state): never twice.
LOST_DELIVERY_S = 20


def _queued_key(target_id: int) -> str:
    return f"{PREFIX}:alerts:queued:{target_id}"


def queue_evaluation(target_id: int) -> bool:
    """Enqueue ``evaluate`` unless one is already queued for the target (it will read everything
    committed before it starts: the collection that asked for it included). True when enqueued."""
    if not client().set(_queued_key(target_id), "1", nx=True, ex=QUEUED_TTL_S):
        return False
    evaluate.apply_async(args=(target_id,), queue=QUEUE, expires=QUEUED_TTL_S)
    return True


@shared_task(name="alerts.evaluate", ignore_result=True)
def evaluate(target_id: int) -> dict[str, Any]:
    # Cleared first: a collection finishing from now on queues the next evaluation.
    client().delete(_queued_key(target_id))
    outcome = evaluate_target(target_id)
    if outcome is None:
        return {"target": target_id, "gone": True}
    for notification in outcome.notifications:
        deliver.apply_async(args=(notification.pk,), queue=QUEUE)
    return {"target": target_id, "ms": round(outcome.ms, 1), "rules_run": outcome.rules_run,
            "fired": len(outcome.fired), "resolved": len(outcome.resolved),
            "notifications": len(outcome.notifications)}


@shared_task(name="alerts.deliver", ignore_result=True)
def deliver(notification_id: int) -> str:
    delay = attempt(notification_id)
    if delay is not None:
        deliver.apply_async(args=(notification_id,), queue=QUEUE, countdown=delay)
        return f"retry in {delay:.1f}s"
    return "done"


@shared_task(name="alerts.tick", ignore_result=True)
def tick() -> dict[str, int]:
    now = timezone.now()
    recent = set(TargetEvaluation.objects.filter(at__gte=now - dt.timedelta(seconds=EVALUATE_AT_LEAST_S))
                 .values_list("target_id", flat=True))
    stale = Target.objects.filter(enabled=True).exclude(pk__in=recent).values_list("pk", flat=True)
    queued = sum(queue_evaluation(pk) for pk in stale)
    flushed = 0
    for target in Target.objects.filter(pk__in=Alert.objects.filter(state=AlertState.FIRING).values("target_id")):
        for notification in flush_target(target, now):
            deliver.apply_async(args=(notification.pk,), queue=QUEUE)
            flushed += 1
    lost = list(Notification.objects.filter(state__in=[DeliveryState.QUEUED, DeliveryState.RETRYING],
                                            next_attempt_at__lt=now - dt.timedelta(seconds=LOST_DELIVERY_S))
                .values_list("pk", flat=True)[:100])
    for pk in lost:
        deliver.apply_async(args=(pk,), queue=QUEUE)
    return {"evaluations": queued, "notifications": flushed, "redelivered": len(lost)}


def flush_target(target: Target, now: dt.datetime | None = None) -> list[Notification]:
    """Routing outside an evaluation (silences, acknowledgements, repeats), under the same per-target lock."""
    with transaction.atomic():
        TargetEvaluation.objects.get_or_create(target=target, defaults={"at": now or timezone.now()})
        TargetEvaluation.objects.select_for_update().filter(target=target).first()
        return routing.flush(target, now)

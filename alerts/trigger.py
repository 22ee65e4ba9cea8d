"""Evaluation right after the collectors that feed it.

monitoring's collector runner sends ``monitoring.signals.collection_finished`` after every run
(committed, stored or failed); ``AlertsConfig.ready`` connects this receiver, which queues one
evaluation of that target on the ``alerts`` queue unless one is already queued. So a condition a
collection sees is evaluated moments later — within the same collection cycle — and monitoring never
imports alerts. Queued with Celery (not run inline) so a collector's worker thread is never held up by
rules or by a slow notification channel.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from kombu.exceptions import OperationalError

from alerts.tasks import queue_evaluation

log = logging.getLogger(__name__)


def on_collection_finished(sender: Any, *, target_id: int, collector: str, **kwargs: Any) -> None:
    try:
        queue_evaluation(target_id)
    except (redis.RedisError, OperationalError) as exc:   # the tick evaluates it anyway within EVALUATE_AT_LEAST_S
        log.warning("could not queue the alert evaluation of target %s after %s: %s", target_id, collector, exc)

"""One try to deliver a notification, stored as a ``DeliveryAttempt``; the next try's delay.

Retries back off exponentially with jitter (``ALERTS_RETRY_BACKOFF_S`` x 2ⁿ, ±20 %) up to
``ALERTS_DELIVERY_ATTEMPTS`` tries; then the notification is ``failed`` — shown on the Alerts and
Channels pages with every attempt's error, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.channels import senders
from alerts.channels.base import Sent
from alerts.models import DeliveryAttempt, Notification
from alerts.models.delivery import DeliveryState
from dbconsole.crypto import SecretUnreadable

log = logging.getLogger(__name__)
DONE = (DeliveryState.DELIVERED, DeliveryState.FAILED)
EARLY = dt.timedelta(seconds=1)   # a retry's countdown may fire this much before its stored due time


def backoff(attempts: int) -> float:
    base = float(settings.ALERTS_RETRY_BACKOFF_S) * 2 ** max(attempts - 1, 0)
    return base * random.uniform(0.8, 1.2)


def attempt(notification_id: int) -> float | None:
    """Try once; returns the delay before the next try, or None when there is none to make."""
    with transaction.atomic():
        # The row lock keeps a re-enqueued duplicate of this task from sending the same message twice. Of
        # the notification's row only (``of=self``): locking the joined channel row too made every other
        # notification to that channel skip itself while one was being sent (and whoever inserts a row
        # referencing the channel holds a key-share lock on it) — dropped until the tick re-sent it.
        notification = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("channel").filter(pk=notification_id).first())
        if notification is None or notification.state in DONE:
            return None
        if notification.next_attempt_at is not None and notification.next_attempt_at > timezone.now() + EARLY:
            return None   # a duplicate early for a retry in backoff: the task due then makes it (one chain)
        started = time.monotonic()
        sent = _send(notification)
        now = timezone.now()
        DeliveryAttempt.objects.create(notification=notification, at=now, ok=sent.ok, status_code=sent.status_code,
                                       error=sent.error, ms=(time.monotonic() - started) * 1000)
        notification.attempts += 1
        delay: float | None = None
        if sent.ok:
            notification.state, notification.delivered_at, notification.last_error = DeliveryState.DELIVERED, now, ""
            notification.next_attempt_at = None
        elif notification.attempts >= settings.ALERTS_DELIVERY_ATTEMPTS:
            notification.state, notification.last_error = DeliveryState.FAILED, sent.error
            notification.next_attempt_at = None
            log.warning("notification %s to channel %s failed after %s attempts: %s", notification.pk,
                        notification.channel.name, notification.attempts, sent.error)
        else:
            delay = backoff(notification.attempts)
            notification.state, notification.last_error = DeliveryState.RETRYING, sent.error
            notification.next_attempt_at = now + dt.timedelta(seconds=delay)
        notification.save()
    return delay


def _send(notification: Notification) -> Sent:
    channel = notification.channel
    sender = senders().get(channel.kind)
    if sender is None:
        return Sent(False, error=f"no sender for channel kind {channel.kind!r}")
    try:
        return sender(channel, notification.payload)
    except SecretUnreadable as exc:
        return Sent(False, error=str(exc).replace("target password", "channel secret"))
    except Exception as exc:   # a broken sender must fail this attempt, not the worker
        log.exception("channel %s (%s) raised", channel.name, channel.kind)
        return Sent(False, error=f"{type(exc).__name__}: {exc}"[:300])

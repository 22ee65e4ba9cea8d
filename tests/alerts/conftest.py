"""Alerting tests: real targets, real collectors, the real evaluation task, a real local HTTP receiver.

``pipeline`` runs Celery tasks in this process (``task_always_eager``): a collection's signal queues the
evaluation, which runs the rules, moves the alerts and hands notifications to the delivery task, which
POSTs to the receiver — the same code a worker runs, without a broker hop (one end-to-end test drives a
real worker; see test_target_down). Retries back off briefly here (``ALERTS_RETRY_BACKOFF_S``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from alerts.models import Channel
from dbconsole.celery import app
from dbconsole.embedded.redisserver import RedisServer
from monitoring.collectors import schedule
from monitoring.collectors.runner import run
from monitoring.models import Target
from tests.alerts.receiver import Receiver, http_receiver


@pytest.fixture(autouse=True)
def _roles(transactional_db: Any) -> None:
    """These tests commit (the collectors' signal fires on commit), and each flush drops the role groups
    the data migration made: bring them back."""
    from django.contrib.auth.models import Group

    from dbconsole.access import ROLES

    for role in ROLES:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def pipeline(redis_server: RedisServer, settings: Any) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    schedule._client.cache_clear()
    settings.ALERTS_RETRY_BACKOFF_S = 0.05
    settings.ALERTS_DELIVERY_ATTEMPTS = 3
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield client
    app.conf.update(task_always_eager=previous[0], task_eager_propagates=previous[1])
    client.flushdb()
    schedule._client.cache_clear()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as r:
        yield r


def webhook(receiver: Receiver, name: str = "oncall", **fields: Any) -> Channel:
    from alerts import actions

    return actions.add_channel(name, "generic", secret=receiver.url, **fields)


def collect(target: Target, *collectors: str) -> None:
    """Real collections, each announcing itself (and so evaluating the target) when it commits."""
    for name in collectors:
        run(target, name)

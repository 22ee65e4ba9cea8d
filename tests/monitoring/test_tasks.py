from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.utils import timezone

from dbconsole.celery import app
from dbconsole.embedded.redisserver import RedisServer
from monitoring import tasks
from monitoring.collectors import schedule
from monitoring.models import CollectorStatus, Target
from tests.monitoring.collectors.test_killed_worker import worker_env
from tests.support.targets import TargetDb

QUEUES = ("dispatch", "collect_fast", "collect", "collect_slow", "maintenance")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """Celery and the locks on the test's redis-server, emptied before and after."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    previous = app.conf.broker_url
    app.conf.update(broker_url=redis_server.url)
    _fresh_pool()
    yield client
    client.flushdb()
    app.conf.update(broker_url=previous)
    _fresh_pool()


def _fresh_pool() -> None:
    """Connections made for the previous broker URL must not be reused (they are dropped, not closed:
    kombu keeps producer pools keyed by connection and refuses a closed one)."""
    app._pool = None  # type: ignore[attr-defined]  # private, and the only way to drop them
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
    schedule._client.cache_clear()


def queued(client: redis.Redis) -> dict[str, int]:
    return {q: int(client.llen(q)) for q in QUEUES}


@pytest.mark.django_db
def test_it_dispatches_each_due_collector_once_per_interval_on_its_queue(broker: redis.Redis,
                                                                          target_db: TargetDb) -> None:
    target = target_db.make_target(intervals={"bloat": 7200})
    Target.objects.create(name="switched-off", host="127.0.0.1", port=1, dbname="x", username="u", enabled=False)

    first = tasks.dispatch()
    again = tasks.dispatch()

    # bloat waits for the relations it refers to: not dispatched (nor claimed) before relations succeeded once
    assert first == 8 and again == 0
    assert queued(broker) == {"dispatch": 0, "collect_fast": 2, "collect": 6, "collect_slow": 0, "maintenance": 0}
    assert not broker.exists(f"dbconsole:due:{target.pk}:bloat")
    CollectorStatus.objects.create(target=target, collector="relations", status="ok", last_success_at=timezone.now())
    assert tasks.dispatch() == 1
    assert queued(broker)["collect_slow"] == 1
    assert 7_190_000 < broker.pttl(f"dbconsole:due:{target.pk}:bloat") <= 7_197_500
    # half a dispatcher tick (2.5 s) shorter than the interval: the next 5-s tick after 10 s finds it due
    assert 7_000 < broker.pttl(f"dbconsole:due:{target.pk}:activity") <= 7_500


@pytest.mark.django_db
def test_it_skips_a_run_while_another_worker_holds_the_target_and_collector(broker: redis.Redis,
                                                                             target_db: TargetDb) -> None:
    target = target_db.make_target()
    with schedule.run_lock(target.pk, "settings", 3600) as held:
        assert held
        with schedule.run_lock(target.pk, "settings", 3600) as second:
            assert not second
        skipped = tasks.collect.apply(args=(target.pk, "settings")).get()
        assert "skipped: the previous run" in skipped
        assert not CollectorStatus.objects.filter(target=target).exists()
        assert 0 < broker.ttl(f"dbconsole:lock:{target.pk}:settings") <= 900
    assert not broker.exists(f"dbconsole:lock:{target.pk}:settings")   # released by its owner only
    ran = tasks.collect.apply(args=(target.pk, "settings")).get()
    assert ran.startswith("collector=settings") and "status=ok" in ran


@pytest.mark.django_db
def test_it_retries_only_transient_failures_and_never_raises_into_the_worker(broker: redis.Redis,
                                                                              target_db: TargetDb) -> None:
    from dbconsole.embedded.pgcluster import free_port

    down = target_db.make_target("down")
    down.port = free_port()
    down.save()
    wrong = target_db.make_target("wrong")
    wrong.set_password("nope")
    wrong.save()

    down_result = tasks.collect.apply(args=(down.pk, "statements"))      # unreachable: retried twice
    wrong_result = tasks.collect.apply(args=(wrong.pk, "statements"))    # auth: not retried
    activity = tasks.collect.apply(args=(down.pk, "activity"))           # 10 s collector: never retried

    assert CollectorStatus.objects.get(target=down, collector="statements").consecutive_failures == 3
    assert down_result.state == "SUCCESS" and "unreachable" in down_result.get()   # the last try gives up quietly
    assert wrong_result.state == "SUCCESS" and "auth_failed" in wrong_result.get()
    assert CollectorStatus.objects.get(target=wrong, collector="statements").consecutive_failures == 1
    assert activity.state == "SUCCESS" and "unreachable" in activity.get()


@pytest.mark.django_db(transaction=True)
def test_it_collects_through_a_real_worker_and_beat_dispatch_while_a_broken_target_fails(
        broker: redis.Redis, redis_server: RedisServer, pg18_db: TargetDb) -> None:
    healthy = pg18_db.make_target("healthy")
    broken = pg18_db.make_target("broken")
    broken.set_password("wrong")
    broken.save()
    env: dict[str, Any] = {**worker_env(), "REDIS_URL": redis_server.url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dbconsole", "worker", "--pool", "threads", "--concurrency", "4",
         "--queues", ",".join(QUEUES), "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        # What beat sends every 5 s; the worker runs it and then the collections. Bloat waits for the first
        # relations run, so it is dispatched at a later tick.
        deadline = time.monotonic() + 90
        next_tick = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_tick:
                tasks.dispatch.delay()
                next_tick = time.monotonic() + 5
            done = CollectorStatus.objects.filter(target__in=[healthy, broken]).exclude(status="never").count()
            if done == 17:     # 9 on the healthy target; 8 on the broken one, whose bloat waits for relations
                break
            time.sleep(0.3)
        statuses = {(s.target.name, s.collector): s.status for s in CollectorStatus.objects.select_related("target")}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert {c: s for (t, c), s in statuses.items() if t == "healthy"} == {
        c: "ok" for c in ("activity", "locks", "statements", "relations", "database", "replication", "settings",
                          "sequences")} | {"bloat": statuses[("healthy", "bloat")]}
    assert statuses[("healthy", "bloat")] in {"ok", "partial"}
    assert {s for (t, _c), s in statuses.items() if t == "broken"} == {"auth_failed"}
    assert ("broken", "bloat") not in statuses

"""A target stopped and restarted, end to end through a real Celery worker consuming every queue, with
the dispatch and tick beat sends: the webhook receives a firing then a resolved ``target_down`` with the
same fingerprint, both valid Alertmanager payloads. On PostgreSQL 15 and 18, each on a cluster of its own
(the session's shared clusters are never stopped)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alerts import tasks as alert_tasks
from dbconsole.celery import app
from dbconsole.embedded.pgcluster import PgCluster
from dbconsole.embedded.redisserver import RedisServer
from dbconsole.queues import WORKER_QUEUES
from monitoring import tasks as monitoring_tasks
from monitoring.collectors import schedule
from monitoring.models import CollectorStatus
from tests.alerts.conftest import webhook
from tests.alerts.receiver import Receiver
from tests.alerts.schema import validate
from tests.monitoring.collectors.test_killed_worker import worker_env
from tests.support import components
from tests.support.targets import TargetDb, start_target_cluster

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=[15, 18], ids=["pg15", "pg18"])
def own_cluster(request: pytest.FixtureRequest, cluster_root: Path) -> Iterator[PgCluster]:
    bindir = components.require_pg15() if request.param == 15 else components.require_pg18()
    cluster = start_target_cluster(bindir, cluster_root / f"down-{request.param}-{os.getpid()}")
    yield cluster
    cluster.destroy()


@pytest.fixture
def worker(redis_server: RedisServer) -> Iterator[None]:
    """A real worker on every queue, and what beat sends (dispatch every 5 s, the alerts tick every 10 s)."""
    previous = app.conf.broker_url
    app.conf.update(broker_url=redis_server.url)
    app._pool = None  # type: ignore[attr-defined]  # drop connections made for another broker URL
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
    schedule._client.cache_clear()
    schedule.client().flushdb()
    env: dict[str, Any] = {**worker_env(), "REDIS_URL": redis_server.url}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dbconsole", "worker", "--pool", "threads", "--concurrency", "6",
         "--queues", ",".join(WORKER_QUEUES), "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    stop = threading.Event()

    def beat() -> None:
        ticks = 0
        while not stop.is_set():
            monitoring_tasks.dispatch.delay()
            if ticks % 2 == 0:
                alert_tasks.tick.delay()
            ticks += 1
            stop.wait(5.0)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        schedule.client().flushdb()
        app.conf.update(broker_url=previous)
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]
        schedule._client.cache_clear()


def wait_until(predicate: Any, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise TimeoutError(what)


def test_it_fires_when_the_target_stops_and_resolves_when_it_is_back(
        own_cluster: PgCluster, receiver: Receiver, worker: None) -> None:
    own_cluster.ensure_database("shop")
    target = TargetDb(cluster=own_cluster, dbname="shop").make_target(f"shop-pg{own_cluster.major}")
    webhook(receiver, min_severity="warning")
    wait_until(lambda: CollectorStatus.objects.filter(target=target, collector="activity", status="ok").exists(),
               "the first activity collection")

    own_cluster.stop()
    firing = receiver.wait_for(lambda m: m.body["groupLabels"].get("alertname") == "target_down", timeout=120,
                               what="target_down firing")
    validate(firing.body)
    alert = firing.body["alerts"][0]
    assert firing.body["status"] == alert["status"] == "firing"
    assert alert["labels"] == {"alertname": "target_down", "target": target.name, "severity": "critical"}
    assert "unreachable" in alert["annotations"]["summary"]

    own_cluster.start()
    resolved = receiver.wait_for(lambda m: m.body["status"] == "resolved", timeout=120, what="the resolution")
    validate(resolved.body)
    assert resolved.body["alerts"][0]["fingerprint"] == alert["fingerprint"]
    assert resolved.body["alerts"][0]["startsAt"] == alert["startsAt"]
    # Nothing but the down target was announced: no alert about each rule the outage blinded.
    assert {b["groupLabels"]["alertname"] for b in receiver.bodies()} == {"target_down"}

"""P7 — alerts: how soon a condition reaches a webhook, and what an evaluation costs.

A real Celery worker (every queue) and real Celery beat with the default intervals (dispatch every 5 s,
activity and locks collected every 10 s, the alerts tick every 10 s) watch one target; a webhook channel
points at an HTTP receiver in this process. Then, in turn:

Each event starts at a random moment of the collection cycle.

* target down — the target cluster is stopped: latency = stop → the ``target_down`` firing notification
  received; it is started again: resolve latency = accepting connections → the resolved notification;
* lock chain — a holder keeps a row lock, two sessions queue behind it: the condition is true once the
  first waiter has waited ``lock_wait_seconds`` (20 s by default), latency = that moment → the
  ``lock_wait`` firing notification; the chain is released: resolve latency = release → resolved.

Latency p50/p95 over all events (goal: p95 ≤ 20 s). Evaluation cost: the worker's own timing of every
evaluation of the target (``TargetEvaluation.ms``, sampled as they happen) and the rules graded per
cycle. ``P7_EVENTS`` (default 20) sets how many events, half of each kind.

The bench downs the same target every minute or so — exactly what the flapping guard exists to quiet
(from the third episode in 15 minutes it keeps the alert firing until 15 quiet minutes), so it runs with
the guard off (``DBCONSOLE_ALERTS_FLAP_EPISODES=0``): it measures the pipeline, not the guard.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg

from bench.workload_history import STATE, clusters, make_target, say
from dbconsole.embedded.pgcluster import free_port
from dbconsole.embedded.redisserver import RedisServer

REPO = Path(__file__).resolve().parent.parent
GOAL_P95_S = 20.0


class Inbox:
    """What the webhook receiver got: (arrival time, payload)."""

    def __init__(self) -> None:
        self.items: list[tuple[float, dict[str, Any]]] = []
        self.changed = threading.Condition()

    def add(self, body: dict[str, Any]) -> None:
        with self.changed:
            self.items.append((time.time(), body))
            self.changed.notify_all()

    def wait(self, since: float, match: Callable[[dict[str, Any]], bool], timeout: float = 180.0) -> float:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for at, body in self.items:
                    if at >= since and match(body):
                        return at
                if time.monotonic() > deadline:
                    raise TimeoutError("no matching notification")
                self.changed.wait(0.5)


@contextlib.contextmanager
def receiver(inbox: Inbox) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            inbox.add(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()


def alert_is(name: str, status: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: body["groupLabels"].get("alertname") == name and body["status"] == status


@contextlib.contextmanager
def lock_chain(conninfo: str) -> Iterator[float]:
    """Yields the time the first waiter started waiting; releases the chain on exit."""
    with psycopg.connect(conninfo, autocommit=True) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS p7_chain (id int PRIMARY KEY, v int)")
        setup.execute("INSERT INTO p7_chain VALUES (1, 0) ON CONFLICT DO NOTHING")
    holder = psycopg.connect(conninfo, application_name="p7-holder")
    holder.execute("UPDATE p7_chain SET v = v + 1 WHERE id = 1")
    waiters, threads = [], []
    started = time.time()
    for i in range(2):
        conn = psycopg.connect(conninfo, autocommit=True, application_name=f"p7-waiter-{i}")
        waiters.append(conn)
        thread = threading.Thread(target=_quietly, args=(conn,), daemon=True)
        thread.start()
        threads.append(thread)
    try:
        yield started
    finally:
        holder.rollback()
        holder.close()
        for thread in threads:
            thread.join(timeout=30)
        for conn in waiters:
            conn.close()


def _quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.execute("UPDATE p7_chain SET v = v + 1 WHERE id = 1")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main() -> None:
    events = int(os.environ.get("P7_EVENTS", "20"))
    os.environ["DBCONSOLE_ALERTS_FLAP_EPISODES"] = "0"
    redis = RedisServer(directory=STATE / "p7-redis", port=free_port())
    redis.start()
    inbox = Inbox()
    try:
        with clusters("p7", env={"REDIS_URL": redis.url}) as cl, receiver(inbox) as url:
            from alerts import actions
            from alerts.models import TargetEvaluation
            from dbconsole.queues import WORKER_QUEUES
            from dbconsole.thresholds import DEFAULTS
            from monitoring.models import CollectorStatus

            cl.target.ensure_database("shop")
            target = make_target(cl, "shop")
            actions.add_channel("bench", "generic", secret=url)
            conninfo = cl.target_conninfo("shop")
            env = dict(os.environ)
            # Celery logs through Django's LOGGING (the console): its output is the worker log.
            worker_log = (STATE / "p7-worker.log").open("w")
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dbconsole", "worker", "--pool", "threads", "--concurrency",
                 "8", "--queues", ",".join(WORKER_QUEUES), "--without-gossip", "--without-mingle", "--loglevel",
                 "INFO"], cwd=REPO, env=env, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True)
            beat = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dbconsole", "beat", "--loglevel", "ERROR", "--schedule",
                 str(STATE / "p7-beat-schedule"), "--pidfile", ""], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            costs: dict[Any, tuple[float, int]] = {}
            sampling = threading.Event()

            def sample() -> None:
                from django.db import connection

                while not sampling.is_set():
                    row = TargetEvaluation.objects.filter(target=target).values_list("at", "ms", "rules_run").first()
                    if row:
                        costs[row[0]] = (row[1], row[2])
                    sampling.wait(0.2)
                connection.close()

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            try:
                _wait(lambda: CollectorStatus.objects.filter(target=target, collector="activity", status="ok").exists())
                threshold = DEFAULTS["lock_wait_seconds"].warning or 20
                fire: dict[str, list[float]] = {"down": [], "lock": []}
                resolve: list[float] = []
                for i in range(events):
                    # Each event starts at a random moment of the 10-s collection cycle: right after the
                    # previous notification it would always start just after a collection (the worst case).
                    time.sleep(random.uniform(0, 10))
                    if i % 2 == 0:
                        say(f"p7: event {i + 1}/{events}: target down")
                        stopped = time.time()
                        cl.target.stop()
                        fire["down"].append(inbox.wait(stopped, alert_is("target_down", "firing")) - stopped)
                        say(f"p7:   fired after {fire['down'][-1]:.1f}s")
                        cl.target.start()
                        back = time.time()
                        resolve.append(inbox.wait(back, alert_is("target_down", "resolved")) - back)
                        say(f"p7:   resolved after {resolve[-1]:.1f}s")
                    else:
                        say(f"p7: event {i + 1}/{events}: lock chain")
                        with lock_chain(conninfo) as waiting_since:
                            condition = waiting_since + threshold
                            fire["lock"].append(inbox.wait(waiting_since, alert_is("lock_wait", "firing")) - condition)
                            if fire["lock"][-1] > 30:
                                explain_slow(target)
                        released = time.time()
                        resolve.append(inbox.wait(released, alert_is("lock_wait", "resolved")) - released)
                        say(f"p7:   fired {fire['lock'][-1]:.1f}s after the condition, "
                            f"resolved after {resolve[-1]:.1f}s")
            finally:
                sampling.set()
                sampler.join(timeout=5)
                for process in (beat, worker):
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=60)
                worker_log.close()
            latencies = fire["down"] + fire["lock"]
            ms = [c[0] for c in costs.values() if c[0] > 0]
            rules = [c[1] for c in costs.values()]
            print(f"bench p7_alerts events={len(latencies)} down={len(fire['down'])} lock_chains={len(fire['lock'])} "
                  f"latency_p50_s={statistics.median(latencies):.1f} latency_p95_s={percentile(latencies, 0.95):.1f} "
                  f"down_p95_s={percentile(fire['down'], 0.95):.1f} lock_p95_s={percentile(fire['lock'], 0.95):.1f} "
                  f"resolve_p95_s={percentile(resolve, 0.95):.1f} goal_p95_s={GOAL_P95_S:.0f} "
                  f"eval_ms_per_target_cycle_p50={statistics.median(ms):.1f} eval_ms_p95={percentile(ms, 0.95):.1f} "
                  f"evaluations={len(ms)} rules_graded_per_cycle_p50={statistics.median(rules):.0f} "
                  f"load_avg={os.getloadavg()[0]:.1f}", flush=True)
    finally:
        redis.stop()


def explain_slow(target: Any) -> None:
    """What the history said while a notification was late (for the worker log next to it)."""
    from alerts.models import TargetEvaluation
    from monitoring.models import CollectorStatus

    for status in CollectorStatus.objects.filter(target=target, collector__in=["activity", "locks"]):
        say(f"p7:   slow: {status.collector} {status.status} attempt {status.last_attempt_at:%H:%M:%S} "
            f"success {status.last_success_at:%H:%M:%S} {status.reason}")
    evaluation = TargetEvaluation.objects.filter(target=target).first()
    if evaluation is not None:
        say(f"p7:   slow: evaluated {evaluation.at:%H:%M:%S}: {evaluation.verdicts.get('lock_wait')}")
    say(f"p7:   slow: worker log {STATE / 'p7-worker.log'}")


def _wait(predicate: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the first collection never came")
        time.sleep(0.5)


if __name__ == "__main__":
    main()

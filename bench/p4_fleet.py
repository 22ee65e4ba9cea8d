"""P4 — fleet: targets served per worker core at a 60 s statements interval, and the worker pool.

200 databases on one PostgreSQL 15 cluster, each a target with its own ~25 statements (5,000 in
pg_stat_statements in all). A real Celery worker (subprocess) collects statements from all 200 after
every database ran its workload; the worker's CPU time (user + system, all its threads or processes)
per cycle gives targets per core = 60 s / (CPU seconds per target). Run once with the ``threads`` pool
and once with ``prefork``, same concurrency, to compare them for this I/O-bound work. Goal ≥ 500/core.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg

from bench.workload_history import STATE, clusters, make_target, say
from dbconsole.embedded.pgcluster import free_port
from dbconsole.embedded.redisserver import RedisServer

DATABASES = 200
TABLES = 8
CONCURRENCY = 8
CYCLES = 3
REPO = Path(__file__).resolve().parent.parent


def template(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for i in range(TABLES):
            conn.execute(f"CREATE TABLE f_{i} (id int PRIMARY KEY, a int, b text)")
            conn.execute(f"INSERT INTO f_{i} SELECT g, g % 7, md5(g::text) FROM generate_series(1, 200) g")
            conn.execute(f"CREATE INDEX f_{i}_a ON f_{i} (a)")


def workload(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for i in range(TABLES):
            conn.execute(f"SELECT * FROM f_{i} WHERE id = 5")
            conn.execute(f"SELECT b FROM f_{i} WHERE a = 3")
            conn.execute(f"UPDATE f_{i} SET a = a WHERE id = 7")


def cpu_seconds(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def cycle(target_ids: list[int]) -> float:
    """Enqueue a statements collection for every target; return when all are recorded."""
    from django.utils import timezone

    from monitoring import tasks
    from monitoring.models import CollectorStatus

    started = timezone.now()
    for pk in target_ids:
        tasks.collect.apply_async(args=(pk, "statements"), queue="collect")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        done = CollectorStatus.objects.filter(collector="statements", last_attempt_at__gte=started).count()
        if done >= len(target_ids):
            return (timezone.now() - started).total_seconds()
        time.sleep(0.2)
    raise TimeoutError("the worker did not finish the cycle")


def rss_mb(proc: psutil.Process) -> float:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 2**20


def measure(pool: str, cl_conninfo: str, target_ids: list[int]) -> tuple[float, float, float]:
    """Median worker CPU seconds and wall seconds per cycle, and the worker's memory (MB) for ``pool``."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dbconsole", "worker", "--pool", pool, "--concurrency",
         str(CONCURRENCY), "--queues", "collect", "--without-gossip", "--without-mingle", "--loglevel", "ERROR"],
        cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        proc = psutil.Process(worker.pid)
        cycle(target_ids)                    # warm-up: every worker thread/process connected once
        cpus, walls = [], []
        for _ in range(CYCLES):
            for i in range(DATABASES):
                workload(cl_conninfo.replace("dbname=workload", f"dbname=fleet_{i}"))
            before = cpu_seconds(proc)
            walls.append(cycle(target_ids))
            cpus.append(cpu_seconds(proc) - before)
        return statistics.median(cpus), statistics.median(walls), rss_mb(proc)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


def main() -> None:
    redis = RedisServer(directory=STATE / "p4-redis", port=free_port())
    redis.start()
    try:
        with clusters("p4", env={"REDIS_URL": redis.url}) as cl:
            from monitoring.models import CollectorStatus

            cl.target.ensure_database("fleet_template")
            template(cl.target_conninfo("fleet_template"))
            say(f"p4: creating {DATABASES} databases")
            targets = []
            for i in range(DATABASES):
                cl.target.execute(f'CREATE DATABASE "fleet_{i}" TEMPLATE fleet_template')
                workload(cl.target_conninfo(f"fleet_{i}"))
                targets.append(make_target(cl, f"fleet_{i}").pk)
            base = cl.target_conninfo("workload")
            results = {}
            for pool in ("threads", "prefork"):
                say(f"p4: {pool} pool, concurrency {CONCURRENCY}")
                results[pool] = measure(pool, base, targets)
            bad = CollectorStatus.objects.filter(collector="statements").exclude(status="ok").count()
            cpu, wall, rss = results["threads"]
            print(f"bench p4_fleet targets={DATABASES} interval_s=60 pool=threads concurrency={CONCURRENCY} "
                  f"worker_cpu_s_per_cycle={cpu:.2f} cpu_ms_per_target={1000 * cpu / DATABASES:.1f} "
                  f"targets_per_core={60 * DATABASES / cpu:.0f} cycle_wall_s={wall:.1f} failed={bad} goal=500",
                  flush=True)
            cpu_p, wall_p, rss_p = results["prefork"]
            print(f"bench p4_fleet_pool concurrency={CONCURRENCY} targets={DATABASES} threads_cpu_s={cpu:.2f} "
                  f"threads_wall_s={wall:.1f} threads_rss_mb={rss:.0f} prefork_cpu_s={cpu_p:.2f} "
                  f"prefork_wall_s={wall_p:.1f} prefork_rss_mb={rss_p:.0f} load_avg={os.getloadavg()[0]:.1f}",
                  flush=True)
    finally:
        redis.stop()


if __name__ == "__main__":
    main()

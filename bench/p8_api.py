"""P8 — the API and the exporter: ``/metrics`` for 100 targets, and one API statements page over 7 days of
5,000 statements; p95 server time (goal ≤ 150 ms each) and the series ``/metrics`` exports per target.

The history store is P3's (``bench.p3_queries_page``): a week of one-minute collections of 5,000
statements for one target through the real write path, rolled up as the rollup task does. The other 99
targets get what the exporter reads for each: the statements' identities and their latest hour and day
rollup rows, ranked as the statements rollup ranks them (each target its own 5,000 statements), and the
newest activity, database, replication, settings and collector-status rows — copied from a real
collection (the real collectors run once on the history cluster's own ``postgres`` database), with two
replicas and a slot written into the replication sample, an open lock incident, a dozen recommendations
and an alert evaluation each (two firing alerts, one resolved; every tenth target's lock alert silenced).

The process boots as a web worker does (``dbconsole.wsgi``: the URLconf loaded, the long-lived objects
frozen out of the garbage collector's walks), then Django's test ``Client`` (no network: the time is the
server's — middleware, authentication by token, rate limiting in a real Redis, the view, the history
queries) requests ``/metrics`` and the statements page ``REQUESTS`` times after one warm-up. Scrapes
never rank statements (the rollup does, every 5 minutes, when it moves): ``rank_*`` is what ranking one
target's 5,000 statements costs the rollup.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import secrets
import statistics
import sys
import time
from collections import Counter
from typing import Any

from bench.p3_queries_page import DAYS, REQUESTS, STATEMENTS, generate, history_store, percentile
from bench.workload_history import STATE, say
from dbconsole.embedded.pgcluster import PgCluster, free_port
from dbconsole.embedded.redisserver import RedisServer

TARGETS = 100
GOAL_MS = 150
RANKED = 20      # targets whose ranking is timed (each ranks 5,000 statements)
FAMILIES = ("monitoring_activity_raw", "monitoring_database_raw", "monitoring_replication_raw",
            "monitoring_collectorstatus", "monitoring_settingvalue")
REPLICAS = ('[{"pid": 4242, "application_name": "replica-a", "client_addr": "10.0.0.2", "state": "streaming", '
            '"replay_lag_bytes": 81920, "replay_lag_seconds": 0.8}, {"pid": 4243, "application_name": "replica-b", '
            '"client_addr": "10.0.0.3", "state": "streaming", "replay_lag_bytes": 1048576, "replay_lag_seconds": 3.5}]')
SLOTS = '[{"slot_name": "replica_b", "slot_type": "physical", "active": true, "wal_status": "reserved", ' \
        '"retained_bytes": 1048576}]'


def columns(cur: Any, table: str) -> list[str]:
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
                "ORDER BY ordinal_position", [table])
    return [row[0] for row in cur.fetchall()]


def copy_rows(cur: Any, table: str, source: int, target_ids: list[int], where: str = "",
              params: list[Any] | None = None) -> None:
    """Every row of ``source`` in ``table`` (matching ``where``) once more for each target id."""
    cols = columns(cur, table)
    picked = ", ".join("t.id" if c == "target_id" else f"r.{c}" for c in cols)
    cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {picked} FROM {table} AS r "
                f"CROSS JOIN unnest(%s::int4[]) AS t(id) WHERE r.target_id = %s {where}",
                [target_ids, source, *(params or [])])


def fleet(history: PgCluster, big_id: int) -> list[int]:
    """99 more targets with what the exporter reads; returns every target id, the P3 one first."""
    from django.db import connection
    from django.utils import timezone

    from advisor.models import Recommendation
    from monitoring.collectors import load_all
    from monitoring.collectors.runner import run
    from monitoring.models import CollectorStatus, LockIncident, LockSample, Target

    real = Target(name="p8-real", host="127.0.0.1", port=history.port, dbname="postgres",
                  username=history.superuser, sslmode="disable")
    real.set_password(history.password)
    real.save()
    load_all()
    for name in ("settings", "database", "activity", "replication", "locks", "relations", "sequences"):
        result = run(real, name)
        assert result.ok, result.line()
    others = [Target.objects.create(name=f"p8-{i:03d}", host="10.0.0.9", port=5432, dbname=f"db{i}",
                                    username="monitor").pk for i in range(1, TARGETS)]
    everyone = [big_id, *others]
    with connection.cursor() as cur:
        for table in FAMILIES:
            copy_rows(cur, table, real.pk, everyone)
        cur.execute("UPDATE monitoring_replication_raw SET replicas = %s::jsonb, slots = %s::jsonb "
                    "WHERE target_id = ANY(%s)", [REPLICAS, SLOTS, everyone])
        copy_rows(cur, "monitoring_statement", big_id, others)
        # What ranking reads: the latest hour row and the latest day row before its day.
        cur.execute("SELECT max(hour) FROM monitoring_stmt_hour WHERE target_id = %s", [big_id])
        latest = cur.fetchone()[0]
        copy_rows(cur, "monitoring_stmt_hour", big_id, others, "AND r.hour = %s", [latest])
        copy_rows(cur, "monitoring_stmt_day", big_id, others, "AND r.day = (SELECT max(day) FROM monitoring_stmt_day "
                  "WHERE target_id = %s AND day < date_trunc('day', %s AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
                  [big_id, latest])
        for target_id in everyone:
            rank(cur, target_id)
        cur.execute("SELECT count(*) FROM monitoring_stmt_top WHERE ranked <> '[]'::jsonb")
        assert cur.fetchone()[0] == len(everyone), "every target has its top statements"
    real.delete()
    locks_at = CollectorStatus.objects.filter(target_id=big_id, collector="locks").values_list(
        "last_success_at", flat=True).get()
    assert locks_at is not None
    now = timezone.now()
    for target_id in everyone:
        incident = LockIncident.objects.create(
            target_id=target_id, started_at=locks_at - dt.timedelta(minutes=3), last_seen_at=locks_at, root_pid=77,
            root_usename="app", root_application="billing", root_query="UPDATE invoices SET …", max_waiters=3,
            max_depth=2, max_wait_seconds=170.0, samples=3)
        LockSample.objects.create(incident=incident, captured_at=locks_at, waiters=3, longest_wait_seconds=170.0,
                                  tree={"pid": 77, "children": []})
        Recommendation.objects.bulk_create([Recommendation(
            target_id=target_id, kind="unused_index", object_key=f"public.idx_{n}", object_label=f"public.idx_{n}",
            category="indexes", severity=("info", "warning", "critical")[n % 3], severity_rank=n % 3,
            status=("open", "open", "accepted", "dismissed")[n % 4], title=f"Unused index idx_{n}",
            fingerprint=secrets.token_hex(8), first_seen_at=now, last_seen_at=now, status_changed_at=now,
        ) for n in range(12)])
        alerts(target_id, now)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return everyone


def alerts(target_id: int, now: dt.datetime) -> None:
    """What /metrics and the alerts listing read of a target: its evaluation, a firing lock_wait (critical)
    and long_transaction (warning), a resolved target_down; every tenth target's lock alert silenced."""
    from alerts.models import Alert, Silence, TargetEvaluation
    from monitoring.models import Target

    target = Target.objects.get(pk=target_id)
    TargetEvaluation.objects.create(target=target, at=now, ms=4.0, rules_run=25)
    shapes: list[tuple[str, str, str, dict[str, str]]] = [
        ("lock_wait", "critical", "firing", {"root_pid": "77"}), ("long_transaction", "warning", "firing", {}),
        ("target_down", "critical", "resolved", {})]
    Alert.objects.bulk_create([Alert(
        target=target, rule=rule, fingerprint=secrets.token_hex(8), severity=severity, state=state,
        labels={"alertname": rule, "target": target.name, "severity": severity, **extra},
        annotations={"summary": f"{rule} on {target.name}", "description": "bench", "runbook": "bench"},
        link=f"/t/{target.name}/alerts/", started_at=now - dt.timedelta(minutes=10), fired_at=now - dt.timedelta(
            minutes=9), resolved_at=now - dt.timedelta(minutes=1) if state == "resolved" else None, last_seen_at=now,
    ) for rule, severity, state, extra in shapes])
    if target_id % 10 == 0:
        Silence.objects.create(target=target, rule="lock_wait", starts_at=now - dt.timedelta(minutes=5),
                               ends_at=now + dt.timedelta(days=7), comment="bench", created_by_name="bench")


def rank(cur: Any, target_id: int) -> None:
    """What the statements rollup does for a target when it moves."""
    from django.conf import settings

    from monitoring.history import SQL

    cur.execute(SQL.load("statements/rank_top"), {"target": target_id, "top": settings.METRICS_TOP_STATEMENTS})


def timed(get: Any, url: str, n: int = REQUESTS) -> list[float]:
    get(url)   # warm: first-use imports and caches are not what a scraper waits for
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return out


def main() -> None:
    keep = "--keep" in sys.argv    # development: keep the store and reuse it next time (not for figures)
    redis = RedisServer(directory=STATE / "p8-redis", port=free_port())
    redis.start()
    os.environ["REDIS_URL"] = redis.url
    try:
        with history_store(keep=keep, name="p8") as (cluster, fresh):
            run(cluster, fresh)
    finally:
        redis.stop()


def run(cluster: PgCluster, fresh: bool) -> None:
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from prometheus_client.parser import text_string_to_metric_families

    from api.tokens import create_token
    from monitoring.models import Target

    if fresh:
        big = Target(name="p8-000", host="127.0.0.1", port=1, dbname="shop", username="nobody", sslmode="disable")
        big.save()
        say(f"p8: generating {DAYS} days of 1-minute history for {STATEMENTS:,} statements (P3's generator)")
        figures = generate(big.pk, timezone.now().replace(second=0, microsecond=0))
        say(f"p8: generated in {figures['generate_s']:.0f} s; filling {TARGETS - 1} more targets")
        fleet(cluster, big.pk)
    big = Target.objects.get(name="p8-000")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    importlib.import_module("dbconsole.wsgi")   # what a gunicorn worker runs before its first request
    user, _ = User.objects.get_or_create(username="p8-viewer")
    user.groups.add(Group.objects.get(name="viewer"))
    token = create_token(user, name=f"p8 {secrets.token_hex(4)}", expires=None).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")   # every request carries the token

    say(f"p8: /metrics for {Target.objects.count()} targets, {REQUESTS} requests")
    ranking = []
    with connection.cursor() as cur:
        for target_id in Target.objects.order_by("pk").values_list("pk", flat=True)[:RANKED]:
            started = time.perf_counter()
            rank(cur, target_id)
            ranking.append((time.perf_counter() - started) * 1000)
    warm = timed(client.get, "/metrics")
    body = client.get("/metrics").content.decode()
    per_target: Counter[str] = Counter()
    total = 0
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            total += 1
            if "target" in sample.labels:
                per_target[sample.labels["target"]] += 1
    counts = list(per_target.values())
    print(f"bench p8_api page=metrics_{len(counts)}_targets p50_ms={statistics.median(warm):.1f} "
          f"p95_ms={percentile(warm, 95):.1f} requests={len(warm)} rank_p50_ms={statistics.median(ranking):.1f} "
          f"rank_max_ms={max(ranking):.1f} series_per_target={statistics.median(counts):.0f} "
          f"series_per_target_max={max(counts)} series_total={total} "
          f"bytes={len(body)} goal_p95_ms={GOAL_MS}", flush=True)

    base = f"/api/v1/targets/{big.name}/statements/"
    say(f"p8: API statements page over 7 days, {REQUESTS} requests")
    first = timed(client.get, f"{base}?range=7d")
    report("api_statements_7d", first)
    cursor = client.get(f"{base}?range=7d").json()["next_cursor"]
    report("api_statements_7d_next_page", timed(client.get, f"{base}?cursor={cursor}"))
    report("api_statements_7d_sort_mean", timed(client.get, f"{base}?range=7d&sort=mean"))
    say(f"p8: API fleet alerts page, {REQUESTS} requests")
    report("api_alerts_fleet", timed(client.get, "/api/v1/alerts/?range=24h&limit=100"))


def report(name: str, timings: list[float]) -> None:
    print(f"bench p8_api page={name} p50_ms={statistics.median(timings):.1f} p95_ms={percentile(timings, 95):.1f} "
          f"requests={len(timings)} goal_p95_ms={GOAL_MS}", flush=True)


if __name__ == "__main__":
    main()

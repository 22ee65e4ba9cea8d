"""P3 — the queries page over 7 days of 1-minute history for 5,000 statements: ≤ 150 ms p95 server time.

A fresh PostgreSQL 18 history store (migrated) gets a week of one-minute statements collections from
``bench.synthetic_statements`` through the real write path — ``known_keys`` then ``store`` in one
transaction per minute, as the collector does, and ``rollup_target`` every simulated hour as the
rollup task does (the rollup is incremental, so hourly or every 5 minutes ends in the same rows); the
last few minutes stay unrolled, as they would be between two rollup runs.

Then Django's test ``Client`` (no network: the time is the server's — middleware, view, selectors,
template) requests the queries page with the default sort over 7 days, other sorts and filters, the CSV
export, a query-detail page and each of its chart endpoints, ``REQUESTS`` times each, and prints
``bench p3_queries_page page=… p50_ms=… p95_ms=… requests=…`` per page and one line for generation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from bench.workload_history import STATE, say
from dbconsole.embedded.pgcluster import PgCluster, embedded_bindir

DAYS = 7
STATEMENTS = 5000
REQUESTS = 30
TAIL_MINUTES = 4       # raw minutes newer than the last rollup (the rollup task runs every 5 minutes)
GOAL_MS = 150


@contextlib.contextmanager
def history_store(*, keep: bool = False, name: str = "p3") -> Iterator[tuple[PgCluster, bool]]:
    """A migrated PostgreSQL 18 history store on 127.0.0.1, destroyed on exit (no target needed);
    ``keep`` leaves it (stopped) for the next ``keep`` run, which reuses it. Yields (cluster, fresh).
    ``name`` is the folder under the bench state (another benchmark reusing this one keeps its own)."""
    root = STATE / name
    fresh = not (keep and (root / "history" / "PG_VERSION").exists())
    if fresh:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        root.chmod(0o755)
    cluster = PgCluster(bindir=embedded_bindir(), datadir=root / "history",
                        conf={"shared_buffers": "'256MB'", "max_connections": "50"})
    try:
        if fresh:
            cluster.init(fast=True)
        cluster.start()
        cluster.ensure_database("dbconsole")
        os.environ["DJANGO_SETTINGS_MODULE"] = "dbconsole.settings"
        os.environ["DATABASE_URL"] = cluster.url("dbconsole")
        os.environ.setdefault("DBCONSOLE_SECRET_KEY", secrets.token_urlsafe(48))
        if not os.environ.get("DBCONSOLE_FERNET_KEYS"):
            from cryptography.fernet import Fernet

            os.environ["DBCONSOLE_FERNET_KEYS"] = Fernet.generate_key().decode()
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        yield cluster, fresh
    finally:
        with contextlib.suppress(Exception):
            if keep:
                cluster.stop()
            else:
                cluster.destroy()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def generate(target_id: int, end: dt.datetime) -> dict[str, Any]:
    """A week of collections ending at ``end``; returns what was written and how long it took."""
    from django.db import connection, transaction

    from bench.synthetic_statements import Synthetic  # imports models: after django.setup()
    from monitoring.history import partitions
    from monitoring.history import statements as store
    from monitoring.history.rollups_statements import rollup_target

    minutes = DAYS * 24 * 60 + 60          # an hour more than the page's range: its start is covered
    start = end - dt.timedelta(minutes=minutes)
    for table in ("monitoring_stmt_raw", "monitoring_stmt_hour", "monitoring_stmt_day"):
        partitions.ensure_range(table, start - dt.timedelta(days=1), end + dt.timedelta(days=1))
    workload = Synthetic(start, minutes, statements=STATEMENTS)
    started = time.perf_counter()
    store_s = rollup_s = 0.0
    changed = 0
    known = store.known_keys(target_id)
    for minute in range(minutes + 1):
        at = start + dt.timedelta(minutes=minute)
        if minute:
            workload.step(minute)
        t0 = time.perf_counter()
        read = workload.read(minute, known.keys)
        with transaction.atomic():
            changed += store.store(target_id, read, at, known).rows
        if read.texts:
            # The collector asks for the known keys before every run; they change only when new statements
            # were stored, so asking again only then gives the store the same input, for less bench time.
            known = store.known_keys(target_id)
        t1 = time.perf_counter()
        store_s += t1 - t0
        if at.minute == 0 or minute == minutes - TAIL_MINUTES:
            rollup_target(target_id)
            rollup_s += time.perf_counter() - t1
        if minute % 1440 == 0 and minute:
            say(f"p3: day {minute // 1440} of {DAYS} generated ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE monitoring_stmt_raw, monitoring_stmt_hour, monitoring_stmt_day, "
                    "monitoring_statement, monitoring_querytext")
        cur.execute("SELECT (SELECT count(*) FROM monitoring_stmt_raw), (SELECT count(*) FROM monitoring_stmt_hour), "
                    "(SELECT count(*) FROM monitoring_stmt_day), (SELECT count(*) FROM monitoring_statement)")
        raw, hours, days, statements = cur.fetchone()
    return {"generate_s": time.perf_counter() - started, "store_s": store_s, "rollup_s": rollup_s,
            "collections": minutes + 1, "raw_rows": raw, "hour_rows": hours, "day_rows": days,
            "statements": statements, "statement_samples": changed}


def main() -> None:
    keep = "--keep" in sys.argv    # development: keep the store and reuse it next time (not for figures)
    with history_store(keep=keep) as (_cluster, fresh):
        from django.conf import settings
        from django.contrib.auth.models import Group, User
        from django.test import Client
        from django.utils import timezone

        from monitoring.models import Target

        if fresh:
            target = Target(name="p3-shop", host="127.0.0.1", port=1, dbname="shop", username="nobody",
                            sslmode="disable")
            target.save()
            end = timezone.now().replace(second=0, microsecond=0)
            say(f"p3: generating {DAYS} days of 1-minute history for {STATEMENTS:,} statements")
            figures = generate(target.pk, end)
            print("bench p3_queries_page " + " ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()), flush=True)
        target = Target.objects.get(name="p3-shop")

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        user, _ = User.objects.get_or_create(username="p3-viewer")
        user.groups.add(Group.objects.get(name="viewer"))
        client = Client()
        client.force_login(user)
        say(f"p3: timing pages, {REQUESTS} requests each")
        base = f"/t/{target.name}/queries/"
        pages = {
            "queries_7d_total_time": f"{base}?range=7d",
            "queries_7d_calls": f"{base}?range=7d&sort=calls",
            "queries_7d_mean": f"{base}?range=7d&sort=mean",
            "queries_7d_temp_blks": f"{base}?range=7d&sort=temp_blks",
            "queries_7d_page_3": f"{base}?range=7d&page=3",
            "queries_7d_user_filter": f"{base}?range=7d&user=reporting",
            "queries_7d_text_filter": f"{base}?range=7d&q=customers",
            "queries_24h": f"{base}?range=24h",
            "queries_6h": f"{base}?range=6h",
            "queries_1h": f"{base}?range=1h",
            "queries_7d_csv": f"{base}?range=7d&csv=1",
        }
        for name, url in pages.items():
            report(name, timed(client.get, url))
        seq = busiest(target.pk)
        report("query_detail_7d", timed(client.get, f"{base}{seq}/?range=7d"))
        from monitoring.charts.statements import DETAIL_CHARTS

        for chart_name, _title in DETAIL_CHARTS:
            url = f"/t/{target.name}/charts/{chart_name}/?seq={seq}&range=7d"
            report(f"chart_{chart_name}_7d", timed(client.get, url))
        selectors_alone(target.pk)


def busiest(target_id: int) -> int:
    """The statement at the top of the default sort: the one a user clicks first."""
    from django.utils import timezone

    from monitoring.history.selectors.statements import statement_totals

    now = timezone.now()
    return statement_totals(target_id, now - dt.timedelta(days=7), now, limit=1).rows[0].seq


def selectors_alone(target_id: int) -> None:
    """The page's two heavy queries without Django around them: where the time goes."""
    from django.utils import timezone

    from dbconsole.timerange import SPARKLINE, resolution
    from monitoring.history.selectors.statements import one_statement_totals, sparklines, statement_totals
    from monitoring.ui.sparkline import SPARK_POINTS

    now = timezone.now()
    start = now - dt.timedelta(days=7)
    seqs = [r.seq for r in statement_totals(target_id, start, now).rows]
    res = resolution(now - start, SPARKLINE)
    report("selector_statement_totals_7d", _timed_call(lambda: statement_totals(target_id, start, now)))
    report("selector_sparklines_7d", _timed_call(
        lambda: sparklines(target_id, seqs, start, now, res=res, max_points=SPARK_POINTS)))
    report("selector_one_statement_totals_7d",
           _timed_call(lambda: one_statement_totals(target_id, seqs[0], start, now)))


def _timed_call(call: Any, n: int = REQUESTS) -> list[float]:
    call()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(get: Any, url: str, n: int = REQUESTS) -> list[float]:
    get(url)   # warm: first-use imports and caches are not what a user waits for
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def report(name: str, timings: list[float]) -> None:
    print(f"bench p3_queries_page page={name} p50_ms={statistics.median(timings):.1f} "
          f"p95_ms={percentile(timings, 95):.1f} requests={len(timings)} goal_p95_ms={GOAL_MS}", flush=True)


if __name__ == "__main__":
    main()

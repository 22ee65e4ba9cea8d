"""The overview's history: health checks with severity (live ones plus wraparound, sequences, invalid
indexes, replication, archiver, collectors) and the key charts over the range with their markers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring import health
from monitoring.history.selectors.database import database_latest
from monitoring.history.selectors.health import HealthInputs, health_inputs
from tests.monitoring.views.history_data import (
    EVERYTHING,
    collect,
    deadlock,
    invalid_index,
    lock_incident,
    near_overflow_sequences,
    statements_workload,
    temp_files,
)
from tests.support.targets import MONITOR_PASSWORD, TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db

# Session, user, groups, the target, the health inputs, the collector statuses; the headline: lock incidents,
# open advisor findings, the last advisor runs.
HEALTH_QUERIES = 9
CHARTS = ("overview-calls", "overview-latency", "connections-history", "overview-cache-hit", "overview-size",
          "overview-temp", "overview-deadlocks")


def _check(body: str, key: str) -> str:
    """The ``<li>`` of one check."""
    match = re.search(rf'<li class="check [^"]*" data-check="{key}".*?</li>\s*(?=<li class="check|</ul>\s*</div>)',
                      body, re.S)
    assert match, f"no check {key}"
    return match.group(0)


def _severity(body: str, key: str) -> str:
    found = re.search(rf'data-check="{key}" data-status="(\w+)"', body)
    assert found, f"no check {key}"
    return found.group(1)


def test_it_grades_live_and_history_checks_from_real_situations(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    near_overflow_sequences(target_db)
    index = invalid_index(target_db)
    target = target_db.make_target()
    collect(target, *EVERYTHING)
    client = client_for(viewer)
    url = reverse("overview-health", args=[target.name])
    with blocking_chain(target_db, waiters=2) as chain, django_assert_max_num_queries(HEALTH_QUERIES):
        body = client.get(url).content.decode()
    assert chain.holder_pid  # the chain held while the checks ran

    # From the target now: the chain shows as blocked sessions and a session idle in transaction.
    assert _severity(body, "blocked") == "warning" and "2 sessions waiting on a lock" in _check(body, "blocked")
    assert _severity(body, "idle_in_transaction") == "warning"
    assert _severity(body, "connections") == "ok"
    # From history: the fullest sequence is critical (95 %), the other one a warning (80 %).
    sequences = _check(body, "sequences")
    assert _severity(body, "sequences") == "critical"
    assert 'class="sev-critical" data-detail="public.badges_id_seq"' in sequences and "95.0% used" in sequences
    assert 'class="sev-warning" data-detail="public.tickets_id_seq"' in sequences and "80.0% used" in sequences
    assert "roomy_id_seq" not in sequences
    assert _severity(body, "invalid_indexes") == "warning" and index in _check(body, "invalid_indexes")
    wrap = _check(body, "wraparound")
    assert _severity(body, "wraparound") == "ok" and "of autovacuum_freeze_max_age" in wrap
    assert 'data-detail="public.tickets"' in wrap  # the oldest tables are listed
    assert _severity(body, "replication") == "ok" and "no replica" in _check(body, "replication")
    assert _severity(body, "archiver") == "ok"
    assert _severity(body, "collectors") == "ok" and f"all {len(EVERYTHING)} collecting" in _check(body, "collectors")
    # Worst first: the critical sequence check opens the list.
    assert body.index('data-check="sequences"') < body.index('data-check="blocked"') < body.index(
        'data-check="wraparound"')
    assert 'data-worst="critical"' in body


def test_it_failing_collector_shows_its_reason_and_hint(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    target.set_password("not-the-password")
    target.save()
    for name in ("database", "activity", "locks"):
        assert not collect_failing(target, name)
    body = client_for(viewer).get(reverse("overview-health", args=[target.name])).content.decode()
    # A target refusing our password is one we cannot see — unknown, with the fix — not one that is down.
    reachable = _check(body, "reachable")
    assert _severity(body, "reachable") == "unknown" and "auth_failed" in reachable
    assert "fix: <span data-fix>check the password stored for this target" in reachable
    collectors = _check(body, "collectors")
    assert _severity(body, "collectors") == "unknown" and "3 of 3 failing" in collectors
    for name in ("database", "activity", "locks"):
        line = re.search(rf'data-detail="{name}">.*?</li>', collectors, re.S)
        assert line and "auth_failed: " in line.group(0) and "password authentication failed" in line.group(0)
        assert "fix: check the password stored for this target" in line.group(0)
    wraparound = _check(body, "wraparound")
    assert _severity(body, "wraparound") == "unknown"
    assert "not collected yet: the database collector fails" in wraparound
    assert "fix: <span data-fix>check the password stored for this target" in wraparound
    assert "not-the-password" not in body and MONITOR_PASSWORD not in body


def collect_failing(target: Any, name: str) -> bool:
    from monitoring.collectors.runner import run

    return run(target, name).ok


def test_it_health_endpoint_costs_the_same_for_one_or_many_problems(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    collect(target, "sequences", "relations")
    client = client_for(viewer)
    url = reverse("overview-health", args=[target.name])
    with django_assert_max_num_queries(HEALTH_QUERIES):
        client.get(url)
    near_overflow_sequences(target_db)
    for i in range(5):
        invalid_index(target_db, f"members_email_{i}")
    with target_db.connect() as conn:
        for i in range(20):
            conn.execute(f"CREATE TABLE spare_{i} (id int)")
    collect(target, "sequences", "relations")
    with django_assert_max_num_queries(HEALTH_QUERIES):
        body = client.get(url).content.decode()
    assert body.count("<code>public.members_email_") == 5 and "badges_id_seq" in body


def test_it_wraparound_and_archiver_thresholds() -> None:
    at = timezone.now()

    def inputs(xid: int, mxid: int = 0, **replication: Any) -> HealthInputs:
        sample = {"captured_at": at, "xid_age": xid, "mxid_age": mxid, "blks_hit": 1, "blks_read": 0}
        repl = {"captured_at": at, "in_recovery": False, "replicas": [], "slots": [], "replay_delay_seconds": None,
                "archived_count": 10, "failed_count": 0, "last_archived_at": at, "last_failed_wal": None,
                "last_failed_at": None, **replication}
        return HealthInputs(target_id=1, database=sample, replication=repl)

    assert health.wraparound(inputs(150_000_000), at).status == "ok"
    assert health.wraparound(inputs(200_000_000), at).status == "warning"      # = autovacuum_freeze_max_age
    assert health.wraparound(inputs(400_000_000), at).status == "critical"     # twice it: vacuum cannot finish
    assert health.wraparound(inputs(1000, mxid=400_000_000), at).status == "warning"
    assert "75%" in health.wraparound(inputs(150_000_000), at).summary
    failing = inputs(1, last_failed_at=at, last_failed_wal="00000001000000000000000A",
                     last_archived_at=at - dt.timedelta(minutes=5), failed_count=3)
    assert health.archiver(failing, at).status == "critical"
    assert "00000001000000000000000A" in health.archiver(failing, at).summary
    recovered = inputs(1, last_failed_at=at - dt.timedelta(hours=1), last_failed_wal="0000000100000000000000A0")
    assert health.archiver(recovered, at).status == "warning"
    lagging = inputs(1, replicas=[{"application_name": "replica-1", "state": "streaming",
                                   "replay_lag_seconds": 400.0, "replay_lag_bytes": 10}])
    assert health.replication_lag(lagging, at).status == "critical"
    assert "replica-1" in health.replication_lag(lagging, at).summary


def test_it_draws_the_key_charts_over_the_range_with_markers(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    start = timezone.now()
    collect(target, "database", "statements", "settings", "activity")
    statements_workload(target_db)
    temp_files(target_db)
    deadlock(target_db)
    with target_db.connect() as conn:
        conn.execute(f'ALTER DATABASE "{target_db.dbname}" SET work_mem = \'8MB\'')
    lock_incident(target_db, target, samples=1, also=("activity",))
    collect(target, "database", "statements", "settings")
    client = client_for(viewer)

    figures = {}
    for name in CHARTS:
        with django_assert_max_num_queries(8):
            response = client.get(reverse("chart", args=[target.name, name]), {"range": "1h"})
        assert response.status_code == 200, name
        figures[name] = response.json()
        kinds = {s.get("name") for s in figures[name]["layout"].get("shapes", [])}
        assert {"settings_change", "lock_incident"} <= kinds, name   # markers on every chart
        notes = [a.get("hovertext", "") for a in figures[name]["layout"]["annotations"]]
        assert any("work_mem" in n for n in notes), name

    calls = figures["overview-calls"]["data"][0]
    assert sum(calls["y"]) > 0
    assert any(y for y in figures["overview-latency"]["data"][0]["y"])
    assert sum(figures["overview-deadlocks"]["data"][0]["y"]) == 1
    temp = figures["overview-temp"]
    assert temp["layout"]["yaxis"]["title"]["text"] == "MB per bucket" and sum(temp["data"][0]["y"]) > 1
    latest = database_latest(target.pk)
    size = figures["overview-size"]
    assert latest is not None and size["layout"]["yaxis"]["title"]["text"] == "MB"
    assert size["data"][0]["y"][-1] == round(latest["size_bytes"] / 1024**2, 3)
    assert size["data"][0]["text"][-1] == f"{latest['size_bytes']:,} bytes"
    assert all(0 <= y <= 100 for y in figures["overview-cache-hit"]["data"][0]["y"] if y is not None)
    states = {t["name"] for t in figures["connections-history"]["data"]}
    assert "idle in transaction" in states and "active" in states
    assert figures["connections-history"]["layout"]["shapes"][0]["y0"] == 200   # max_connections

    # A day's range is drawn from hourly rollups plus the raw points after them: the same recent points.
    day = client.get(reverse("chart", args=[target.name, "overview-calls"]), {"range": "24h"}).json()
    assert day["data"][0]["y"] == calls["y"]
    low, high = (dt.datetime.fromisoformat(v) for v in day["layout"]["xaxis"]["range"])
    assert high - low == dt.timedelta(hours=24)
    # A window before the data: an empty chart that says why, not an error.
    before = {"from": (start - dt.timedelta(hours=3)).isoformat(timespec="minutes"),
              "to": (start - dt.timedelta(hours=2)).isoformat(timespec="minutes")}
    empty = client.get(reverse("chart", args=[target.name, "overview-calls"]), before).json()
    assert empty["data"] == [] and "no statement history" in empty["layout"]["annotations"][0]["text"]


def test_it_overview_page_lazily_loads_the_checks_and_charts_with_the_range(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    body = client_for(viewer).get(reverse("overview", args=[target.name]), {"range": "7d"}).content.decode()
    assert 'aria-label="Time range"' in body   # the overview uses the range now
    assert f'hx-get="{reverse("overview-health", args=[target.name])}?range=7d"' in body
    for name in CHARTS:
        assert f'hx-get="{reverse("chart", args=[target.name, name])}?range=7d"' in body, name


def test_it_fleet_health_inputs_take_one_query_for_any_number_of_targets(
    target_db: TargetDb, django_assert_num_queries: Any,
) -> None:
    targets = [target_db.make_target(f"many-{i}") for i in range(4)]
    collect(targets[0], "database", "sequences")
    with django_assert_num_queries(2):   # the inputs, then the collector statuses
        found = health_inputs([t.pk for t in targets])
    assert set(found) == {t.pk for t in targets}
    assert found[targets[0].pk].database is not None and found[targets[1].pk].database is None

"""``/metrics`` parsed with prometheus_client's own parser: every family, with the scene's numbers, on
PostgreSQL 15 and 18; label values chosen by an attacker (database, user and replica names) come back
exactly as they were; authentication by token (bearer or basic) unless explicitly turned off."""

from __future__ import annotations

import base64
import json
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families

from advisor.models import Status
from api.metrics import families
from monitoring.collectors.runner import run
from monitoring.history.rollups_statements import rollup_target
from monitoring.models import Target
from tests.api.conftest import token_for
from tests.api.scene import Scene
from tests.api.standby import streaming_standby, wait_streaming
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db
Samples = dict[str, list[tuple[dict[str, str], float]]]


def scrape(token: str | None = None, **headers: Any) -> tuple[Any, Samples]:
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = Client().get("/metrics", **headers)
    samples: Samples = defaultdict(list)
    if response.status_code == 200:
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[sample.name].append((sample.labels, sample.value))
    return response, samples


def of(samples: Samples, name: str, **labels: str) -> list[float]:
    return [v for found, v in samples[name] if all(found.get(k) == want for k, want in labels.items())]


def one(samples: Samples, name: str, **labels: str) -> float:
    values = of(samples, name, **labels)
    assert len(values) == 1, (name, labels, samples.get(name))
    return values[0]


def test_it_exports_every_family_of_a_collected_target(scene: Scene, viewer: User) -> None:
    response, samples = scrape(token_for(viewer))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=0.0.4")
    declared = re.findall(r"^# TYPE (\S+) ", response.content.decode(), flags=re.MULTILINE)
    assert len(declared) > 25 and len(declared) == len(set(declared))   # every family once, whole
    t = scene.target.name
    now = timezone.now().timestamp()
    assert one(samples, "dbconsole_target_up", target=t) == 1
    assert one(samples, "dbconsole_target_info", target=t, enabled="true") == 1
    for collector in ("statements", "activity", "database", "relations", "locks", "replication", "settings"):
        assert one(samples, "dbconsole_collector_success", target=t, collector=collector) == 1
        stamp = one(samples, "dbconsole_collector_last_success_timestamp_seconds", target=t, collector=collector)
        assert now - 3600 < stamp <= now
        assert one(samples, "dbconsole_collector_duration_seconds", target=t, collector=collector) > 0
    states = {labels["state"]: v for labels, v in samples["dbconsole_connections"] if labels["target"] == t}
    assert set(states) == {"active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "other"}
    assert states["idle_in_transaction"] >= 1      # the chain's holder, when the activity sample was taken
    assert one(samples, "dbconsole_connections_max", target=t) == 200
    assert one(samples, "dbconsole_sessions_waiting_on_lock", target=t) == 2
    assert one(samples, "dbconsole_lock_longest_wait_seconds", target=t) > 0
    assert one(samples, "dbconsole_longest_transaction_seconds", target=t) > 0
    assert one(samples, "dbconsole_longest_query_seconds", target=t) >= 0
    for kind in ("xid", "mxid"):
        age = one(samples, "dbconsole_wraparound_age", target=t, kind=kind)
        ratio = one(samples, "dbconsole_wraparound_age_ratio", target=t, kind=kind)
        assert 0 <= ratio < 1 and ratio == pytest.approx(age / (2e8 if kind == "xid" else 4e8))
    assert one(samples, "dbconsole_database_size_bytes", target=t) > 10 * 2**20
    assert 0 < one(samples, "dbconsole_cache_hit_ratio", target=t) <= 1
    assert one(samples, "dbconsole_blocks_hit_total", target=t) > 0
    assert one(samples, "dbconsole_transactions_total", target=t, outcome="commit") > 0
    assert one(samples, "dbconsole_temp_bytes_total", target=t) > 0     # the scene spilled sorts to disk
    assert one(samples, "dbconsole_wal_bytes_total", target=t) > 0
    assert one(samples, "dbconsole_checkpoints_total", target=t, kind="requested") >= 4
    assert one(samples, "dbconsole_buffers_written_total", target=t, by="checkpoint") >= 0
    for family in ("activity", "database", "replication"):
        assert now - 3600 < one(samples, "dbconsole_sample_timestamp_seconds", target=t, family=family) <= now
    opened: dict[str, int] = defaultdict(int)
    for rec in scene.outcome.recommendations:
        if rec.status == Status.OPEN:
            opened[rec.severity] += 1
    for severity in ("info", "warning", "critical"):
        assert one(samples, "dbconsole_recommendations_open", target=t, severity=severity) == opened[severity]
    top = [labels for labels, _v in samples["dbconsole_statement_calls_total"] if labels["target"] == t]
    assert 0 < len(top) <= 10
    lookup = [labels for labels in top if labels["database"] == scene.db.dbname and labels["user"] == "postgres"]
    assert lookup and all(len(labels["fingerprint"]) == 8 and labels["queryid"].lstrip("-").isdigit()
                          for labels in top)
    assert not any("SELECT" in value for labels in top for value in labels.values())   # never the text
    assert all(of(samples, "dbconsole_statement_time_seconds_total", target=t, queryid=labels["queryid"],
                  fingerprint=labels["fingerprint"]) for labels in top)
    # The scene's target was evaluated: every severity is counted, 0 included.
    assert {labels["severity"] for labels, _v in samples["dbconsole_alerts_firing"] if labels["target"] == t} == {
        "info", "warning", "critical"}
    assert one(samples, "dbconsole_exporter_scrape_duration_seconds") > 0


def test_it_keeps_hostile_label_values_intact(pg18_db: TargetDb, viewer: User, tmp_path: Path) -> None:
    cluster = pg18_db.cluster
    evil_db = 'evil"} 1\n# HELP x {db="\\'
    evil_user = 'who"=\\n"} 0'
    evil_replica = 'replica"} 1 # {a="\\'
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{evil_db.replace(chr(34), chr(34) * 2)}"')
        conn.execute(f'CREATE ROLE "{evil_user.replace(chr(34), chr(34) * 2)}" LOGIN PASSWORD \'evil-secret-1\'')
        conn.execute(f'GRANT CONNECT ON DATABASE "{evil_db.replace(chr(34), chr(34) * 2)}" TO '
                     f'"{evil_user.replace(chr(34), chr(34) * 2)}"')
    evil = TargetDb(cluster=cluster, dbname=evil_db)
    try:
        target = evil.make_target(name="evil-labels")
        assert run(target, "statements").ok
        params = psycopg.conninfo.make_conninfo(cluster.conninfo(evil_db), user=evil_user, password="evil-secret-1")
        with psycopg.connect(params, autocommit=True) as conn:
            for i in range(5):
                conn.execute("SELECT %s::int + 1", (i,))
        with streaming_standby(cluster, tmp_path / "standby", evil_replica):
            wait_streaming(cluster, evil_replica)
            for name in ("statements", "replication", "activity", "database"):
                assert run(target, name).ok, name
            rollup_target(target.pk)
            response, samples = scrape(token_for(viewer))
        assert response.status_code == 200
        users = {labels["user"] for labels, _v in samples["dbconsole_statement_calls_total"]
                 if labels["target"] == "evil-labels"}
        databases = {labels["database"] for labels, _v in samples["dbconsole_statement_calls_total"]
                     if labels["target"] == "evil-labels"}
        assert evil_user in users and databases == {evil_db}
        replicas = [labels["replica"] for labels, _v in samples["dbconsole_replication_lag_bytes"]
                    if labels["target"] == "evil-labels"]
        assert replicas == [evil_replica]
        assert one(samples, "dbconsole_replication_lag_bytes", target="evil-labels", replica=evil_replica) >= 0
    finally:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{evil_db.replace(chr(34), chr(34) * 2)}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{evil_user.replace(chr(34), chr(34) * 2)}"')


def test_it_speaks_openmetrics_to_who_asks_for_it(viewer: User, db: Any) -> None:
    response, _ = scrape(token_for(viewer), HTTP_ACCEPT="application/openmetrics-text;version=1.0.0,text/plain;q=0.5")
    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    families = list(openmetrics_families(response.content.decode()))
    assert "dbconsole_exporter_scrape_duration_seconds" in {f.name for f in families}


def test_it_asks_for_a_token_as_bearer_or_basic_password(viewer: User, db: Any) -> None:
    refused, _ = scrape()
    assert refused.status_code == 401 and "Bearer" in refused["WWW-Authenticate"]
    assert "Basic" in refused["WWW-Authenticate"]
    token = token_for(viewer)
    assert scrape(token)[0].status_code == 200
    basic = base64.b64encode(f"{viewer.username}:{token}".encode()).decode()
    assert scrape(HTTP_AUTHORIZATION=f"Basic {basic}")[0].status_code == 200
    wrong_user = base64.b64encode(f"someone-else:{token}".encode()).decode()
    assert scrape(HTTP_AUTHORIZATION=f"Basic {wrong_user}")[0].status_code == 401
    password = base64.b64encode(f"{viewer.username}:correct-horse-battery".encode()).decode()
    assert scrape(HTTP_AUTHORIZATION=f"Basic {password}")[0].status_code == 401   # a password is not a token
    lonely = User.objects.create_user("no-role-metrics")
    assert scrape(token_for(lonely))[0].status_code == 403
    with override_settings(METRICS_AUTH="none"):
        assert scrape()[0].status_code == 200


def test_it_reads_the_history_store_only(scene: Scene, viewer: User) -> None:
    """A scrape opens no session on a target (pg_stat_database.sessions stays put), where one collection does."""
    token = token_for(viewer)

    def sessions(conn: psycopg.Connection[Any]) -> int:
        time.sleep(1.5)   # session counts reach the statistics at most once a second
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()
        assert row is not None
        return int(row[0])

    with scene.db.connect() as conn:
        before = sessions(conn)
        for _ in range(3):
            assert scrape(token)[0].status_code == 200
        after_scrapes = sessions(conn)
        assert run(scene.target, "database").ok
        after_collection = sessions(conn)
    assert after_scrapes == before and after_collection == before + 1


def test_it_ships_a_grafana_dashboard_on_exported_metrics_only(scene: Scene, viewer: User) -> None:
    dashboard = json.loads((Path(__file__).resolve().parents[2] / "docs/grafana/dbconsole.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    exprs.append(dashboard["templating"]["list"][1]["definition"])
    used = {name for expr in exprs for name in re.findall(r"\bdbconsole_[a-z_]+", expr)}
    _response, samples = scrape(token_for(viewer))
    # The scene has no replica, slot or standby (the hostile-label test streams to a real standby).
    exported = set(samples) | {f"dbconsole_replication_{name}" for name in (
        "lag_seconds", "lag_bytes", "replay_delay_seconds", "slot_retained_bytes")}
    assert used and used <= exported, sorted(used - exported)
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])


def test_it_says_down_for_a_silent_server_and_nothing_for_a_target_never_collected(viewer: User, db: Any) -> None:
    from monitoring.models import Target

    silent = Target.objects.create(name="silent", host="127.0.0.1", port=1, dbname="x", username="x")
    Target.objects.create(name="brand-new", host="127.0.0.1", port=1, dbname="x", username="x")
    assert not run(silent, "activity").ok
    _response, samples = scrape(token_for(viewer))
    assert one(samples, "dbconsole_target_up", target="silent") == 0
    assert one(samples, "dbconsole_collector_success", target="silent", collector="activity") == 0
    assert of(samples, "dbconsole_target_up", target="brand-new") == []          # unknown: absent, not 0 or 1
    assert one(samples, "dbconsole_target_info", target="brand-new", enabled="true") == 1
    assert of(samples, "dbconsole_connections", target="brand-new") == []


def test_it_refuses_to_split_a_family_between_groups(monkeypatch: pytest.MonkeyPatch, db: Any) -> None:
    Target.objects.create(name="split", host="127.0.0.1", port=1, dbname="x", username="x")
    monkeypatch.setattr(families, "GROUPS", (families._target, families._target))
    with pytest.raises(RuntimeError, match="dbconsole_target_info is built by two groups"):
        list(families.HistoryCollector().collect())

"""Rules whose conditions cannot be planted on a test server in reasonable time — a database 900
million transactions old, a session idle in its transaction for an hour — checked on their arithmetic:
the history rows they read are written here by hand (and only here)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from advisor.review.run import run_advisor
from advisor.rules.options import AdvisorOptions
from monitoring.models import SettingValue, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def target() -> Target:
    t = Target(name="arith", host="127.0.0.1", port=1, dbname="shop", username="mon", server_version_num=160004)
    t.set_password("x")
    t.save()
    return t


def setting(target: Target, name: str, value: str, unit: str = "") -> None:
    SettingValue.objects.create(target=target, name=name, setting=value, unit=unit, source="default",
                                updated_at=timezone.now())


def database_sample(target: Target, at: dt.datetime, xid_age: int, mxid_age: int) -> None:
    with connection.cursor() as cur:
        cur.execute("INSERT INTO monitoring_database_raw (target_id, captured_at, size_bytes, xid_age, mxid_age, "
                    "blks_hit, blks_read) VALUES (%s, %s, 1000000, %s, %s, 10, 1)",
                    [target.pk, at, xid_age, mxid_age])


def activity_sample(target: Target, at: dt.datetime, idle_tx: float, query: float) -> None:
    empty = json.dumps({})
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO monitoring_activity_raw (target_id, captured_at, max_connections, reserved_connections, "
            "clients, active, idle, idle_in_transaction, idle_in_transaction_aborted, other_state, background, "
            "waiting_lock, waiting_other, longest_query_seconds, longest_idle_tx_seconds, oldest_xmin_age, "
            "by_database, by_user, by_application, by_client, by_wait_event) "
            "VALUES (%s, %s, 100, 3, 5, 1, 3, 1, 0, 0, 4, 0, 0, %s, %s, 1000, %s, %s, %s, %s, %s)",
            [target.pk, at, query, idle_tx, empty, empty, empty, empty, empty])


def test_it_wraparound_warns_from_the_freeze_max_age_and_is_critical_from_twice_it(target: Target) -> None:
    setting(target, "autovacuum_freeze_max_age", "200000000")
    setting(target, "autovacuum_multixact_freeze_max_age", "400000000")
    now = timezone.now()
    database_sample(target, now - dt.timedelta(minutes=5), xid_age=300_000_000, mxid_age=900_000_000)
    outcome = run_advisor(target, options=AdvisorOptions(rules=("wraparound",)))
    by_key = {r.object_key: r for r in outcome.recommendations}
    assert by_key["database:xid"].severity == "warning"   # 300M: 150 % of autovacuum_freeze_max_age
    assert by_key["database:mxid"].severity == "critical"  # 900M: 225 % of the multixact one
    facts = {f["label"]: f["display"] for f in by_key["database:xid"].evidence["facts"]}
    assert facts["Of the 2³¹ limit"] == "14.0%" and facts["autovacuum_freeze_max_age"] == "200,000,000"
    assert facts["Of autovacuum_freeze_max_age"] == "150%"
    assert by_key["database:xid"].title == "Transaction id age is 150% of autovacuum_freeze_max_age"


def test_it_wraparound_is_critical_from_one_and_a_half_billion_whatever_the_settings(target: Target) -> None:
    setting(target, "autovacuum_freeze_max_age", "1000000000")
    database_sample(target, timezone.now(), xid_age=1_600_000_000, mxid_age=10)
    outcome = run_advisor(target, options=AdvisorOptions(rules=("wraparound",)))
    assert [(r.object_key, r.severity) for r in outcome.recommendations] == [("database:xid", "critical")]


def test_it_no_wraparound_advice_below_the_freeze_max_age(target: Target) -> None:
    database_sample(target, timezone.now(), xid_age=190_000_000, mxid_age=10)   # defaults: 200M / 400M
    outcome = run_advisor(target, options=AdvisorOptions(rules=("wraparound",)))
    assert outcome.run.rules_by_name["wraparound"]["status"] == "ok" and outcome.recommendations == []


def test_it_long_idle_transaction_without_a_timeout_asks_for_one(target: Target) -> None:
    setting(target, "idle_in_transaction_session_timeout", "0", "ms")
    setting(target, "statement_timeout", "0", "ms")
    now = timezone.now()
    activity_sample(target, now - dt.timedelta(minutes=30), idle_tx=120, query=30)
    activity_sample(target, now - dt.timedelta(minutes=20), idle_tx=4000, query=7300)
    outcome = run_advisor(target, options=AdvisorOptions(rules=("config_timeouts",)))
    by_key = {r.object_key: r for r in outcome.recommendations}
    idle = by_key["idle_in_transaction_session_timeout"]
    assert idle.severity == "warning" and "67 min" in idle.title
    assert "ALTER SYSTEM SET idle_in_transaction_session_timeout = '10min';" in idle.evidence["sql"][0]["text"]
    assert by_key["statement_timeout"].severity == "info"


def test_it_timeout_already_set_means_no_advice(target: Target) -> None:
    setting(target, "idle_in_transaction_session_timeout", "600000", "ms")
    setting(target, "statement_timeout", "0", "ms")
    activity_sample(target, timezone.now() - dt.timedelta(minutes=5), idle_tx=4000, query=10)
    outcome = run_advisor(target, options=AdvisorOptions(rules=("config_timeouts",)))
    assert outcome.recommendations == []

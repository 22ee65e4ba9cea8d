"""The overview's health checks and the advisor grade the same stored state the same way: both read
``dbconsole.thresholds`` (with the target's overrides), so a database is never "critical" on one page
and fine on the other. The state is written into the history store (real PostgreSQL) the way the
collectors write it: a database sample with its xid/mxid ages, the freeze settings, a sequences
snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from advisor.review.run import run_advisor
from advisor.rules.options import AdvisorOptions
from dbconsole.thresholds import thresholds_for
from monitoring import health
from monitoring.history.selectors.health import health_inputs
from monitoring.models import SequenceSnapshot, SettingValue, Target

pytestmark = pytest.mark.django_db


def stored_target(overrides: dict[str, Any], settings: dict[str, str]) -> Target:
    # Port 1: nothing listens there, and neither side may need to connect for these grades.
    target = Target(name="graded", host="127.0.0.1", port=1, dbname="shop", username="mon",
                    server_version_num=160004, thresholds=overrides)
    target.set_password("x")
    target.full_clean()
    target.save()
    for name, value in settings.items():
        SettingValue.objects.create(target=target, name=name, setting=value, unit="", source="configuration file",
                                    updated_at=timezone.now())
    return target


def database_sample(target: Target, xid_age: int, mxid_age: int) -> None:
    with connection.cursor() as cur:
        cur.execute("INSERT INTO monitoring_database_raw (target_id, captured_at, size_bytes, xid_age, mxid_age, "
                    "blks_hit, blks_read) VALUES (%s, %s, 1000000, %s, %s, 10, 1)",
                    [target.pk, timezone.now() - dt.timedelta(minutes=1), xid_age, mxid_age])


def sequence(name: str, percent: float, *, cycle: bool = False) -> dict[str, Any]:
    limit = 2_147_483_647
    return {"schema": "public", "name": name, "data_type": "integer", "column": f"{name[:-7]}.id",
            "column_type": "integer", "last_value": int(limit * percent / 100), "max_value": limit,
            "percent_used": percent, "cycle": cycle, "readable": True, "skipped_locked": False}


def advisor_grades(target: Target, rule: str) -> dict[str, str]:
    outcome = run_advisor(target, options=AdvisorOptions(rules=(rule,)))
    assert outcome.run.rules_by_name[rule]["status"] == "ok", outcome.run.rules_by_name[rule]
    return {r.object_key: r.severity for r in outcome.recommendations}


FREEZE = {"autovacuum_freeze_max_age": "200000000", "autovacuum_multixact_freeze_max_age": "400000000"}


@pytest.mark.parametrize(("xid_age", "mxid_age", "settings", "overrides", "expected"), [
    (150_000_000, 10, FREEZE, {}, "ok"),
    (250_000_000, 10, FREEZE, {}, "warning"),
    (450_000_000, 10, FREEZE, {}, "critical"),
    (10, 500_000_000, FREEZE, {}, "warning"),                    # multixact ids against their own setting
    (250_000_000, 10, {}, {}, "warning"),                        # settings not collected: PostgreSQL's defaults
    (1_600_000_000, 10, {"autovacuum_freeze_max_age": "1000000000"}, {}, "critical"),   # the hard limit
    (250_000_000, 10, FREEZE, {"wraparound_freeze_age_ratio": {"warning": 1.5}}, "ok"),
    (250_000_000, 10, FREEZE, {"wraparound_age": {"critical": 240_000_000}}, "critical"),
])
def test_it_health_and_advisor_grade_a_wraparound_age_the_same(
    xid_age: int, mxid_age: int, settings: dict[str, str], overrides: dict[str, Any], expected: str,
) -> None:
    target = stored_target(overrides, settings)
    database_sample(target, xid_age, mxid_age)
    inputs = health_inputs([target.pk])[target.pk]
    from_health = health.wraparound(inputs, timezone.now(), thresholds_for(target)).status
    from_advisor = advisor_grades(target, "wraparound")
    assert from_health == expected
    assert max(from_advisor.values(), default="ok", key=["ok", "warning", "critical"].index) == expected
    assert len(from_advisor) == (0 if expected == "ok" else 1)


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, {"orders_id_seq": "critical", "carts_id_seq": "warning"}),
    ({"sequence_used_percent": {"warning": 50, "critical": 85}},
     {"orders_id_seq": "critical", "carts_id_seq": "warning", "lines_id_seq": "warning"}),
    ({"sequence_used_percent": {"critical": 95}}, {"orders_id_seq": "warning", "carts_id_seq": "warning"}),
])
def test_it_health_and_advisor_grade_every_sequence_the_same(overrides: dict[str, Any],
                                                             expected: dict[str, str]) -> None:
    target = stored_target(overrides, FREEZE)
    SequenceSnapshot.objects.create(target=target, captured_at=timezone.now(), sequences=[
        sequence("orders_id_seq", 93.0), sequence("carts_id_seq", 80.0), sequence("lines_id_seq", 60.0),
        sequence("tickets_id_seq", 97.0, cycle=True),        # wraps around on purpose: never at risk
    ])
    limits = thresholds_for(target)
    inputs = health_inputs([target.pk], sequence_watch=limits.bound("sequence_used_percent", "warning"))[target.pk]
    check = health.sequence_overflow(inputs, timezone.now(), limits)
    from_health = {d.label.removeprefix("public."): d.status for d in check.details}
    from_advisor = {key.removeprefix("public."): severity
                    for key, severity in advisor_grades(target, "sequence_overflow").items()}
    assert from_health == from_advisor == expected
    assert check.status == ("critical" if "critical" in expected.values() else "warning")

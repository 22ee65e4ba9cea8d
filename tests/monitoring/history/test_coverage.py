"""Where a target's history begins: the oldest sample of any family, at any resolution, so a young
target's charts start there (``TimeRange.since``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from monitoring.collectors.runner import run
from monitoring.history.rollups_statements import rollup_target
from monitoring.history.selectors.coverage import history_start
from tests.monitoring.history.statement_data import START, Workload, collect_series, make_target
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def test_it_knows_no_start_before_the_first_collection_and_the_first_sample_after(target_db: TargetDb) -> None:
    target = target_db.make_target()
    assert history_start(target.pk) is None
    first = run(target, "database")
    assert first.ok
    with connection.cursor() as cur:
        cur.execute("SELECT captured_at FROM monitoring_database_raw WHERE target_id = %s", [target.pk])
        [(sampled,)] = cur.fetchall()
    assert history_start(target.pk) == sampled
    assert run(target, "database").ok and run(target, "activity").ok
    assert history_start(target.pk) == sampled   # later samples do not move it


def test_it_keeps_the_beginning_when_raw_samples_have_expired() -> None:
    target = make_target("coverage-rolled")
    times = [START + dt.timedelta(minutes=20 * i) for i in range(12)]   # 22:10 to 01:50 the next day
    collect_series(target, Workload(statements=3), times)
    # The first read found no counters yet (nothing cumulative to keep): the samples start at the second.
    assert history_start(target.pk) == times[1]
    rollup_target(target.pk)
    with connection.cursor() as cur:                # what retention does to raw rows after a week
        cur.execute("DELETE FROM monitoring_stmt_raw WHERE target_id = %s", [target.pk])
    # The daily row of the first day is keyed by the start of that day: early by the hours before
    # the first collection, never late.
    assert history_start(target.pk) == START.replace(hour=0, minute=0)

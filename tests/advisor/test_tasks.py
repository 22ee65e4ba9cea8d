"""The periodic advisor: one run per enabled target, never two at once for the same target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from advisor import tasks
from advisor.models import AdvisorRun
from dbconsole.celery import app
from monitoring.models import Target
from tests.advisor.planted_shop import collect
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager() -> Iterator[None]:
    """Run enqueued tasks in-process (Celery's own test mode): the dispatch is what is under test."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_it_runs_a_new_target_once_it_has_workload_then_every_period(
        pg18_db: TargetDb, redis_server: Any, eager: None) -> None:
    busy = pg18_db.make_target()
    quiet = pg18_db.make_target(name="quiet")
    disabled = pg18_db.make_target(name="paused", enabled=False)
    assert tasks.due_targets(timezone.now()) == []                # nothing collected yet, within the grace
    with pg18_db.connect() as conn:
        conn.execute("SELECT count(*) FROM pg_class WHERE relname = 'advisor-due'")
    # The first collection already stores the workload pg_stat_statements counted: advice at once.
    collect(busy, ("statements", "settings", "relations"))
    assert tasks.due_targets(timezone.now()) == [busy.pk]
    assert tasks.run_all() == 1
    assert AdvisorRun.objects.filter(target=busy, trigger="task").count() == 1
    assert tasks.due_targets(timezone.now()) == []                # the next one waits for the period

    later = timezone.now() + dt.timedelta(seconds=settings.ADVISOR_EVERY_S)
    assert tasks.due_targets(later) == [busy.pk, quiet.pk]        # quiet: past its first-run grace too
    assert disabled.pk not in tasks.due_targets(later + dt.timedelta(days=1))


def test_it_does_not_double_a_run_already_holding_the_target(pg18_db: TargetDb, redis_server: Any) -> None:
    target = pg18_db.make_target()
    client = redis.Redis.from_url(settings.REDIS_URL)
    held = client.lock(f"dbconsole:advisor:{target.pk}", timeout=60)
    assert held.acquire(blocking=False)
    try:
        assert tasks.run_target(target.pk) == {"status": "locked"}
    finally:
        held.release()
    result = tasks.run_target(target.pk)
    assert result["status"] in {"ok", "partial"} and AdvisorRun.objects.filter(target=target).count() == 1


def test_it_skips_a_removed_target(db: Any, redis_server: Any) -> None:
    target = Target(name="gone", host="127.0.0.1", port=1, dbname="x", username="x")
    target.save()
    target_id = target.pk
    target.delete()
    assert tasks.run_target(target_id) == {"status": "gone"}

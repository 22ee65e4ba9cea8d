from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.collectors.runner import run
from monitoring.history.selectors.events import events
from monitoring.history.selectors.locks import lock_incident, lock_incidents
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def test_it_stores_a_three_session_chain_as_one_incident_that_can_be_replayed(target_db: TargetDb) -> None:
    target = target_db.make_target()
    start = timezone.now()
    with blocking_chain(target_db, waiters=2) as chain:
        first = run(target, "locks")
        second = run(target, "locks")
    after = run(target, "locks")

    assert (first.rows, second.rows, after.rows) == (1, 1, 0)
    incidents = lock_incidents(target.pk, start, timezone.now())
    assert len(incidents) == 1
    incident = incidents[0]
    assert incident.root_pid == chain.holder_pid
    assert incident.root_state == "idle in transaction"
    assert incident.root_application == "chain-holder"
    assert incident.max_waiters == 2 and incident.max_depth == 2
    assert incident.relations == ["chain_demo"]
    assert incident.samples == 2

    replay = lock_incident(target.pk, incident.pk)
    assert replay is not None
    _, samples = replay
    assert [s.waiters for s in samples] == [2, 2]
    tree = samples[-1].tree
    assert tree["pid"] == chain.holder_pid
    waiter = tree["children"][0]
    assert waiter["pid"] == chain.waiter_pids[0]
    assert waiter["children"][0]["pid"] == chain.waiter_pids[1]
    assert waiter["mode"] == "ShareLock"
    assert "UPDATE chain_demo" in waiter["children"][0]["query"]
    # waits grow between the two samples, and the incident keeps the longest
    first_wait = samples[0].tree["children"][0]["wait_seconds"]
    assert waiter["wait_seconds"] >= first_wait >= 0
    assert incident.max_wait_seconds == pytest.approx(max(s.longest_wait_seconds for s in samples))
    assert [a.kind for a in events(target.pk, start - dt.timedelta(seconds=1), timezone.now())] == ["lock_incident"]

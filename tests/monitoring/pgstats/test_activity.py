"""The activity reader: every backend but our own, counted by state, against max_connections."""

from __future__ import annotations

import pytest

from monitoring.pgstats.activity import read_activity
from monitoring.targets.connect import connect
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def test_it_counts_backends_by_state_and_finds_the_longest_transaction(target_db: TargetDb) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=1) as chain, connect(target) as conn:
        snapshot = read_activity(conn, target_db.major)
        own_pid = conn.info.backend_pid
    assert snapshot.max_connections == 200
    by_state = snapshot.count_by("state")
    assert by_state["idle in transaction"] >= 1 and by_state["active"] >= 1
    oldest = snapshot.longest_transaction()
    assert oldest is not None and oldest.pid == chain.holder_pid
    assert all(b.pid != own_pid for b in snapshot.backends)
    assert 0 < snapshot.saturation < 1

"""The locks reader: who blocks whom, as trees rooted at the session that blocks without waiting."""

from __future__ import annotations

import pytest

from monitoring.pgstats.locks import read_locks
from monitoring.targets.connect import connect
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def test_it_reads_a_three_session_chain_as_one_tree_with_the_right_root(target_db: TargetDb) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=2) as chain, connect(target) as conn:
        snapshot = read_locks(conn, target_db.major)

    assert len(snapshot.trees) == 1
    tree = snapshot.trees[0]
    assert tree.root.pid == chain.holder_pid
    assert tree.root.state == "idle in transaction"
    assert not tree.root.waiting
    assert [n.pid for n in tree.waiters] == chain.waiter_pids
    first, second = tree.waiters
    assert first.blocked_by == (chain.holder_pid,) and first.depth == 1
    assert second.blocked_by == (first.pid,) and second.depth == 2
    assert tree.depth == 2
    assert first.mode == "ShareLock" and first.locktype == "transactionid"
    assert second.locktype == "tuple" and second.relation == "chain_demo"
    assert first.relation == "chain_demo"
    assert all(n.wait_seconds is not None and n.wait_seconds >= 0 for n in tree.waiters)
    assert "UPDATE chain_demo" in (second.query or "")
    replay = tree.root.as_dict()
    assert replay["pid"] == chain.holder_pid
    assert replay["children"][0]["children"][0]["pid"] == second.pid


def test_it_sees_no_tree_when_nobody_waits(target_db: TargetDb) -> None:
    target = target_db.make_target()
    with connect(target) as conn:
        assert read_locks(conn, target_db.major).trees == ()


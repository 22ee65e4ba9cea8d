"""Locks: who blocks whom, as trees rooted at the sessions that block without waiting themselves.

Only backends that wait on a heavyweight lock are asked for ``pg_blocking_pids()`` (it is not free on a
busy server); their blockers are added, and the tree is built here in Python. The same reader serves
the live locks page and the locks collector, which stores each tree as an incident event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass
class LockNode:
    pid: int
    blocked_by: tuple[int, ...]
    datname: str | None = None
    usename: str | None = None
    application_name: str | None = None
    client_addr: str | None = None
    state: str | None = None
    wait_event_type: str | None = None
    wait_event: str | None = None
    backend_start: dt.datetime | None = None
    xact_start: dt.datetime | None = None
    query_start: dt.datetime | None = None
    state_change: dt.datetime | None = None
    query: str | None = None
    locktype: str | None = None
    mode: str | None = None
    relation: str | None = None
    waitstart: dt.datetime | None = None
    wait_seconds: float | None = None
    xact_seconds: float | None = None
    depth: int = 0
    children: list[LockNode] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return bool(self.blocked_by)

    @property
    def vanished(self) -> bool:
        """A blocker we could not see in pg_stat_activity (a prepared transaction, or it just ended)."""
        return self.backend_start is None

    def walk(self) -> list[LockNode]:
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for storing a tree as an incident and replaying it later."""
        data = {k: v for k, v in self.__dict__.items() if k != "children"}
        for key, value in data.items():
            if isinstance(value, dt.datetime):
                data[key] = value.isoformat()
        data["blocked_by"] = list(self.blocked_by)
        data["children"] = [child.as_dict() for child in self.children]
        return data


@dataclass
class LockTree:
    root: LockNode

    @property
    def waiters(self) -> list[LockNode]:
        return [n for n in self.root.walk() if n is not self.root]

    @property
    def depth(self) -> int:
        return max(n.depth for n in self.root.walk())

    @property
    def longest_wait_seconds(self) -> float:
        return max((n.wait_seconds or 0.0 for n in self.waiters), default=0.0)


@dataclass(frozen=True)
class LockSnapshot:
    sampled_at: dt.datetime | None
    trees: tuple[LockTree, ...]

    @property
    def waiting_count(self) -> int:
        return sum(len(t.waiters) for t in self.trees)


def read_locks(conn: psycopg.Connection[Any], major: int) -> LockSnapshot:
    rows = conn.cursor(row_factory=dict_row).execute(SQL.load("locks", major)).fetchall()
    sampled_at = rows[0]["sampled_at"] if rows else None
    return LockSnapshot(sampled_at=sampled_at, trees=tuple(build_trees(rows)))


def build_trees(rows: list[dict[str, Any]]) -> list[LockTree]:
    """Arrange waiting backends under their blockers.

    A waiter can be blocked by several sessions (lock holders and earlier waiters in the queue). It is
    drawn under the blocker that itself waits, if any — that is the chain it really queues in — and
    ``blocked_by`` keeps the full list. A cycle (a deadlock not yet detected) gets rooted at the session
    with the oldest transaction.
    """
    nodes: dict[int, LockNode] = {}
    for row in rows:
        node = LockNode(pid=row["pid"], blocked_by=tuple(row["blocked_by"] or ()),
                        **{k: row[k] for k in _DETAIL_FIELDS})
        sampled = row["sampled_at"]
        started = node.waitstart or (node.state_change if node.waiting else None)
        node.wait_seconds = (sampled - started).total_seconds() if node.waiting and started else None
        node.xact_seconds = (sampled - node.xact_start).total_seconds() if node.xact_start else None
        nodes[node.pid] = node
    for node in list(nodes.values()):
        for blocker in node.blocked_by:
            nodes.setdefault(blocker, LockNode(pid=blocker, blocked_by=()))

    parent: dict[int, int] = {}
    for node in nodes.values():
        if node.blocked_by:
            waiting_blockers = [b for b in node.blocked_by if nodes[b].waiting]
            parent[node.pid] = (waiting_blockers or list(node.blocked_by))[0]
    for pid, parent_pid in parent.items():
        nodes[parent_pid].children.append(nodes[pid])

    roots = [n for n in nodes.values() if n.pid not in parent]
    placed = {n.pid for root in roots for n in _walk_safe(root)}
    for node in sorted(nodes.values(), key=lambda n: (n.xact_start is None, n.xact_start or dt.datetime.max)):
        if node.pid not in placed:  # part of a cycle: cut the edge into the oldest transaction
            parent_pid = parent.pop(node.pid)
            nodes[parent_pid].children.remove(node)
            roots.append(node)
            placed.update(n.pid for n in _walk_safe(node))

    trees = []
    for root in roots:
        _set_depths(root, 0)
        trees.append(LockTree(root=root))
    trees.sort(key=lambda t: (-len(t.waiters), -t.longest_wait_seconds))
    return trees


_DETAIL_FIELDS = (
    "datname", "usename", "application_name", "client_addr", "state", "wait_event_type", "wait_event",
    "backend_start", "xact_start", "query_start", "state_change", "query", "locktype", "mode",
    "relation", "waitstart",
)


def _walk_safe(root: LockNode) -> list[LockNode]:
    seen: set[int] = set()
    stack, out = [root], []
    while stack:
        node = stack.pop()
        if node.pid in seen:
            continue
        seen.add(node.pid)
        out.append(node)
        stack.extend(node.children)
    return out


def _set_depths(node: LockNode, depth: int) -> None:
    """Number the levels and put the longest waiters first at each level."""
    node.depth = depth
    node.children.sort(key=lambda n: -(n.wait_seconds or 0.0))
    for child in node.children:
        _set_depths(child, depth + 1)

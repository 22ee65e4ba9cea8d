"""The live lock trees, and a flat form of any tree (live or stored) for the tree partial.

The collector stores incidents as ``LockNode.as_dict()`` (datetimes as ISO strings); ``flatten``
accepts either shape, so the same template renders the live page and a replayed incident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dbconsole.htmx import fingerprint
from monitoring.live.session import live_connection
from monitoring.models import Target
from monitoring.pgstats.locks import LockNode, LockSnapshot, read_locks


@dataclass(frozen=True)
class LockRow:
    depth: int
    pid: int
    blocked_by: tuple[int, ...]
    is_root: bool
    usename: str | None
    application_name: str | None
    client_addr: str | None
    datname: str | None
    state: str | None
    wait_event_type: str | None
    wait_event: str | None
    locktype: str | None
    mode: str | None
    relation: str | None
    wait_seconds: float | None
    xact_seconds: float | None
    query: str | None
    backend_start: dt.datetime | None
    children: int

    @property
    def waiting(self) -> bool:
        return bool(self.blocked_by)

    @property
    def vanished(self) -> bool:
        return self.backend_start is None

    @property
    def also_blocked_by(self) -> tuple[int, ...]:
        """Blockers besides the one it is drawn under (a queue often has several)."""
        return self.blocked_by[1:] if len(self.blocked_by) > 1 else ()


def flatten(root: LockNode | dict[str, Any]) -> list[LockRow]:
    """Pre-order rows with depth, root first."""
    out: list[LockRow] = []
    _walk(root if isinstance(root, dict) else root.as_dict(), 0, out)
    return out


def _walk(node: dict[str, Any], depth: int, out: list[LockRow]) -> None:
    children = node.get("children") or []
    out.append(LockRow(
        depth=depth,
        pid=int(node["pid"]),
        blocked_by=tuple(node.get("blocked_by") or ()),
        is_root=depth == 0,
        usename=node.get("usename"),
        application_name=node.get("application_name"),
        client_addr=node.get("client_addr"),
        datname=node.get("datname"),
        state=node.get("state"),
        wait_event_type=node.get("wait_event_type"),
        wait_event=node.get("wait_event"),
        locktype=node.get("locktype"),
        mode=node.get("mode"),
        relation=node.get("relation"),
        wait_seconds=node.get("wait_seconds"),
        xact_seconds=node.get("xact_seconds"),
        query=node.get("query"),
        backend_start=_instant(node.get("backend_start")),
        children=len(children),
    ))
    for child in children:
        _walk(child, depth + 1, out)


def _instant(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def version_of(snapshot: LockSnapshot) -> str:
    """Changes when the shape of any tree changes or a session in it changes state — not as waits grow."""
    return fingerprint([
        [(n.pid, n.blocked_by, n.state, n.mode, n.locktype, n.relation, n.query, n.xact_start, n.depth)
         for n in tree.root.walk()]
        for tree in snapshot.trees
    ])


def read_live_locks(target: Target) -> LockSnapshot:
    with live_connection(target) as (conn, major):
        return read_locks(conn, major)

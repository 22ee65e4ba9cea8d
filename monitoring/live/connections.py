"""Connections now: client backends by state, database, user, application and client, against
``max_connections`` minus the slots reserved for superusers (what an application can actually use)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from monitoring.pgstats.activity import ActivitySnapshot
from monitoring.targets.connect import APPLICATION_NAME

DIMENSIONS = (
    ("state", "State"),
    ("datname", "Database"),
    ("usename", "User"),
    ("application_name", "Application"),
    ("client_addr", "Client"),
)
# Connection states grouped the way capacity questions are asked.
STATE_GROUPS = ("active", "idle", "idle in transaction", "other")


@dataclass
class BreakdownRow:
    value: str
    total: int = 0
    active: int = 0
    idle: int = 0
    idle_in_transaction: int = 0
    other: int = 0
    share: float = 0.0  # of the usable slots


@dataclass
class ConnectionsNow:
    """``clients`` excludes dbconsole's own connections (``own``): they are the observer, and they come
    and go with every page load and collection, so counting them would make every figure flicker."""

    max_connections: int
    reserved: int
    clients: int
    background: int
    own: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    breakdowns: dict[str, list[BreakdownRow]] = field(default_factory=dict)

    @property
    def usable(self) -> int:
        return max(self.max_connections - self.reserved, 0)

    @property
    def free(self) -> int:
        return max(self.usable - self.clients, 0)

    @property
    def saturation(self) -> float:
        return self.clients / self.usable if self.usable else 0.0


def state_group(state: str | None) -> str:
    if state == "active":
        return "active"
    if state == "idle":
        return "idle"
    if state and state.startswith("idle in transaction"):
        return "idle in transaction"
    return "other"


def summarize(snapshot: ActivitySnapshot) -> ConnectionsNow:
    everyone = snapshot.clients
    clients = [b for b in everyone if b.application_name != APPLICATION_NAME]
    summary = ConnectionsNow(
        max_connections=snapshot.max_connections,
        reserved=snapshot.reserved_connections,
        clients=len(clients),
        background=len(snapshot.backends) - len(everyone),
        own=len(everyone) - len(clients),
    )
    summary.by_state = {group: 0 for group in STATE_GROUPS}
    for b in clients:
        summary.by_state[state_group(b.state)] += 1
    for attribute, _label in DIMENSIONS:
        rows: dict[str, BreakdownRow] = defaultdict(lambda: BreakdownRow(value=""))
        for b in clients:
            key = str(getattr(b, attribute) or "")
            if attribute == "client_addr" and not key:
                key = "local socket"
            row = rows[key]
            row.value = key
            row.total += 1
            group = state_group(b.state).replace(" ", "_")
            setattr(row, group, getattr(row, group) + 1)
        for row in rows.values():
            row.share = row.total / summary.usable if summary.usable else 0.0
        summary.breakdowns[attribute] = sorted(rows.values(), key=lambda r: (-r.total, r.value))
    return summary

"""The activity page's data: every backend now, with the ages the page shows and ticks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dbconsole.htmx import fingerprint
from monitoring.live.session import live_connection
from monitoring.models import Target
from monitoring.pgstats.activity import ActivitySnapshot, Backend, read_activity
from monitoring.targets.connect import APPLICATION_NAME


@dataclass(frozen=True)
class ActivityRow:
    """A backend as the page shows it. ``duration`` is how long it has been in its current state when
    that matters (running a query, or idle inside a transaction); plain idle sessions have none."""

    backend: Backend
    duration: dt.timedelta | None
    xact_age: dt.timedelta | None

    @property
    def pid(self) -> int:
        return self.backend.pid

    @property
    def wait(self) -> str:
        b = self.backend
        if not b.wait_event_type:
            return ""
        return f"{b.wait_event_type}: {b.wait_event}" if b.wait_event else b.wait_event_type

    @property
    def waiting_on_lock(self) -> bool:
        return self.backend.wait_event_type == "Lock"

    @property
    def signallable(self) -> bool:
        """Client backends and parallel leaders can be cancelled; background processes are not ours."""
        return self.backend.is_client and self.backend.leader_pid in (None, self.backend.pid)


def rows_of(snapshot: ActivitySnapshot) -> list[ActivityRow]:
    rows = []
    for b in snapshot.backends:
        if b.state == "active":
            duration = snapshot.query_age(b)
        elif b.idle_in_transaction and b.state_change:
            duration = snapshot.sampled_at - b.state_change
        else:
            duration = None
        rows.append(ActivityRow(backend=b, duration=duration, xact_age=snapshot.xact_age(b)))
    return rows


def version_of(rows: list[ActivityRow]) -> str:
    """Changes when a shown backend appears, leaves, or changes state, wait or statement — not as time
    passes, and not as dbconsole's own short-lived connections come and go."""
    return fingerprint([
        (b.pid, b.state, b.wait_event_type, b.wait_event, b.query_start, b.xact_start, b.state_change,
         b.usename, b.application_name, b.client_addr, b.query)
        for b in (r.backend for r in rows)
        if b.application_name != APPLICATION_NAME
    ])


def read_live_activity(target: Target) -> ActivitySnapshot:
    with live_connection(target) as (conn, major):
        return read_activity(conn, major)


def find_backend(target: Target, pid: int) -> tuple[ActivitySnapshot, Backend | None]:
    snapshot = read_live_activity(target)
    return snapshot, next((b for b in snapshot.backends if b.pid == pid), None)

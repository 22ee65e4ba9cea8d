"""Writing activity samples: one narrow row per collection (every 10 s by default).

States are columns (a chart reads them without unpacking anything); the breakdowns by database, user,
application, client and wait event are small JSON objects ``{value: count}`` holding the 20 largest
values plus ``(other)``, so a client pool with thousands of addresses cannot blow a sample up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Any

from django.db import connection

from monitoring.history.partitions import DAY, HOURLY, MONTH, RAW, PartitionedTable
from monitoring.history.rollups import Summary
from monitoring.models import QueryText
from monitoring.pgstats.activity import ActivitySnapshot, Backend

TOP = 20
OTHER = "(other)"

PARTITIONED = (
    PartitionedTable("monitoring_activity_raw", DAY, RAW),
    PartitionedTable("monitoring_activity_hour", MONTH, HOURLY),
)
HOURLY_ROLLUP = Summary("monitoring_activity_hour", "rollups/activity_hour")   # averages and maxima per hour
ROLLUPS = (HOURLY_ROLLUP,)


def top(counter: Counter[str]) -> dict[str, int]:
    if len(counter) <= TOP:
        return dict(counter)
    kept = dict(counter.most_common(TOP))
    kept[OTHER] = sum(counter.values()) - sum(kept.values())
    return kept


def text_id(query: str | None) -> int | None:
    if not query:
        return None
    digest = hashlib.md5(query.encode(), usedforsecurity=False).hexdigest()
    obj, _ = QueryText.objects.get_or_create(digest=digest, defaults={"text": query})
    return obj.pk


def summary(snap: ActivitySnapshot) -> dict[str, Any]:
    clients = snap.clients
    states = Counter(b.state or "" for b in clients)
    longest = snap.longest_query()
    oldest = snap.longest_transaction()
    idle_tx = [snap.sampled_at - b.state_change for b in clients if b.idle_in_transaction and b.state_change]
    waits = Counter(f"{b.wait_event_type}:{b.wait_event}" for b in clients
                    if b.wait_event_type and b.wait_event_type not in {"Client", "Activity"})
    known_states = {"active", "idle", "idle in transaction", "idle in transaction (aborted)"}
    return {
        "max_connections": snap.max_connections,
        "reserved_connections": snap.reserved_connections,
        "clients": len(clients),
        "active": states["active"],
        "idle": states["idle"],
        "idle_in_transaction": states["idle in transaction"],
        "idle_in_transaction_aborted": states["idle in transaction (aborted)"],
        "other_state": sum(n for s, n in states.items() if s not in known_states),
        "background": len(snap.backends) - len(clients),
        "waiting_lock": sum(1 for b in clients if b.wait_event_type == "Lock"),
        "waiting_other": sum(1 for b in clients if b.state == "active" and b.wait_event_type
                             and b.wait_event_type not in {"Lock", "Client", "Activity"}),
        "longest_query_seconds": _seconds(snap.query_age(longest)) if longest else None,
        "longest_query_pid": longest.pid if longest else None,
        "longest_query": longest.query if longest else None,
        "longest_xact_seconds": _seconds(snap.xact_age(oldest)) if oldest else None,
        "longest_xact_pid": oldest.pid if oldest else None,
        "longest_idle_tx_seconds": max(idle_tx).total_seconds() if idle_tx else None,
        "oldest_xmin_age": max((b.xmin_age for b in snap.backends if b.xmin_age is not None), default=None),
        "by_database": top(snap.count_by("datname")),
        "by_user": top(snap.count_by("usename")),
        "by_application": top(snap.count_by("application_name")),
        "by_client": top(Counter(_client(b) for b in clients)),
        "by_wait_event": top(waits),
    }


def _client(backend: Backend) -> str:
    return backend.client_addr or "local"


def _seconds(delta: dt.timedelta | None) -> float | None:
    return delta.total_seconds() if delta is not None else None


COLUMNS = (
    "max_connections", "reserved_connections", "clients", "active", "idle", "idle_in_transaction",
    "idle_in_transaction_aborted", "other_state", "background", "waiting_lock", "waiting_other",
    "longest_query_seconds", "longest_query_pid", "longest_query_text_id", "longest_xact_seconds",
    "longest_xact_pid", "longest_idle_tx_seconds", "oldest_xmin_age", "by_database", "by_user",
    "by_application", "by_client", "by_wait_event",
)
JSON_COLUMNS = {"by_database", "by_user", "by_application", "by_client", "by_wait_event"}


def store(target_id: int, snap: ActivitySnapshot, captured_at: dt.datetime) -> int:
    from psycopg.types.json import Jsonb

    row = summary(snap)
    row["longest_query_text_id"] = text_id(row.pop("longest_query"))
    values: list[Any] = [Jsonb(row[c]) if c in JSON_COLUMNS else row[c] for c in COLUMNS]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO monitoring_activity_raw (target_id, captured_at, {', '.join(COLUMNS)}) "
            f"VALUES (%s, %s{', %s' * len(COLUMNS)})",
            [target_id, captured_at, *values],
        )
    return 1

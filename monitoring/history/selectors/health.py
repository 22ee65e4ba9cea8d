"""What the health checks read from history, for one target or a whole fleet at once.

* ``health_inputs(target_ids, statuses=None, sequence_watch=None)`` → ``{target_id: HealthInputs}``:
  per target the newest database sample (xid/mxid age of ``datfrozenxid``/``datminmxid`` in
  transactions, cumulative block counts), the newest activity sample (connections, sessions idle in
  transaction or waiting on a lock, longest query/transaction in seconds), the newest replication
  sample (replicas with ``*_lag_bytes`` and ``*_lag_seconds``, slots with ``retained_bytes``, archiver
  counts and times), the tables with the oldest ``relfrozenxid``/``relminmxid`` (ages in
  transactions), the sequences at or above ``sequence_watch`` percent used (default: the default
  warning of the ``sequence_used_percent`` threshold) and the ones the monitoring role could not read
  or found locked (``{schema, name}``), the invalid indexes, the freeze settings (transactions), the
  target's name and role (for the fixes a check names) and the collector statuses. Two queries
  whatever the number of targets (one when ``statuses`` — the result of ``fleet.collector_statuses`` —
  is passed in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from dbconsole.thresholds import DEFAULT, FREEZE_MAX_AGE_DEFAULT, MULTIXACT_FREEZE_MAX_AGE_DEFAULT, WARNING
from monitoring.history import SQL
from monitoring.history.selectors._series import JSON_COLUMNS, decode_row, decoded
from monitoring.history.selectors.fleet import collector_statuses
from monitoring.models import CollectorStatus

OLDEST_TABLES = 3              # tables listed per target for the wraparound check
FREEZE_SETTINGS = {
    "autovacuum_freeze_max_age": FREEZE_MAX_AGE_DEFAULT,             # used until collected
    "autovacuum_multixact_freeze_max_age": MULTIXACT_FREEZE_MAX_AGE_DEFAULT,
}


@dataclass(frozen=True)
class TableAge:
    name: str                  # schema.table
    xid_age: int
    mxid_age: int


@dataclass(frozen=True)
class HealthInputs:
    target_id: int
    target_name: str = ""
    role: str = ""                                  # the role the target is monitored with
    enabled: bool = True                            # collection enabled for the target
    database: dict[str, Any] | None = None          # captured_at, stats_reset, xid_age, mxid_age, blks_hit, blks_read
    activity: dict[str, Any] | None = None          # captured_at and the activity columns read
    replication: dict[str, Any] | None = None       # captured_at, in_recovery, replicas, slots, archiver
    tables_at: dt.datetime | None = None            # newest relations sample (None: never collected)
    oldest_tables: list[TableAge] = field(default_factory=list)
    sequences_at: dt.datetime | None = None         # newest sequences snapshot (None: never collected)
    sequences: list[dict[str, Any]] = field(default_factory=list)   # ≥ sequence_watch %, fullest first
    unreadable_sequences: list[dict[str, str]] = field(default_factory=list)   # {schema, name}
    busy_sequences: list[dict[str, str]] = field(default_factory=list)         # locked when collected
    invalid_indexes: list[str] = field(default_factory=list)         # schema.index
    freeze_max_age: int = FREEZE_SETTINGS["autovacuum_freeze_max_age"]
    multixact_freeze_max_age: int = FREEZE_SETTINGS["autovacuum_multixact_freeze_max_age"]
    settings_known: bool = False
    statuses: list[CollectorStatus] = field(default_factory=list)


def health_inputs(target_ids: Iterable[int], statuses: dict[int, list[CollectorStatus]] | None = None,
                  sequence_watch: float | None = None) -> dict[int, HealthInputs]:
    """``sequence_watch``: a target whose thresholds warn earlier than the default needs it lower."""
    ids = sorted(set(target_ids))
    if not ids:
        return {}
    watch = DEFAULT.bound("sequence_used_percent", WARNING) if sequence_watch is None else sequence_watch
    out = {}
    with connection.cursor() as cur:
        cur.execute(SQL.load("health/latest"), {"targets": ids, "per_target": OLDEST_TABLES, "watch": watch})
        names = [c.name for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    if statuses is None:
        statuses = collector_statuses(ids)
    for values in rows:
        target_id = values["target_id"]
        freeze = {k: int(v) for k, v in (decoded(values["freeze_settings"]) or {}).items() if str(v).isdigit()}
        out[target_id] = HealthInputs(
            target_id=target_id,
            target_name=values["target_name"] or "",
            role=values["role"] or "",
            enabled=bool(values["enabled"]),
            **_samples(decode_row(values, JSON_COLUMNS)),
            tables_at=values["tables_at"],
            oldest_tables=[TableAge(name=t["name"], xid_age=int(t["xid_age"] or 0), mxid_age=int(t["mxid_age"] or 0))
                           for t in decoded(values["oldest_tables"]) or []],
            sequences_at=values["sequences_at"],
            sequences=list(decoded(values["sequences"]) or []),
            unreadable_sequences=list(decoded(values["unreadable_sequences"]) or []),
            busy_sequences=list(decoded(values["busy_sequences"]) or []),
            invalid_indexes=list(decoded(values["invalid_indexes"]) or []),
            freeze_max_age=freeze.get("autovacuum_freeze_max_age", FREEZE_SETTINGS["autovacuum_freeze_max_age"]),
            multixact_freeze_max_age=freeze.get("autovacuum_multixact_freeze_max_age",
                                                FREEZE_SETTINGS["autovacuum_multixact_freeze_max_age"]),
            settings_known=bool(freeze),
            statuses=statuses.get(target_id, []),
        )
    return out


_DATABASE = ("stats_reset", "xid_age", "mxid_age", "blks_hit", "blks_read")
_ACTIVITY = ("max_connections", "reserved_connections", "clients", "idle_in_transaction", "waiting_lock",
             "longest_query_seconds", "longest_xact_seconds", "longest_idle_tx_seconds")
_REPLICATION = ("in_recovery", "replicas", "slots", "replay_delay_seconds", "archived_count", "failed_count",
                "last_archived_at", "last_failed_wal", "last_failed_at")


def _samples(values: dict[str, Any]) -> dict[str, Any]:
    """The flat row of ``health/latest`` as the three samples it joins (None where none is stored)."""
    out: dict[str, Any] = {}
    for key, stamp, columns in (("database", "database_at", _DATABASE), ("activity", "activity_at", _ACTIVITY),
                                ("replication", "replication_at", _REPLICATION)):
        if values[stamp] is not None:
            out[key] = {"captured_at": values[stamp], **{c: values[c] for c in columns}}
    return out

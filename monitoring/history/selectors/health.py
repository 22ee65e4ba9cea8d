"""What the health checks read from history, for one target or a whole fleet at once.

* ``health_inputs(target_ids, statuses=None)`` → ``{target_id: HealthInputs}``: per target the newest
  database sample (xid/mxid age of ``datfrozenxid``/``datminmxid`` in transactions, cumulative block
  counts), the newest activity sample (connections, sessions idle in transaction or waiting on a lock,
  longest query/transaction in seconds), the newest replication sample (replicas with ``*_lag_bytes``
  and ``*_lag_seconds``, slots with ``retained_bytes``, archiver counts and times), the tables with the
  oldest ``relfrozenxid``/``relminmxid`` (ages in transactions), the sequences at or above
  ``SEQUENCE_WATCH`` percent used, the invalid indexes, the freeze settings (transactions) and the
  collector statuses. Six queries whatever the number of targets (five when ``statuses`` — the
  result of ``fleet.collector_statuses`` — is passed in).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from monitoring.history.selectors._series import JSON_COLUMNS, decode_row, decoded
from monitoring.history.selectors.fleet import collector_statuses
from monitoring.history.sqlfiles import load
from monitoring.models import CollectorStatus, Relation, SettingValue
from monitoring.models.relations import INDEX_KINDS

SEQUENCE_WATCH = 75.0          # percent used from which a sequence is worth a line in the checks
OLDEST_TABLES = 3              # tables listed per target for the wraparound check
FREEZE_SETTINGS = {
    "autovacuum_freeze_max_age": 200_000_000,             # PostgreSQL's defaults, used until collected
    "autovacuum_multixact_freeze_max_age": 400_000_000,
}


@dataclass(frozen=True)
class TableAge:
    name: str                  # schema.table
    xid_age: int
    mxid_age: int


@dataclass(frozen=True)
class HealthInputs:
    target_id: int
    database: dict[str, Any] | None = None          # captured_at, xid_age, mxid_age, blks_hit, blks_read
    activity: dict[str, Any] | None = None          # captured_at and the activity columns read
    replication: dict[str, Any] | None = None       # captured_at, in_recovery, replicas, slots, archiver
    tables_at: dt.datetime | None = None            # newest relations sample (None: never collected)
    oldest_tables: list[TableAge] = field(default_factory=list)
    sequences_at: dt.datetime | None = None         # newest sequences snapshot (None: never collected)
    sequences: list[dict[str, Any]] = field(default_factory=list)   # ≥ SEQUENCE_WATCH %, fullest first
    invalid_indexes: list[str] = field(default_factory=list)         # schema.index
    freeze_max_age: int = FREEZE_SETTINGS["autovacuum_freeze_max_age"]
    multixact_freeze_max_age: int = FREEZE_SETTINGS["autovacuum_multixact_freeze_max_age"]
    settings_known: bool = False
    statuses: list[CollectorStatus] = field(default_factory=list)


def health_inputs(target_ids: Iterable[int],
                  statuses: dict[int, list[CollectorStatus]] | None = None) -> dict[int, HealthInputs]:
    ids = sorted(set(target_ids))
    if not ids:
        return {}
    parts: dict[int, dict[str, Any]] = {i: {"target_id": i} for i in ids}
    with connection.cursor() as cur:
        cur.execute(load("health/latest"), {"targets": ids})
        names = [c.name for c in cur.description]
        for row in cur.fetchall():
            values = decode_row(dict(zip(names, row, strict=True)), JSON_COLUMNS)
            parts[values["target_id"]].update(_split(values))

        cur.execute(load("health/oldest_tables"), {"targets": ids, "per_target": OLDEST_TABLES})
        tables: dict[int, list[TableAge]] = defaultdict(list)
        for target_id, at, schema, name, xid_age, mxid_age in cur.fetchall():
            parts[target_id]["tables_at"] = at
            if name is not None:
                tables[target_id].append(TableAge(name=f"{schema}.{name}", xid_age=int(xid_age or 0),
                                                  mxid_age=int(mxid_age or 0)))

        cur.execute(load("health/sequences"), {"targets": ids, "threshold": SEQUENCE_WATCH})
        sequences: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for target_id, at, item in cur.fetchall():
            parts[target_id]["sequences_at"] = at
            if item is not None:
                sequences[target_id].append(decoded(item))

    invalid: dict[int, list[str]] = defaultdict(list)
    for target_id, schema, name in (Relation.objects
                                    .filter(target_id__in=ids, kind__in=list(INDEX_KINDS), is_valid=False,
                                            dropped_at__isnull=True)
                                    .order_by("target_id", "schema", "name")
                                    .values_list("target_id", "schema", "name")):
        invalid[target_id].append(f"{schema}.{name}")

    freeze: dict[int, dict[str, int]] = defaultdict(dict)
    for target_id, name, setting in (SettingValue.objects.filter(target_id__in=ids, name__in=list(FREEZE_SETTINGS))
                                     .values_list("target_id", "name", "setting")):
        if setting.strip().isdigit():
            freeze[target_id][name] = int(setting)

    if statuses is None:
        statuses = collector_statuses(ids)
    out = {}
    for i in ids:
        settings = freeze.get(i, {})
        out[i] = HealthInputs(
            **parts[i],
            oldest_tables=tables.get(i, []),
            sequences=sequences.get(i, []),
            invalid_indexes=invalid.get(i, []),
            freeze_max_age=settings.get("autovacuum_freeze_max_age", FREEZE_SETTINGS["autovacuum_freeze_max_age"]),
            multixact_freeze_max_age=settings.get("autovacuum_multixact_freeze_max_age",
                                                  FREEZE_SETTINGS["autovacuum_multixact_freeze_max_age"]),
            settings_known=bool(settings),
            statuses=statuses.get(i, []),
        )
    return out


_DATABASE = ("xid_age", "mxid_age", "blks_hit", "blks_read")
_ACTIVITY = ("max_connections", "reserved_connections", "clients", "idle_in_transaction", "waiting_lock",
             "longest_query_seconds", "longest_xact_seconds", "longest_idle_tx_seconds")
_REPLICATION = ("in_recovery", "replicas", "slots", "replay_delay_seconds", "archived_count", "failed_count",
                "last_archived_at", "last_failed_wal", "last_failed_at")


def _split(values: dict[str, Any]) -> dict[str, Any]:
    """The flat row of ``health/latest`` as the three samples it joins (None where none is stored)."""
    out: dict[str, Any] = {}
    for key, stamp, columns in (("database", "database_at", _DATABASE), ("activity", "activity_at", _ACTIVITY),
                                ("replication", "replication_at", _REPLICATION)):
        if values[stamp] is not None:
            out[key] = {"captured_at": values[stamp], **{c: values[c] for c in columns}}
    return out

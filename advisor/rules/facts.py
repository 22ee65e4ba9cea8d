"""What the history store says about one table, index, database or session peak over an advisor run's
window: frozen records the rules read (``advisor.rules.history.History`` builds them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class TableDeltas:
    """Reset-aware growth of a table's cumulative counters over the window (``seconds`` covered)."""

    n_tup_ins: int = 0
    n_tup_upd: int = 0
    n_tup_del: int = 0
    n_tup_hot_upd: int = 0
    autovacuum_count: int = 0
    vacuum_count: int = 0
    seq_scan: int = 0
    idx_scan: int = 0
    since: dt.datetime | None = None
    seconds: float = 0.0

    @property
    def writes(self) -> int:
        return self.n_tup_ins + self.n_tup_upd + self.n_tup_del


@dataclass(frozen=True)
class TableInfo:
    seq: int
    schema: str
    name: str
    heap_bytes: int
    total_bytes: int
    reltuples: int
    n_live_tup: int
    n_dead_tup: int
    last_vacuum: dt.datetime | None
    last_autovacuum: dt.datetime | None
    xid_age: int
    mxid_age: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class IndexInfo:
    seq: int
    oid: int
    schema: str
    name: str
    table_seq: int
    table_name: str
    definition: str
    method: str
    is_unique: bool
    is_primary: bool
    is_valid: bool
    constraint_type: str
    first_seen: dt.datetime
    bytes: int
    scans_total: int            # cumulative since the server's statistics reset
    scans_window: int | None    # reset-aware, over the window; None until sampled twice
    last_scan: dt.datetime | None
    observed_since: dt.datetime | None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def table_qualified(self) -> str:
        return f"{self.schema}.{self.table_name}"


@dataclass(frozen=True)
class BloatInfo:
    size_bytes: int
    bloat_bytes: int | None
    exact: bool
    captured_at: dt.datetime | None

    @property
    def ratio(self) -> float | None:
        if self.bloat_bytes is None or not self.size_bytes:
            return None
        return self.bloat_bytes / self.size_bytes


@dataclass(frozen=True)
class DatabaseInfo:
    size_bytes: int | None
    xid_age: int | None
    mxid_age: int | None
    cache_hit_ratio: float | None   # since the statistics reset
    intervals: int                  # differences of two consecutive samples in the window
    seconds: float
    temp_files: int
    temp_bytes: int
    checkpoints_timed: int | None
    checkpoints_req: int | None
    wal_bytes: int


@dataclass(frozen=True)
class ActivityPeaks:
    samples: int
    longest_idle_tx_seconds: float | None
    longest_idle_tx_at: dt.datetime | None
    longest_query_seconds: float | None
    longest_query_at: dt.datetime | None
    oldest_xmin_age: int | None

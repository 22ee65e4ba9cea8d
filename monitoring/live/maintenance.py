"""Maintenance now: vacuum and analyze workers with their progress, and how close each database and
the oldest tables are to a forced anti-wraparound vacuum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from psycopg.rows import class_row

from monitoring.live.session import live_connection
from monitoring.models import Target
from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)


@dataclass(frozen=True)
class VacuumWorker:
    """A backend vacuuming or analyzing: an autovacuum worker, or a manual VACUUM (then ``phase`` set)."""

    pid: int
    backend_type: str | None
    datname: str | None
    relation: str | None
    phase: str | None
    heap_blks_total: int | None
    heap_blks_scanned: int | None
    heap_blks_vacuumed: int | None
    index_vacuum_count: int | None
    dead_items: int | None
    dead_items_mem_pct: float | None
    indexes_total: int | None
    indexes_processed: int | None
    wait_event_type: str | None
    wait_event: str | None
    query: str | None
    running_seconds: float | None

    @property
    def scanned_pct(self) -> float | None:
        if not self.heap_blks_total:
            return None
        return 100.0 * (self.heap_blks_scanned or 0) / self.heap_blks_total

    @property
    def vacuumed_pct(self) -> float | None:
        if not self.heap_blks_total:
            return None
        return 100.0 * (self.heap_blks_vacuumed or 0) / self.heap_blks_total

    @property
    def is_autovacuum(self) -> bool:
        return self.backend_type == "autovacuum worker"

    @property
    def to_prevent_wraparound(self) -> bool:
        return "to prevent wraparound" in (self.query or "")


@dataclass(frozen=True)
class DatabaseAge:
    datname: str
    xid_age: int
    mxid_age: int
    freeze_max_age: int
    mxid_freeze_max_age: int

    @property
    def xid_ratio(self) -> float:
        return self.xid_age / self.freeze_max_age if self.freeze_max_age else 0.0

    @property
    def mxid_ratio(self) -> float:
        return self.mxid_age / self.mxid_freeze_max_age if self.mxid_freeze_max_age else 0.0

    @property
    def xid_pct(self) -> float:
        return 100.0 * self.xid_ratio

    @property
    def mxid_pct(self) -> float:
        return 100.0 * self.mxid_ratio


@dataclass(frozen=True)
class TableAge:
    relation: str
    xid_age: int
    mxid_age: int
    freeze_max_age: int
    total_bytes: int
    n_dead_tup: int | None
    last_vacuum: dt.datetime | None
    last_autovacuum: dt.datetime | None

    @property
    def xid_ratio(self) -> float:
        return self.xid_age / self.freeze_max_age if self.freeze_max_age else 0.0

    @property
    def xid_pct(self) -> float:
        return 100.0 * self.xid_ratio


@dataclass(frozen=True)
class MaintenanceSettings:
    autovacuum: str
    max_workers: int
    naptime: str
    freeze_max_age: int


@dataclass(frozen=True)
class MaintenanceNow:
    workers: list[VacuumWorker]
    databases: list[DatabaseAge]
    tables: list[TableAge]
    settings: MaintenanceSettings

    @property
    def autovacuum_workers(self) -> int:
        return sum(1 for w in self.workers if w.is_autovacuum)


def read_maintenance(target: Target) -> MaintenanceNow:
    """Four cheap catalog reads on one connection."""
    with live_connection(target) as (conn, major):
        workers = conn.cursor(row_factory=class_row(VacuumWorker)).execute(
            SQL.load("vacuum_progress", major)).fetchall()
        databases = conn.cursor(row_factory=class_row(DatabaseAge)).execute(
            SQL.load("database_ages")).fetchall()
        tables = conn.cursor(row_factory=class_row(TableAge)).execute(
            SQL.load("table_ages")).fetchall()
        settings = conn.cursor(row_factory=class_row(MaintenanceSettings)).execute(
            SQL.load("autovacuum_settings")).fetchone()
    assert settings is not None
    return MaintenanceNow(workers=workers, databases=databases, tables=tables, settings=settings)

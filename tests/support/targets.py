"""Target clusters and throwaway databases on them, for tests that talk to a real PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from dbconsole.embedded.pgcluster import PgCluster
from monitoring.models import Target

MONITOR_ROLE = "dbconsole_monitor"
MONITOR_PASSWORD = "monitor-secret-1"
_counter = itertools.count(1)


def start_target_cluster(bindir: Path, datadir: Path) -> PgCluster:
    """A fast (fsync off) cluster with pg_stat_statements preloaded and a pg_monitor role.

    Extensions are created in template1, so every database made for a test already has them.
    """
    cluster = PgCluster(bindir=bindir, datadir=datadir, conf={"shared_buffers": "'64MB'"})
    cluster.init(fast=True)
    cluster.start()
    with psycopg.connect(cluster.conninfo("template1"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {MONITOR_ROLE} LOGIN PASSWORD '{MONITOR_PASSWORD}' IN ROLE pg_monitor")
        available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
        for ext in ("pg_stat_statements", "pgstattuple", "hypopg"):
            if ext in available:
                conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
    return cluster


@dataclass
class TargetDb:
    """A fresh database on a target cluster; the test owns it and it is dropped afterwards."""

    cluster: PgCluster
    dbname: str

    @property
    def major(self) -> int:
        return self.cluster.major

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        """A superuser connection in autocommit — for planting schemas and workloads."""
        return psycopg.connect(self.cluster.conninfo(self.dbname), autocommit=True, **kwargs)

    def dsn(self, *, user: str = MONITOR_ROLE, password: str = MONITOR_PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.cluster.port}/{self.dbname}"

    def make_target(self, name: str | None = None, **fields: Any) -> Target:
        target = Target(
            name=name or f"{self.dbname.replace('_', '-')}",
            host="127.0.0.1", port=self.cluster.port, dbname=self.dbname,
            username=MONITOR_ROLE, sslmode="disable", **fields,
        )
        target.set_password(MONITOR_PASSWORD)
        target.save()
        return target


def fresh_database(cluster: PgCluster, prefix: str = "t") -> Iterator[TargetDb]:
    dbname = f"{prefix}_{os.getpid()}_{next(_counter)}"
    cluster.ensure_database(dbname)
    try:
        yield TargetDb(cluster=cluster, dbname=dbname)
    finally:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

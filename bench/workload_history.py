"""A throwaway history store and target clusters for the collection benchmarks (P1, P2, P4).

Each benchmark gets a fresh PostgreSQL 18 history store (migrated) and a fresh PostgreSQL 15 target on
127.0.0.1, stopped and removed on exit: the figures never depend on what an earlier run left behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dbconsole.embedded.pgcluster import DEBIAN_PG15_BINDIR, PgCluster, embedded_bindir

STATE = Path(__file__).resolve().parent.parent / ".dbconsole-bench" / "collection"
MONITOR_ROLE, MONITOR_PASSWORD = "bench_monitor", "bench-monitor-secret"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Clusters:
    history: PgCluster
    target: PgCluster

    def target_conninfo(self, dbname: str) -> str:
        return self.target.conninfo(dbname)


@contextlib.contextmanager
def clusters(name: str, target_conf: dict[str, str] | None = None,
             env: dict[str, str] | None = None) -> Iterator[Clusters]:
    """Start a history store (PG 18) and a target (PG 15 if installed, else 18); configure Django on the
    history store and migrate it. Both clusters are destroyed on exit."""
    root = STATE / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    root.chmod(0o755)
    history = PgCluster(bindir=embedded_bindir(), datadir=root / "history",
                        conf={"shared_buffers": "'256MB'", "max_connections": "100"})
    target_bin = DEBIAN_PG15_BINDIR if (DEBIAN_PG15_BINDIR / "initdb").exists() else embedded_bindir()
    target = PgCluster(bindir=target_bin, datadir=root / "target",
                       conf={"shared_buffers": "'128MB'", **(target_conf or {})})
    try:
        history.init(fast=True)
        history.start()
        target.init(fast=True)
        target.start()
        history.ensure_database("dbconsole")
        with contextlib.suppress(Exception):
            target.execute(f"CREATE ROLE {MONITOR_ROLE} LOGIN PASSWORD '{MONITOR_PASSWORD}' IN ROLE pg_monitor")
        target.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", "template1")
        os.environ.update(env or {})
        _configure_django(history)
        yield Clusters(history=history, target=target)
    finally:
        for cluster in (target, history):
            with contextlib.suppress(Exception):
                cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def _configure_django(history: PgCluster) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "dbconsole.settings"
    os.environ["DATABASE_URL"] = history.url("dbconsole")
    os.environ.setdefault("DBCONSOLE_SECRET_KEY", secrets.token_urlsafe(48))
    if not os.environ.get("DBCONSOLE_FERNET_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["DBCONSOLE_FERNET_KEYS"] = Fernet.generate_key().decode()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_target(clusters: Clusters, dbname: str, name: str | None = None):
    from monitoring.models import Target

    target = Target(name=name or dbname.replace("_", "-"), host="127.0.0.1", port=clusters.target.port,
                    dbname=dbname, username=MONITOR_ROLE, sslmode="disable")
    target.set_password(MONITOR_PASSWORD)
    target.save()
    return target

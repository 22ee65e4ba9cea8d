"""What every benchmark shares: where state lives, servers we start and stop, guarded connections."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dbconsole.embedded.pgcluster import PgCluster

REPO = Path(__file__).resolve().parent.parent
# Covered by the ".dbconsole-*/" pattern in .gitignore: generated data and loaded clusters survive between
# runs, so only the first run pays for them.
STATE_DIR = REPO / ".dbconsole-bench"


def say(message: str) -> None:
    """Progress for humans on stderr; stdout carries only the result lines a script may parse."""
    print(message, file=sys.stderr, flush=True)


def setup_django() -> None:
    """Settings are needed by the guarded connection helpers (timeouts come from them)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbconsole.settings")
    import django

    django.setup()


@contextlib.contextmanager
def running(cluster: PgCluster) -> Iterator[PgCluster]:
    """Start ``cluster`` if it is down, and stop it on exit only if we were the ones who started it."""
    was_running = cluster.is_running()
    if not was_running:
        cluster.start(timeout=300)
    try:
        yield cluster
    finally:
        if not was_running:
            cluster.stop()


def guarded_params(cluster: PgCluster, dbname: str, user: str, password: str) -> dict[str, Any]:
    """Connection parameters for ``monitoring.targets.connect.connect_params``."""
    return {"host": "127.0.0.1", "port": cluster.port, "dbname": dbname, "user": user,
            "password": password, "sslmode": "disable"}

"""Bring up the pieces of the embedded default: the PostgreSQL 18 cluster and Redis.

``manage.py`` calls ``autostart_history_store`` so every command works without ``make run``; the
``make run`` supervisor (``dbconsole.embedded.run``) calls the same functions and then starts the
application processes.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import ClusterError, PgCluster, free_port, port_is_free

SUPERVISOR_PIDFILE = "run.pid"


def ensure_history_store(*, announce: bool = True) -> tuple[PgCluster, bool]:
    """Initialise (first time) and start the embedded cluster; returns it and whether we started it."""
    home.ensure_home()
    cluster = home.history_cluster()
    if not cluster.initialised:
        if not port_is_free(cluster.port):
            cluster.port = free_port()
        if announce:
            print(f"dbconsole: initialising PostgreSQL 18 in {cluster.datadir} (first run)", file=sys.stderr)
        cluster.init()
    started = False
    if not cluster.is_running():
        cluster.start()
        started = True
    cluster.ensure_database(home.HISTORY_DB)
    cluster.ensure_database(home.DEMO_DB)
    return cluster, started


def supervisor_alive() -> bool:
    pidfile = home.home() / SUPERVISOR_PIDFILE
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def autostart_history_store() -> None:
    """For ``manage.py`` on the embedded default: start the store if needed, stop it again at exit.

    It is left running when a ``make run`` supervisor appeared meanwhile, since that one relies on it.
    """
    if os.environ.get("DATABASE_URL"):
        return
    try:
        cluster, started = ensure_history_store()
    except ClusterError as exc:
        sys.exit(f"dbconsole: cannot start the embedded history store: {exc}")
    if started:
        atexit.register(_stop_unless_supervised, cluster)
    # Settings may have been read before a first start created the cluster (and its password):
    # refresh the connection parameters, which Django only reads at the first query.
    from django.conf import settings

    if settings.configured:
        settings.DATABASES["default"].update(home.history_database_settings())


def _stop_unless_supervised(cluster: PgCluster) -> None:
    if not supervisor_alive():
        cluster.stop()


def write_pidfile() -> Path:
    path = home.ensure_home() / SUPERVISOR_PIDFILE
    path.write_text(f"{os.getpid()}\n")
    return path

"""Bring up the pieces of the embedded default: the PostgreSQL 18 cluster, the demo's own cluster, Redis.

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
from dbconsole.embedded.pgcluster import ClusterError, PgCluster, free_port_from

SUPERVISOR_PIDFILE = "run.pid"


def ensure_history_store(*, announce: bool = True) -> tuple[PgCluster, bool]:
    """Initialise (first time) and start the embedded cluster; returns it and whether we started it."""
    home.ensure_home()
    cluster = home.history_cluster()
    started = ensure_cluster(cluster, "DBCONSOLE_PG_PORT", "the history store", announce=announce)
    cluster.ensure_database(home.HISTORY_DB)
    return cluster, started


def ensure_cluster(cluster: PgCluster, variable: str, what: str, *, announce: bool = True) -> bool:
    """Initialise ``cluster`` on its first start, then start it; returns whether we started it.

    A new cluster takes the configured port, or the next free one above it when that is taken (told on
    stderr): the port is written into the cluster's ``postgresql.conf`` at init, and every process
    reads it from there (``home.history_port``), so no client ever knocks on the configured port while
    the server listens elsewhere.
    """
    if not cluster.initialised:
        configured = cluster.port
        port = free_port_from(configured)
        if port is None:
            raise ClusterError(f"ports {configured}-{configured + 49} on 127.0.0.1 are all taken; "
                               f"set {variable} to a free port")
        if port != configured:
            print(f"dbconsole: port {configured} ({variable}) is taken; {what} is created on port {port} "
                  "instead, and every dbconsole process reads that port from the cluster's own files",
                  file=sys.stderr)
        cluster.port = port
        if announce:
            print(f"dbconsole: initialising PostgreSQL {cluster.major} for {what} in {cluster.datadir} (first run)",
                  file=sys.stderr)
        cluster.init()
    if cluster.is_running():
        return False
    cluster.start()
    return True


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

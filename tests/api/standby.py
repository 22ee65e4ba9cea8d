"""A real streaming standby of a test cluster (pg_basebackup -R, then started on its own port), so the
primary's pg_stat_replication has a replica with a name of our choosing."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg

from dbconsole.embedded.pgcluster import SYSTEM_USER, PgCluster, free_port, make_traversable, running_as_root


def _libpq(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _conf(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


@contextlib.contextmanager
def streaming_standby(primary: PgCluster, root: Path, application_name: str) -> Iterator[PgCluster]:
    root.mkdir(parents=True, exist_ok=True)
    datadir = root / "standby"
    user = SYSTEM_USER if running_as_root() else None
    if user:
        make_traversable(root)
        os.chown(root, *_ids())
    env = {"PGPASSWORD": primary.password, "PATH": os.environ.get("PATH", "")}
    subprocess.run([str(primary.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                    primary.superuser, "-D", str(datadir), "-X", "stream", "--no-sync", "--checkpoint=fast"],
                   check=True, env=env, user=user, group=user, capture_output=True, cwd="/")
    port = free_port()
    conninfo = (f"host=127.0.0.1 port={primary.port} user={primary.superuser} password={_libpq(primary.password)} "
                f"application_name={_libpq(application_name)}")
    with (datadir / "postgresql.conf").open("a") as conf:
        conf.write(f"\nport = {port}\nprimary_conninfo = {_conf(conninfo)}\nhot_standby = on\n")
    (datadir / "standby.signal").touch()
    if user:
        os.chown(datadir / "standby.signal", *_ids())
    standby = PgCluster(bindir=primary.bindir, datadir=datadir, port=port)
    try:
        standby.start()
        yield standby
    finally:
        standby.destroy()


def _ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def wait_streaming(primary: PgCluster, application_name: str, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    with psycopg.connect(primary.conninfo(), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT state FROM pg_stat_replication WHERE application_name = %s",
                               (application_name[:63],)).fetchone()
            if row and row[0] == "streaming":
                return
            time.sleep(0.2)
    raise AssertionError(f"the standby {application_name!r} never streamed")

"""The state directory of the embedded default (``.dbconsole/`` in the checkout, or ``DBCONSOLE_HOME``).

It holds the PostgreSQL 18 data directory (history store, and the demo database when no PostgreSQL
with HypoPG is installed), the demo cluster's data directory (``demo-pg<major>``), Redis' directory,
generated secrets (Django secret key, Fernet key, passwords), one log file per process and, in
``var/``, what the services write themselves (the beat schedule). Nothing in it is committed; deleting
it starts over from scratch.

Ports: the configured ones (``DBCONSOLE_PG_PORT``, ``DBCONSOLE_DEMO_PG_PORT``) are used when a cluster
is created; from then on the cluster's own files are the one source of truth (``recorded_port``), so
the store, bootstrap, the workers and the web server always agree, even when the configured port was
taken at the first start. Defaults lie below Linux's ephemeral range (32768-60999), where an outgoing
connection could hold them, and away from the usual 5432 and 6379.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HISTORY_DB = "dbconsole"
DEFAULT_PG_PORT = 25432
DEFAULT_DEMO_PG_PORT = 25433
DEFAULT_REDIS_PORT = 26379
# Secrets the services read (settings, the demo workload); handed to the system user when we run as root.
SERVICE_SECRETS = ("secret-key", "fernet-key", "pgdata.password", "demo-app-password")


def home() -> Path:
    configured = os.environ.get("DBCONSOLE_HOME", "").strip()
    return Path(configured).expanduser().resolve() if configured else BASE_DIR / ".dbconsole"


def ensure_home() -> Path:
    path = home()
    path.mkdir(parents=True, exist_ok=True)
    # The PostgreSQL system user must traverse it to reach its data directory. Only its owner sets the
    # mode: the services, running as that system user when we are root, merely read from it.
    if path.stat().st_uid == os.geteuid() and path.stat().st_mode & 0o777 != 0o711:
        path.chmod(0o711)
    if not (path / "static").is_dir():  # STATIC_ROOT of the embedded default
        (path / "static").mkdir()
    logs = path / "logs"  # query texts and error messages land in them: for the operator's eyes only
    if not logs.is_dir():
        logs.mkdir(mode=0o700)
    elif logs.stat().st_uid == os.geteuid() and logs.stat().st_mode & 0o077:
        logs.chmod(0o700)
    return path


def var_dir() -> Path:
    """Where the services write (beat schedule); owned by the system user when we run as root, so root
    never writes into a directory an unprivileged user controls."""
    return home() / "var"


def beat_schedule() -> Path:
    return var_dir() / "celerybeat-schedule"


def demo_pg_port() -> int:
    """The configured port of the demo's own cluster (what it is created on)."""
    from dbconsole.env import env_int

    return env_int("DBCONSOLE_DEMO_PG_PORT", DEFAULT_DEMO_PG_PORT, minimum=1, maximum=65535)


def secret_file(name: str, make: str = "token") -> str:
    """Read the secret kept in ``home()/name``, creating it (mode 0600) on first use.

    ``O_EXCL`` makes concurrent first starts agree on one value: whoever loses the race reads the
    winner's file.
    """
    path = ensure_home() / name
    if not path.exists():
        value = new_fernet_key() if make == "fernet" else secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(value + "\n")
    return path.read_text().strip()


def new_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def history_cluster():
    """The embedded PostgreSQL 18 cluster, on the port it records (the configured one before its init).

    Imported lazily: settings import this module.
    """
    from dbconsole.embedded.pgcluster import PgCluster, embedded_bindir

    cluster = PgCluster(
        bindir=embedded_bindir(),
        datadir=home() / "pgdata",
        port=pg_port(),
        conf={
            "shared_buffers": "'256MB'",
            "pg_stat_statements.max": "10000",
            "max_connections": "200",
            "logging_collector": "off",
        },
    )
    cluster.port = history_port()
    return cluster


def history_port() -> int:
    """The history store's port: recorded by the cluster, else the configured one (before its init)."""
    from dbconsole.embedded.pgcluster import recorded_port

    return recorded_port(home() / "pgdata") or pg_port()


def history_database_settings() -> dict[str, object]:
    """Django DATABASES entry for the embedded history store, read from the cluster's own files."""
    datadir = home() / "pgdata"
    port = history_port()
    password_file = datadir.parent / "pgdata.password"
    password = password_file.read_text().strip() if password_file.exists() else ""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": HISTORY_DB,
        "USER": "postgres",
        "PASSWORD": password,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OPTIONS": {},
    }


def pg_port() -> int:
    """The configured port of the history store (what a new cluster is created on)."""
    from dbconsole.env import env_int

    return env_int("DBCONSOLE_PG_PORT", DEFAULT_PG_PORT, minimum=1, maximum=65535)

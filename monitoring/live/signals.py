"""Cancel or terminate a backend: the one operator action that is not read-only.

It opens its own connection with a writable guard and short timeouts (signalling needs no write, but
the read-only default is for reads only: this is an explicit, audited action), and signals only the
backend the operator confirmed — same pid *and* same ``backend_start``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from psycopg import errors as pgerrors

from monitoring.models import Target
from monitoring.targets.connect import Guard, TargetError, connect
from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)

ACTIONS = {"cancel": "signal_cancel", "terminate": "signal_terminate"}
SIGNAL_STATEMENT_TIMEOUT_MS = 3000
SIGNAL_LOCK_TIMEOUT_MS = 500


@dataclass(frozen=True)
class SignalResult:
    action: str
    pid: int
    signalled: bool
    message: str


def signal_backend(target: Target, action: str, pid: int, backend_start: dt.datetime) -> SignalResult:
    """Send the signal; raises ``TargetError`` when the target refuses (``permission_denied`` with a hint)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    guard = Guard.default(read_only=False, statement_timeout_ms=SIGNAL_STATEMENT_TIMEOUT_MS,
                          lock_timeout_ms=SIGNAL_LOCK_TIMEOUT_MS)
    with connect(target, guard) as conn:
        try:
            row = conn.execute(SQL.load(ACTIONS[action]),
                               {"pid": pid, "backend_start": backend_start}).fetchone()
        except pgerrors.InsufficientPrivilege as exc:
            # Caught here, not by connect(): the generic hint (pg_monitor) would be the wrong fix.
            raise _refused(exc, target, action, pid) from None
    if row is None:
        return SignalResult(action, pid, False,
                            f"backend {pid} has already ended (or its pid now belongs to another session); "
                            "nothing was done")
    if not row[0]:
        return SignalResult(action, pid, False, f"PostgreSQL could not signal backend {pid}; it may have just ended")
    verb = "cancelled the running query of" if action == "cancel" else "terminated"
    return SignalResult(action, pid, True, f"{verb} backend {pid}")


def _refused(exc: pgerrors.InsufficientPrivilege, target: Target, action: str, pid: int) -> TargetError:
    detail = (exc.diag.message_detail or "") + " " + (exc.diag.message_primary or "")
    if "SUPERUSER" in detail.upper():
        return TargetError(
            "permission_denied",
            f"backend {pid} belongs to a superuser: only a superuser can {action} it",
            f"do it from a superuser session: SELECT pg_{action}_backend({pid});",
        )
    return TargetError(
        "permission_denied",
        f"the monitoring role {target.username} may not {action} other users' sessions",
        f"GRANT pg_signal_backend TO {target.username};",
    )

"""Run EXPLAIN on a target: always inside a transaction that is rolled back, under a statement_timeout.

* Plain EXPLAIN plans without executing, so it runs on the usual read-only guard.
* EXPLAIN ANALYZE executes the statement. A plain read runs in a read-only transaction (a SELECT that
  calls nextval() or writes through a function then fails and asks for confirmation); anything else
  needs ``confirm_writes`` and runs in a writable transaction that is rolled back.
* Statements with ``$n`` parameters (normalized text from pg_stat_statements) get a generic plan (see
  ``generic``). They cannot be ANALYZEd: there are no values to run them with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from psycopg import errors as pgerrors

from monitoring.explain.generic import explain_generic
from monitoring.explain.plan import Plan, read_plan
from monitoring.explain.statement import Statement, StatementError, parse_statement
from monitoring.models import Target
from monitoring.targets.connect import Guard, connect

PLAN_TIMEOUT_MS = 5_000
LOCK_TIMEOUT_MS = 1_000


class ExplainError(Exception):
    """PostgreSQL refused the EXPLAIN (bad SQL for this schema, timeout, privilege…); shown as is."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NeedsConfirmation(StatementError):
    """EXPLAIN ANALYZE would write or lock rows: the operator must confirm (it is rolled back)."""


@dataclass(frozen=True)
class ExplainOutcome:
    statement: Statement
    plan: Plan
    analyzed: bool
    generic: bool
    writable: bool
    server_major: int


def explain(
    target: Target,
    sql: str,
    *,
    analyze: bool = False,
    normalized: bool = False,
    confirm_writes: bool = False,
) -> ExplainOutcome:
    """EXPLAIN ``sql`` on ``target``. ``normalized`` says the text comes from pg_stat_statements (``$n``
    stand for constants); parameters found by the parser are treated the same way.

    Raises ``StatementError`` (input), ``NeedsConfirmation``, ``ExplainError`` or ``TargetError``.
    """
    statement = parse_statement(sql)
    generic = normalized or statement.has_params
    if analyze and generic:
        raise StatementError("EXPLAIN ANALYZE needs real values: replace the $n parameters with constants")
    if analyze and not statement.read_only and not confirm_writes:
        raise NeedsConfirmation(_write_warning(statement))
    writable = analyze and (not statement.read_only or confirm_writes)
    guard = Guard.default(read_only=not writable, lock_timeout_ms=LOCK_TIMEOUT_MS,
                          statement_timeout_ms=analyze_timeout_ms() if analyze else PLAN_TIMEOUT_MS)
    with connect(target, guard) as conn:
        major = conn.info.server_version // 10000
        try:
            with conn.transaction(force_rollback=True):
                raw = _run(conn, statement, major, analyze=analyze, generic=generic)
        except pgerrors.ReadOnlySqlTransaction:
            raise NeedsConfirmation(
                "this statement writes when it runs (e.g. nextval() or a function that modifies data); "
                "confirm to run it in a writable transaction that is rolled back") from None
        except pgerrors.QueryCanceled:
            ms = guard.statement_timeout_ms
            limit = f"{ms / 1000:g} s" if ms >= 1000 else f"{ms} ms"
            raise ExplainError(f"stopped after {limit} (statement_timeout); nothing was changed",
                               "EXPLAIN without ANALYZE only plans and answers fast" if analyze else "") from None
        except pgerrors.LockNotAvailable:
            raise ExplainError("another session holds a lock this statement needs (lock_timeout); "
                               "nothing was changed") from None
        except psycopg.Error as exc:
            raise _explain_error(exc) from None
    return ExplainOutcome(statement=statement, plan=read_plan(raw), analyzed=analyze, generic=generic,
                          writable=writable, server_major=major)


def analyze_timeout_ms() -> int:
    """How long EXPLAIN ANALYZE may run: ``DBCONSOLE_EXPLAIN_ANALYZE_TIMEOUT_MS``, by default the target
    statement timeout collection runs under. Each run holds a web thread that long: a short limit keeps
    a few operators from occupying every thread."""
    return int(settings.EXPLAIN_ANALYZE_TIMEOUT_MS)


def _run(conn: psycopg.Connection[Any], statement: Statement, major: int, *, analyze: bool,
         generic: bool) -> list[dict[str, Any]]:
    options = ["FORMAT JSON", "SETTINGS"]
    if analyze:
        options += ["ANALYZE", "BUFFERS"]
    if generic:
        return explain_generic(conn, statement, major, options)
    # One statement by PostgreSQL's own parser; sent over the simple protocol (no parameters).
    row = conn.execute(f"EXPLAIN ({', '.join(options)}) {statement.text}").fetchone()
    assert row is not None
    value = row[0]
    return value if isinstance(value, list) else list(value)


def _write_warning(statement: Statement) -> str:
    what = "locks rows" if statement.kind == "SELECT" and statement.locks_rows else "modifies data"
    return (f"EXPLAIN ANALYZE runs the statement, and this {statement.kind} {what}: confirm to run it in a "
            "transaction that is rolled back (triggers and sequences still fire)")


def _explain_error(exc: psycopg.Error) -> ExplainError:
    diag = exc.diag
    message = diag.message_primary or str(exc).strip().splitlines()[0]
    if diag.message_detail:
        message += f" — {diag.message_detail}"
    hint = diag.message_hint or ""
    if isinstance(exc, pgerrors.InsufficientPrivilege):
        hint = hint or "the monitoring role needs SELECT on the tables involved to EXPLAIN them"
    if isinstance(exc, pgerrors.IndeterminateDatatype):
        hint = hint or "add a cast to the parameter, e.g. $1::int"
    return ExplainError(message, hint)

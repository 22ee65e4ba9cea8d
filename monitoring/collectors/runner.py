"""Run one collector against one target: connect, prepare, read, store, record the status.

Whatever happens, the outcome is a ``RunResult`` and a status row — never an exception escaping into
the worker. The read uses one guarded connection (closed before the store starts); the store and the
success status are one history-store transaction, so a run killed at any point leaves either all of
it or none of it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

import psycopg
from django.db import DatabaseError, transaction
from django.utils import timezone

from monitoring.collectors import load_all
from monitoring.collectors.base import REGISTRY, CollectContext, Collector
from monitoring.history import partitions
from monitoring.history import status as status_store
from monitoring.models import Target
from monitoring.targets.connect import Guard, TargetError, connect
from pgsql.sqlfiles import NoSqlForVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    collector: str
    status: str            # ok | partial | a TargetError status | history_error | error
    rows: int = 0
    ms: float = 0.0
    reason: str = ""
    hint: str = ""
    transient: bool = False
    read_ms: float = 0.0    # connect + prepare + read
    store_ms: float = 0.0   # the history-store transaction

    @property
    def ok(self) -> bool:
        return self.status in {"ok", "partial"}

    def line(self) -> str:
        """``collector=NAME rows=N ms=T status=ok|error: reason`` — the CLI's output."""
        if self.status == "ok":
            state = "ok"
        elif self.status == "partial":
            state = f"ok (partial: {self.reason})"
        else:
            state = f"error: {self.status}: {self.reason}" + (f" (hint: {self.hint})" if self.hint else "")
        return f"collector={self.collector} rows={self.rows} ms={self.ms:.0f} status={state}"


def collector_for(name: str) -> Collector[Any]:
    load_all()
    try:
        return REGISTRY[name]()
    except KeyError:
        raise KeyError(f"unknown collector {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def run(target: Target, name: str) -> RunResult:
    """Collect ``name`` from ``target`` once and record the outcome."""
    collector = collector_for(name)
    started = time.monotonic()
    at = timezone.now()
    try:
        snapshot, ctx = _read(collector, target, at)
        read_done = time.monotonic()
        rows, warnings = _store(collector, snapshot, ctx, started)
    except TargetError as exc:
        return _failed(target, name, started, at, exc.status, exc.message, exc.hint,
                       transient=exc.status in collector.transient)
    except NoSqlForVersion as exc:
        return _failed(target, name, started, at, "unsupported_version", str(exc),
                       "dbconsole supports PostgreSQL 13 to 18")
    except (DatabaseError, psycopg.Error) as exc:
        log.warning("history store error while storing %s for %s: %s", name, target.name, exc)
        return _failed(target, name, started, at, "history_error", _first_line(exc),
                       "the history store refused the write; see the worker log", transient=True)
    except Exception as exc:  # a bug must not take the worker (or other targets) down with it
        log.exception("collector %s failed on target %s", name, target.name)
        return _failed(target, name, started, at, "error", f"{type(exc).__name__}: {_first_line(exc)}",
                       "this is a dbconsole bug; the worker log has the traceback")
    done = time.monotonic()
    ms, read_ms, store_ms = (done - started) * 1000, (read_done - started) * 1000, (done - read_done) * 1000
    if warnings:
        reason = "; ".join(w[0] for w in warnings)
        hint = "; ".join(w[1] for w in warnings)
        return RunResult(name, "partial", rows=rows, ms=ms, reason=reason, hint=hint, read_ms=read_ms,
                         store_ms=store_ms)
    return RunResult(name, "ok", rows=rows, ms=ms, read_ms=read_ms, store_ms=store_ms)


def _read(collector: Collector[Any], target: Target, at: Any) -> tuple[Any, CollectContext]:
    overrides = {"statement_timeout_ms": collector.statement_timeout_ms} if collector.statement_timeout_ms else {}
    with connect(target, Guard.default(**overrides)) as conn:
        version = conn.info.server_version
        if version != target.server_version_num:
            Target.objects.filter(pk=target.pk).update(server_version_num=version)
            target.server_version_num = version
        ctx = CollectContext(target=target, server_version_num=version, captured_at=at)
        ctx = replace(ctx, prepared=collector.prepare(ctx))
        return collector.read(conn, ctx), ctx


def _store(collector: Collector[Any], snapshot: Any, ctx: CollectContext,
           started: float) -> tuple[int, list[tuple[str, str]]]:
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                rows = collector.store(snapshot, ctx)
                warnings = collector.warnings(snapshot, ctx)
                status_store.record(
                    ctx.target.pk, collector.name, status="partial" if warnings else "ok", success=True,
                    at=ctx.captured_at, ms=(time.monotonic() - started) * 1000, rows=rows,
                    reason="; ".join(w[0] for w in warnings), hint="; ".join(w[1] for w in warnings),
                )
            return rows, warnings
        except (DatabaseError, psycopg.Error) as exc:
            if attempt == 2 or "no partition of relation" not in str(exc):
                raise
            # The maintenance task normally creates partitions days ahead; heal if it did not run.
            partitions.ensure_ahead(ctx.captured_at, days_ahead=1)
    raise AssertionError("unreachable")


def _failed(target: Target, name: str, started: float, at: Any, status: str, reason: str, hint: str,
            *, transient: bool = False) -> RunResult:
    ms = (time.monotonic() - started) * 1000
    try:
        status_store.record(target.pk, name, status=status, success=False, at=at, ms=ms, reason=reason, hint=hint)
    except DatabaseError:
        log.exception("could not record the status of %s on %s", name, target.name)
    return RunResult(name, status, ms=ms, reason=reason, hint=hint, transient=transient)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

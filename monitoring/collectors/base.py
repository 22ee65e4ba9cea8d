"""The base class every collector derives from, and the registry the scheduler reads.

A collector is one concern read from a target (``read``) and written to the history store
(``store``). The two halves never mix: ``read`` calls the concern's reader in ``monitoring.pgstats``
with the guarded connection it is handed, ``store`` hands the snapshot to the concern's writer in
``monitoring.history``. The live pages (activity, locks) call the same readers from a web request,
under the same guards, without going through a collector. ``prepare`` may look at the history store
before the read (e.g. which statement texts are already stored) and hands what it found to ``read``
through ``ctx.prepared``.

The runner (``monitoring.collectors.runner``) drives the hooks: one guarded connection per target per
cycle, ``store`` inside one history-store transaction, and a per-target, per-collector status row
whatever happens.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    import psycopg

    from monitoring.models import Target

SnapshotT = TypeVar("SnapshotT")


@dataclass(frozen=True)
class CollectContext:
    """What a collector knows about the cycle it runs in."""

    target: Target
    server_version_num: int
    captured_at: dt.datetime
    prepared: Any = None

    @property
    def major(self) -> int:
        return self.server_version_num // 10000


class Collector(ABC, Generic[SnapshotT]):
    """Documented hooks:

    * ``name`` — registry key, CLI name, key of ``Target.intervals``.
    * ``default_interval`` — seconds between runs unless the target overrides it (``Target.intervals``).
    * ``queue`` — Celery queue its tasks are routed to, so slow collectors can get their own workers.
    * ``statement_timeout_ms`` — a tighter or looser limit than the default for this collector's reads.
    * ``after`` — collectors whose data this one's store needs (bloat refers to the relations the relations
      collector registers): the dispatcher holds this one back on a target until each of them has succeeded
      once, so a new target's first bloat run is not thrown away for want of its relations.
    * ``transient`` — ``TargetError`` statuses worth a quick retry (with backoff and jitter) before the
      next scheduled run; everything else waits for the next run.
    * ``prepare(ctx)`` — optional history-store lookup before the read; its result is ``ctx.prepared``.
    * ``read(conn, ctx)`` — query the target, return an immutable snapshot. No history access here.
    * ``store(snapshot, ctx)`` — write the snapshot into the history store; called inside the runner's
      transaction, so a worker killed mid-write leaves nothing behind. Returns rows written.
    * ``warnings(snapshot, ctx)`` — what was missing from an otherwise good read (a privilege, an
      extension): the run is recorded as ``partial`` with that reason and hint — the exact fix (the
      GRANT names ``ctx.target``'s role), since the health checks show it as the way to see again.
    """

    name: ClassVar[str]
    default_interval: ClassVar[int]
    queue: ClassVar[str] = "collect"
    statement_timeout_ms: ClassVar[int | None] = None
    after: ClassVar[tuple[str, ...]] = ()
    transient: ClassVar[frozenset[str]] = frozenset({"unreachable", "too_many_connections", "lock_timeout"})

    def prepare(self, ctx: CollectContext) -> Any:
        """Look at the history store before reading the target; the default needs nothing."""
        return None

    def warnings(self, snapshot: SnapshotT, ctx: CollectContext) -> list[tuple[str, str]]:
        """``(reason, hint)`` pairs for data that could not be read; empty when the read was whole."""
        return []

    @abstractmethod
    def read(self, conn: psycopg.Connection[Any], ctx: CollectContext) -> SnapshotT:
        """Read this concern from the target."""

    @abstractmethod
    def store(self, snapshot: SnapshotT, ctx: CollectContext) -> int:
        """Write ``snapshot`` into the history store; return the number of rows written."""


REGISTRY: dict[str, type[Collector[Any]]] = {}

C = TypeVar("C", bound=type[Collector[Any]])


def register(cls: C) -> C:
    if cls.name in REGISTRY:
        raise ValueError(f"two collectors named {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls

"""What a rule sees: the target, the window, the history store, the catalog, the machine facts."""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import cached_property
from typing import Any

from advisor.models import MachineFacts
from advisor.rules.catalog import Catalog
from advisor.rules.findings import Finding
from advisor.rules.history import History
from advisor.rules.options import AdvisorOptions
from dbconsole.thresholds import Thresholds, thresholds_for
from monitoring.models import Target
from monitoring.targets.connect import Guard, TargetError, connect

# The engine sends many short EXPLAINs; catalog queries are small. The default limits fit both, but
# a little more time per statement keeps a busy target from failing a whole run.
STATEMENT_TIMEOUT_MS = 15_000


class RuleContext:
    """Shared by every rule of one run. The target connection is opened on first use only (most rules
    read the history store alone) and closed by ``close()``; a failed connect is remembered so every
    rule that needs it is skipped with the same reason instead of trying again."""

    def __init__(self, target: Target, options: AdvisorOptions, now: dt.datetime) -> None:
        self.target = target
        self.options = options
        self.now = now
        self.window_start = now - options.window
        self.history = History(target, self.window_start, now)
        # Severity thresholds, with the target's overrides: the same the health checks grade with.
        self.thresholds: Thresholds = thresholds_for(target)
        self.findings: list[Finding] = []
        self.notes: dict[str, Any] = {}
        self._stack = contextlib.ExitStack()
        self._conn: Any = None
        self._conn_error: TargetError | None = None

    def connection(self) -> Any:
        """The run's guarded, read-only connection to the target; raises ``TargetError``."""
        if self._conn_error is not None:
            raise self._conn_error
        if self._conn is None:
            try:
                self._conn = self._stack.enter_context(
                    connect(self.target, Guard.default(statement_timeout_ms=STATEMENT_TIMEOUT_MS)))
            except TargetError as exc:
                self._conn_error = exc
                raise
        return self._conn

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.connection())

    @cached_property
    def machine(self) -> MachineFacts | None:
        return MachineFacts.objects.filter(target=self.target).first()

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> RuleContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

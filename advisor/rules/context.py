"""What a rule sees: the target, the window, the history store, the catalog, the machine facts."""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import cached_property
from typing import Any

from django.conf import settings

from advisor.models import MachineFacts, Recommendation, Status
from advisor.rules.catalog import Catalog
from advisor.rules.findings import BlindSpot, Finding
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
        # What the rule being evaluated could not see (``blind``); the runner reads and resets it.
        self.blind_spots: list[BlindSpot] = []
        # Rules of this run that evaluated successfully so far (the conditions of the later ones).
        self.ran: set[str] = set()
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

    def blind(self, code: str, message: str, hint: str = "", objects: tuple[str, ...] = ()) -> None:
        """Record part of the evidence the current rule could not see; the run reports it as an
        "unknown" finding naming ``hint`` (the grant or setting that fixes it), never as nothing."""
        self.blind_spots.append(BlindSpot(code=code, message=message, hint=hint, objects=objects))

    @property
    def min_observation(self) -> dt.timedelta:
        """How long index statistics must cover an index before it may be called unused: the run's
        option, else the target's machine facts, else ``ADVISOR_MIN_OBSERVATION_DAYS``."""
        return dt.timedelta(days=self.min_observation_days(self.options))

    def min_observation_days(self, options: AdvisorOptions) -> int:
        if options.min_observation_days is not None:
            return options.min_observation_days
        machine = self.machine
        if machine is not None and machine.min_observation_days:
            return int(machine.min_observation_days)
        return int(getattr(settings, "ADVISOR_MIN_OBSERVATION_DAYS", 14))

    @cached_property
    def standard_options(self) -> AdvisorOptions:
        """The options of a scheduled run: what comparability is measured against."""
        return AdvisorOptions()

    @cached_property
    def previous(self) -> dict[tuple[str, str], Recommendation]:
        """The target's recommendations not resolved, by ``(kind, object_key)``: what earlier runs
        decided (a rule keeps an earlier choice rather than flip while its evidence is unchanged)."""
        return {(r.kind, r.object_key): r
                for r in Recommendation.objects.filter(target=self.target).exclude(status=Status.RESOLVED)}

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

"""The input of the index advisor: statements as pg_stat_statements stores them, with their counters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkloadStatement:
    """One statement of the workload over a window (e.g. the last 7 days of the history store).

    ``query`` is the normalized text exactly as pg_stat_statements keeps it (constants replaced by
    ``$n``). ``calls`` and ``total_exec_time_ms`` are the *deltas* over the window, not the cumulative
    counters, so a statement that ran a million times last month and never since weighs nothing.
    ``rows`` (rows returned or changed over the window) tells how many rows an UPDATE changed; None
    when unknown. ``origin`` says where a statement the advisor made up comes from (the check a
    foreign key runs for each parent row deleted), None for pg_stat_statements entries.
    """

    queryid: int
    query: str
    calls: int = 1
    total_exec_time_ms: float = 0.0
    dbname: str | None = None
    rows: int | None = None
    origin: str | None = None

    @property
    def mean_exec_time_ms(self) -> float:
        return self.total_exec_time_ms / self.calls if self.calls else 0.0


@dataclass(frozen=True)
class SkippedStatement:
    """A statement the advisor left out, and why (shown to the user: nothing is dropped silently)."""

    queryid: int
    query: str
    reason: str

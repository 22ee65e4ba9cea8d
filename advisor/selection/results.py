"""What the index advisor returns: the chosen indexes with their evidence, and how the run went."""

from __future__ import annotations

from dataclasses import dataclass, field

from pgsql.workload.statements import SkippedStatement


@dataclass(frozen=True)
class StatementEffect:
    """One statement an index helps: its planner cost per call before and after the whole advice
    (None for both when unverified: no cost is ever made up)."""

    queryid: int
    query: str
    calls: int
    weight: float
    cost_before: float | None
    cost_after: float | None

    @property
    def reduction_pct(self) -> float | None:
        if self.cost_before is None or self.cost_after is None or not self.cost_before:
            return None
        return 100.0 * (1.0 - self.cost_after / self.cost_before)


@dataclass(frozen=True)
class IndexChoice:
    """A recommended index.

    ``create_sql`` is a plain ``CREATE INDEX`` with a suggested name (migration drafts add
    CONCURRENTLY, IF NOT EXISTS and the rollback). ``benefit`` is the weighted cost the workload would
    lose without this index given the others (None when unverified); ``write_overhead`` is in the same
    unit. ``size_bytes`` comes from ``hypopg_relation_size`` when verified, from a rough estimate on
    pg_stats otherwise (``size_estimated``).
    """

    table: str
    columns: tuple[str, ...]
    include: tuple[str, ...]
    where: str | None
    expression: str | None
    name: str
    create_sql: str
    size_bytes: int
    size_estimated: bool
    write_overhead: float
    benefit: float | None
    helps: tuple[StatementEffect, ...]
    why: str
    verified: bool


@dataclass
class IndexAdvice:
    """The result of :func:`advisor.selection.recommend_indexes`.

    ``verified`` is False when HypoPG was not usable: then ``choices`` come from access patterns alone,
    ``baseline_cost``/``final_cost`` are None and ``reason`` says why. Costs are weighted sums of
    planner costs over the workload (see ``weighting``).
    """

    verified: bool
    reason: str
    weighting: str
    budget_bytes: int
    used_bytes: int
    baseline_cost: float | None
    final_cost: float | None
    hypopg_calls: int
    explain_calls: int
    runtime_s: float
    server_major: int
    timed_out: bool = False
    choices: list[IndexChoice] = field(default_factory=list)
    skipped: list[SkippedStatement] = field(default_factory=list)

    @property
    def relative_cost_pct(self) -> float | None:
        if self.baseline_cost is None or self.final_cost is None or not self.baseline_cost:
            return None
        return 100.0 * self.final_cost / self.baseline_cost

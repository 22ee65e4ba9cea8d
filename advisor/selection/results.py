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
    origin: str | None = None  # for a statement the advisor wrote down itself (a foreign key's lookup)

    @property
    def reduction_pct(self) -> float | None:
        if self.cost_before is None or self.cost_after is None or not self.cost_before:
            return None
        return 100.0 * (1.0 - self.cost_after / self.cost_before)


@dataclass(frozen=True)
class IndexChoice:
    """A recommended index.

    ``create_sql`` is a plain ``CREATE INDEX`` with a suggested name (migration drafts add
    CONCURRENTLY, IF NOT EXISTS and the rollback). ``benefit`` is the weighted read cost the workload
    would lose without this index given the others (None when unverified); ``write_overhead`` (index
    entries, dead entries, lost HOT updates) and ``storage_cost`` are in the same unit, so
    ``net_benefit`` = benefit - write_overhead - storage_cost. ``size_bytes`` is our btree estimate
    from pg_stats (``size_source`` says how it was reached; ``hypopg_size_bytes`` is HypoPG's figure,
    which ignores deduplication); ``size_estimated`` marks a rough size when unverified.
    ``entries_per_hour`` and ``hot_lost_per_hour`` are None without a window length; ``hot_lost`` is
    None when the table has HOT updates but no UPDATE statement says which columns they change.
    ``estimates`` lists how the costs were reached where the planner alone could not say (an
    expression's selectivity, a typical LIKE prefix).
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
    storage_cost: float = 0.0
    size_source: str = ""
    hypopg_size_bytes: int | None = None
    entries: float = 0.0
    entries_per_hour: float | None = None
    hot_lost: float | None = 0.0
    hot_lost_per_hour: float | None = None
    estimates: tuple[str, ...] = ()
    opclasses: tuple[tuple[str, str], ...] = ()

    @property
    def net_benefit(self) -> float | None:
        if self.benefit is None:
            return None
        return self.benefit - self.write_overhead - self.storage_cost


@dataclass
class IndexAdvice:
    """The result of :func:`advisor.selection.recommend_indexes`.

    ``verified`` is False when HypoPG was not usable: then ``choices`` come from access patterns alone,
    ``baseline_cost``/``final_cost`` are None and ``reason`` says why. Costs are weighted sums of
    planner costs over the workload (see ``weighting``). ``profile`` and ``rates`` are the exchange
    rates the net benefit used; ``budget_bytes`` and ``max_per_table`` the optional caps (None: none),
    checked against ``size_measure`` ("estimate": our btree estimate; "hypopg"). ``timed_out`` says
    the time limit cut the search short, ``stopped_in`` in which phase.
    """

    verified: bool
    reason: str
    weighting: str
    budget_bytes: int | None
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
    profile: str = "balanced"
    rates: dict[str, float] = field(default_factory=dict)
    window_s: float | None = None
    max_per_table: int | None = None
    size_measure: str = "estimate"
    stopped_in: str = ""
    time_limit_s: float | None = None
    statements_planned: int = 0
    candidates: int = 0

    @property
    def relative_cost_pct(self) -> float | None:
        if self.baseline_cost is None or self.final_cost is None or not self.baseline_cost:
            return None
        return 100.0 * self.final_cost / self.baseline_cost

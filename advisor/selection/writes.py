"""What an index costs the writes of its table over the workload window, in planner cost units.

Every row inserted, and every update that is not HOT, adds an entry to every index of the table; the
new entry dirties a leaf page that will be written and WAL-logged. When the leading key follows the
physical order (correlation near ±1: serials, timestamps) consecutive entries land on the same
rightmost leaf and the page cost is shared by ~all of them; with random keys each entry dirties its
own page. Every entry that dies (deletes, non-HOT updates) costs VACUUM a visit later.

A HOT update (heap-only tuple) writes no index entry at all, and is only possible while no indexed
column changes. An index on a column that the workload's UPDATE statements set turns their HOT
updates into ordinary ones: each then writes an entry into *every* index of the table and puts the
new row version on another heap page. The UPDATE statements' texts say which columns they set, and
pg_stat_statements how many rows they changed; the table's statistics say which share of its updates
were HOT. Where no UPDATE statement of a table was seen the effect is unknown and said so.

The rates (cost units per entry, per lost HOT update) live in :mod:`advisor.selection.costs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from advisor.whatif.indexes import IndexSpec


@dataclass(frozen=True)
class TableWrites:
    """Rows written to one table over the same window as the statements' calls.

    Take them as deltas of ``pg_stat_user_tables`` (``n_tup_ins``, ``n_tup_upd``, ``n_tup_del``,
    ``n_tup_hot_upd``; ``vacuums`` = ``vacuum_count + autovacuum_count``) between the window's first
    and last sample.
    """

    n_tup_ins: float = 0.0
    n_tup_upd: float = 0.0
    n_tup_del: float = 0.0
    n_tup_hot_upd: float = 0.0
    vacuums: float = 0.0

    @property
    def index_entries(self) -> float:
        """Entries every index of the table receives: inserts and non-HOT updates."""
        return self.n_tup_ins + max(0.0, self.n_tup_upd - self.n_tup_hot_upd)

    @property
    def hot_share(self) -> float:
        return min(1.0, self.n_tup_hot_upd / self.n_tup_upd) if self.n_tup_upd > 0 else 0.0


@dataclass(frozen=True)
class UpdateShape:
    """One UPDATE statement of the workload: the table, the columns it sets, the rows it changed."""

    table_oid: int
    columns: frozenset[str]
    rows: float


class WriteModel:
    """Index entries, lost HOT updates and dead entries of candidate indexes; tables missing from
    ``write_load`` are taken as read-only over the window."""

    def __init__(self, write_load: Mapping[str | int, TableWrites] | None,
                 updates: Iterable[UpdateShape] = ()) -> None:
        self._load = dict(write_load or {})
        self._updates: dict[int, list[UpdateShape]] = {}
        for shape in updates:
            self._updates.setdefault(shape.table_oid, []).append(shape)

    def writes_for(self, spec: IndexSpec) -> TableWrites | None:
        table = spec.table
        for key in (table.oid, f"{table.schema}.{table.name}", table.qualified, table.name):
            if key in self._load:
                return self._load[key]
        return None

    def leading_correlation(self, spec: IndexSpec) -> float:
        lead = spec.columns[0] if spec.columns and not spec.expression else None
        column = spec.table.columns.get(lead) if lead else None
        return abs(column.correlation) if column is not None and column.correlation is not None else 0.0

    def entries(self, spec: IndexSpec) -> float:
        """Entries the index would receive over the window (inserts, non-HOT updates, and the updates
        it would make non-HOT)."""
        writes = self.writes_for(spec)
        if writes is None:
            return 0.0
        return writes.index_entries + (self.hot_lost(spec) or 0.0)

    def dead_entries(self, spec: IndexSpec) -> float:
        writes = self.writes_for(spec)
        if writes is None:
            return 0.0
        return writes.n_tup_del + max(0.0, writes.n_tup_upd - writes.n_tup_hot_upd) + (self.hot_lost(spec) or 0.0)

    def hot_lost(self, spec: IndexSpec) -> float | None:
        """HOT updates over the window the index would make ordinary; None when the table has HOT
        updates but no UPDATE statement of the workload says which columns they change."""
        writes = self.writes_for(spec)
        if writes is None or writes.n_tup_hot_upd <= 0:
            return 0.0
        shapes = self._updates.get(spec.table.oid)
        if not shapes:
            return None
        touched = sum(s.rows for s in shapes if s.columns & spec.mentions)
        seen = sum(s.rows for s in shapes)
        if seen <= 0:
            return 0.0
        # The statements' rows say which share of the table's updates set an indexed column; the
        # table's counters say how many of its updates were HOT.
        return writes.n_tup_hot_upd * touched / seen

    def other_indexes(self, spec: IndexSpec) -> int:
        """Valid indexes the table already has (a lost HOT update writes into each of them too)."""
        return sum(1 for i in spec.table.indexes if i.is_valid)

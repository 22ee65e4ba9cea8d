"""What an index costs the writes of its table, in the planner's cost units over the workload window.

Every row inserted, and every update that is not HOT, adds an entry to every index of the table; the
new entry dirties a leaf page that will be written and WAL-logged. When the leading key follows the
physical order (correlation near ±1: serials, timestamps) consecutive entries land on the same
rightmost leaf and the page cost is shared by ~all of them; with random keys each entry dirties its
own page. Deleted rows cost their index entries a visit by VACUUM later.

So per index, with ``c`` the leading column's correlation (pg_stats):

    per_entry = DESCENT + PAGE_WRITE * (1 - |c|)
    overhead  = (inserts + non-HOT updates) * per_entry + deletes * VACUUM_VISIT

in planner cost units (``seq_page_cost`` = 1), comparable with the statements' weighted costs when the
weights are calls. A new index can also turn HOT updates of its columns into non-HOT ones; the
statistics do not say which columns updates change, so that effect is not charged (said in the
docs of :class:`TableWrites`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from advisor.whatif.indexes import IndexSpec

DESCENT = 0.05  # ~20 key comparisons down a cached tree, at cpu_operator_cost (0.0025) each
PAGE_WRITE = 1.0  # one dirtied leaf page written back later, as one sequential page
VACUUM_VISIT = 0.1  # removing a dead entry during VACUUM's index pass, amortised


@dataclass(frozen=True)
class TableWrites:
    """Rows written to one table over the same window as the statements' calls.

    Take them as deltas of ``pg_stat_user_tables`` (``n_tup_ins``, ``n_tup_upd``, ``n_tup_del``,
    ``n_tup_hot_upd``) between the window's first and last sample. HOT updates are assumed to stay HOT,
    which is optimistic for an index on a column the updates change.
    """

    n_tup_ins: float = 0.0
    n_tup_upd: float = 0.0
    n_tup_del: float = 0.0
    n_tup_hot_upd: float = 0.0

    @property
    def index_entries(self) -> float:
        return self.n_tup_ins + max(0.0, self.n_tup_upd - self.n_tup_hot_upd)


class WriteModel:
    """Write overhead of candidate indexes; tables missing from ``write_load`` are read-only."""

    def __init__(self, write_load: Mapping[str | int, TableWrites] | None, cost_per_unit: float = 1.0) -> None:
        self._load = dict(write_load or {})
        # In "time" weighting the statements' weights turn cost units into milliseconds: the write
        # overhead goes through the same conversion so both sides of the trade-off use one unit.
        self.cost_per_unit = cost_per_unit

    def writes_for(self, spec: IndexSpec) -> TableWrites | None:
        table = spec.table
        for key in (table.oid, f"{table.schema}.{table.name}", table.qualified, table.name):
            if key in self._load:
                return self._load[key]
        return None

    def overhead(self, spec: IndexSpec) -> float:
        writes = self.writes_for(spec)
        if writes is None:
            return 0.0
        lead = spec.columns[0] if spec.columns else None
        column = spec.table.columns.get(lead) if lead else None
        correlation = abs(column.correlation) if column is not None and column.correlation is not None else 0.0
        per_entry = DESCENT + PAGE_WRITE * (1.0 - correlation)
        return (writes.index_entries * per_entry + writes.n_tup_del * VACUUM_VISIT) * self.cost_per_unit

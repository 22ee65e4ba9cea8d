"""The exchange rates of the net-benefit objective, and the profiles that scale them.

The engine chooses the set of indexes that maximises

    Σ read cost saved  -  Σ write cost  -  Σ storage cost

over the workload window, all in the planner's cost units (``seq_page_cost`` = 1: reading one 8 kB
page in sequence) — the unit the statements' savings are measured in, weighted by their calls. A
storage budget and a maximum number of new indexes per table are optional caps on top, never the
objective. The rates, with the balanced profile:

* **an index entry written** (insert, non-HOT update): ``ENTRY_DESCENT`` + ``ENTRY_PAGE`` x (1 - |c|)
  = 0.05 + 2.0 x (1 - |c|), ``c`` the leading key's correlation with the heap order: finding the
  leaf (~20 comparisons at ``cpu_operator_cost``) and, for a random key, a dirtied leaf page that is
  written back (one page of I/O) and WAL-logged, with a full-page image after every checkpoint
  (about another page); an ever-increasing key (serial, timestamp) shares the rightmost leaf, so
  almost only the descent is paid;
* **a dead entry removed by VACUUM** (delete, non-HOT update): ``VACUUM_ENTRY`` = 0.1;
* **a HOT update lost** (the index covers a column the workload's UPDATEs set): the update now
  writes an entry into the new index *and every existing index* of the table, at the entry rate
  each, plus ``HOT_HEAP_PAGE`` = 1.0 for the row version that moves to another heap page;
* **storage**: ``STORAGE_PAGE_HOUR`` = 0.25 per 8 kB page kept per hour of the window — an index
  costs as much as reading all of it once every four hours — plus one page read per page for every
  VACUUM of a table that had dead rows in the window (VACUUM scans each index in full). Without a
  window length (a one-off workload such as a benchmark run) only the VACUUM part is charged.

Profiles multiply the write and storage rates: ``write-optimised`` x 4, ``balanced`` x 1 (default),
``read-optimised`` x 0.25 — as pganalyze's index advisor offers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from advisor.selection.writes import WriteModel
from advisor.whatif.indexes import IndexSpec

ENTRY_DESCENT = 0.05
ENTRY_PAGE = 2.0
VACUUM_ENTRY = 0.1
HOT_HEAP_PAGE = 1.0
STORAGE_PAGE_HOUR = 0.25
VACUUM_PAGE = 1.0
PAGE = 8192

PROFILES = {"write-optimised": 4.0, "balanced": 1.0, "read-optimised": 0.25}
DEFAULT_PROFILE = "balanced"
_ALIASES = {"write-optimized": "write-optimised", "read-optimized": "read-optimised"}


def profile_name(name: str | None) -> str:
    """The canonical profile name (US spellings accepted); ValueError for an unknown one."""
    key = _ALIASES.get((name or DEFAULT_PROFILE).strip().lower(), (name or DEFAULT_PROFILE).strip().lower())
    if key not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {name!r}")
    return key


@dataclass(frozen=True)
class ExchangeRates:
    """Cost units charged per unit of write and storage work (see the module docstring)."""

    entry_descent: float = ENTRY_DESCENT
    entry_page: float = ENTRY_PAGE
    vacuum_entry: float = VACUUM_ENTRY
    hot_heap_page: float = HOT_HEAP_PAGE
    storage_page_hour: float = STORAGE_PAGE_HOUR
    vacuum_page: float = VACUUM_PAGE

    @classmethod
    def for_profile(cls, name: str | None = None) -> ExchangeRates:
        factor = PROFILES[profile_name(name)]
        return cls(entry_descent=ENTRY_DESCENT * factor, entry_page=ENTRY_PAGE * factor,
                   vacuum_entry=VACUUM_ENTRY * factor, hot_heap_page=HOT_HEAP_PAGE * factor,
                   storage_page_hour=STORAGE_PAGE_HOUR * factor, vacuum_page=VACUUM_PAGE * factor)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Upkeep:
    """What one index costs over the window, by part, in cost units (before any time conversion)."""

    writes: float
    hot: float
    storage: float
    entries: float
    hot_lost: float | None

    @property
    def total(self) -> float:
        return self.writes + self.hot + self.storage


class Maintenance:
    """The write and storage side of the objective for candidate indexes.

    ``size`` gives an index's estimated size in bytes (the one selection uses); ``window_hours`` the
    length of the workload window (None: unknown, storage then costs only its VACUUM scans);
    ``cost_per_unit`` converts cost units to the statements' weight unit (1 with calls weighting).
    """

    def __init__(self, writes: WriteModel, rates: ExchangeRates, size: Callable[[IndexSpec], int | None], *,
                 window_hours: float | None, cost_per_unit: float = 1.0) -> None:
        self.writes = writes
        self.rates = rates
        self.size = size
        self.window_hours = window_hours
        self.cost_per_unit = cost_per_unit
        self._cache: dict[IndexSpec, Upkeep] = {}

    def upkeep(self, spec: IndexSpec) -> Upkeep:
        found = self._cache.get(spec)
        if found is None:
            found = self._cache[spec] = self._upkeep(spec)
        return found

    def _upkeep(self, spec: IndexSpec) -> Upkeep:
        rates = self.rates
        load = self.writes.writes_for(spec)
        per_entry = rates.entry_descent + rates.entry_page * (1.0 - self.writes.leading_correlation(spec))
        entries = load.index_entries if load is not None else 0.0
        lost = self.writes.hot_lost(spec)
        writes = entries * per_entry + self.writes.dead_entries(spec) * rates.vacuum_entry
        # A lost HOT update also writes into every index the table already has (at a random page:
        # their keys are unrelated to this one's order) and moves the row to another heap page.
        others = self.writes.other_indexes(spec)
        hot = (lost or 0.0) * (per_entry + others * (rates.entry_descent + rates.entry_page) + rates.hot_heap_page)
        pages = (self.size(spec) or 0) / PAGE
        storage = pages * rates.storage_page_hour * (self.window_hours or 0.0)
        if load is not None and (load.n_tup_del > 0 or load.n_tup_upd > 0):
            storage += pages * load.vacuums * rates.vacuum_page
        return Upkeep(writes=writes, hot=hot, storage=storage, entries=entries + (lost or 0.0), hot_lost=lost)

    def cost(self, spec: IndexSpec | None) -> float:
        """The index's whole upkeep in the statements' weight unit (0 for None)."""
        if spec is None:
            return 0.0
        return self.upkeep(spec).total * self.cost_per_unit

    def per_hour(self, value: float) -> float | None:
        return value / self.window_hours if self.window_hours else None

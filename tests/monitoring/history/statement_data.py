"""Synthetic pg_stat_statements reads fed to the real statements store, for rollup and selector tests.

The counters are invented (no target is involved), everything else is the real history store: what a
test checks is computed here independently, from the same invented deltas.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction

from monitoring.history import partitions
from monitoring.history import statements as store
from monitoring.models import Target
from monitoring.pgstats import statements as pgss
from monitoring.pgstats.statements import COUNTERS

START = dt.datetime(2026, 3, 1, 22, 10, tzinfo=dt.UTC)


def make_target(name: str) -> Target:
    target = Target(name=name, host="127.0.0.1", port=1, dbname="nowhere", username="nobody", sslmode="disable")
    target.save()
    return target


@dataclass
class Workload:
    """``statements`` statements whose counters grow at random; ``deltas`` records what each
    collection should store: (captured_at, queryid) → {counter: delta}."""

    statements: int = 4
    seed: int = 7
    cumulative: dict[int, dict[str, int]] = field(default_factory=dict)
    deltas: dict[tuple[dt.datetime, int], dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def step(self) -> None:
        """Some statements run, some do not."""
        for qid in range(1, self.statements + 1):
            counters = self.cumulative.setdefault(qid, dict.fromkeys(COUNTERS, 0))
            if self.random.random() < 0.3:
                continue
            calls = self.random.randint(1, 50)
            counters["calls"] += calls
            counters["exec_us"] += calls * self.random.randint(100, 5000)
            counters["rows"] += calls * self.random.randint(0, 3)
            counters["shared_blks_hit"] += calls * 4
            counters["shared_blks_read"] += self.random.randint(0, 3)

    def read(self) -> pgss.Read:
        rows = tuple((10, 20, qid, True, *(c[k] for k in COUNTERS), 0) for qid, c in sorted(self.cumulative.items()))
        keys = tuple((10, 20, qid, True) for qid in sorted(self.cumulative))
        texts = {k: pgss.Text(query=f"SELECT {k[2]} FROM demo_{k[2]}", usename="app", datname="shop") for k in keys}
        return pgss.Read(info=pgss.Info(started_at=START, stats_reset=None, dealloc=0), rows=rows, keys=keys,
                          texts=texts)


def collect_series(target: Target, workload: Workload, times: list[dt.datetime], *,
                   rollup_each: bool = False) -> None:
    """Store one collection per time (the first is the baseline), recording the expected deltas."""
    from monitoring.history.rollups_statements import rollup_target

    partitions.ensure_range("monitoring_stmt_raw", times[0], times[-1])
    partitions.ensure_range("monitoring_stmt_hour", times[0], times[-1])
    partitions.ensure_range("monitoring_stmt_day", times[0], times[-1])
    previous: dict[int, dict[str, int]] = {}
    for i, at in enumerate(times):
        if i:
            workload.step()
        with transaction.atomic():
            store.store(target.pk, workload.read(), at)
        if i:
            for qid, counters in workload.cumulative.items():
                before = previous.get(qid, dict.fromkeys(COUNTERS, 0))
                delta = {k: counters[k] - before[k] for k in COUNTERS}
                if any(delta.values()):
                    workload.deltas[(at, qid)] = delta
        previous = {qid: dict(c) for qid, c in workload.cumulative.items()}
        if rollup_each:
            rollup_target(target.pk)


def expected(workload: Workload, start: dt.datetime, end: dt.datetime) -> dict[int, dict[str, int]]:
    """Sum of the deltas captured in [start, end)."""
    out: dict[int, dict[str, int]] = {}
    for (at, qid), delta in workload.deltas.items():
        if start <= at < end:
            acc = out.setdefault(qid, dict.fromkeys(COUNTERS, 0))
            for k, v in delta.items():
                acc[k] += v
    return out

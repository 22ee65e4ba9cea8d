"""Vacuum and analyze recency per table, from the relations history.

* ``table_maintenance(target_id, start, end)`` → ``MaintenanceHistory``: per live table of the newest
  relations sample at or before ``end`` — last (auto)vacuum and (auto)analyze times, how many of each
  ran within [start, end] (differences of the cumulative counts between that sample and the newest one
  at or before ``start``, or the oldest one after it when the history begins later; reset-aware),
  live/dead tuples and rows modified since the last analyze (estimates), size (bytes), xid/mxid age
  of ``relfrozenxid``/``relminmxid`` (transactions) and the freeze settings they are measured against.
  Four queries whatever the number of tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

from monitoring.history import SQL
from monitoring.history.selectors._series import delta
from monitoring.history.selectors.health import FREEZE_SETTINGS
from monitoring.models import Relation, SettingValue

COUNTS = ("vacuum_count", "autovacuum_count", "analyze_count", "autoanalyze_count")


@dataclass(frozen=True)
class TableMaintenance:
    relation: str                    # schema.table
    seq: int
    total_bytes: int
    n_live_tup: int
    n_dead_tup: int
    n_mod_since_analyze: int
    last_vacuum: dt.datetime | None
    last_autovacuum: dt.datetime | None
    last_analyze: dt.datetime | None
    last_autoanalyze: dt.datetime | None
    counts: dict[str, int]           # cumulative, as read (COUNTS)
    in_range: dict[str, int] | None  # ran within the range (COUNTS); None with a single sample
    xid_age: int
    mxid_age: int
    freeze_max_age: int
    multixact_freeze_max_age: int

    @property
    def dead_ratio(self) -> float:
        total = self.n_live_tup + self.n_dead_tup
        return self.n_dead_tup / total if total else 0.0

    @property
    def last_vacuumed(self) -> dt.datetime | None:
        return max((t for t in (self.last_vacuum, self.last_autovacuum) if t), default=None)

    @property
    def last_analyzed(self) -> dt.datetime | None:
        return max((t for t in (self.last_analyze, self.last_autoanalyze) if t), default=None)

    @property
    def vacuums_in_range(self) -> int | None:
        return None if self.in_range is None else self.in_range["vacuum_count"] + self.in_range["autovacuum_count"]

    @property
    def analyzes_in_range(self) -> int | None:
        return None if self.in_range is None else self.in_range["analyze_count"] + self.in_range["autoanalyze_count"]

    @property
    def xid_ratio(self) -> float:
        return self.xid_age / self.freeze_max_age if self.freeze_max_age else 0.0

    @property
    def mxid_ratio(self) -> float:
        return self.mxid_age / self.multixact_freeze_max_age if self.multixact_freeze_max_age else 0.0


@dataclass(frozen=True)
class MaintenanceHistory:
    tables: list[TableMaintenance]
    captured_at: dt.datetime | None          # the newest sample used (None: no relations history)
    since: dt.datetime | None                # the sample the in-range counts start from
    freeze_max_age: int
    multixact_freeze_max_age: int


def _sample(cur: Any, target_id: int, at: dt.datetime, until: dt.datetime,
            fallback: bool) -> tuple[dt.datetime | None, dict[int, dict[str, Any]]]:
    cur.execute(SQL.load("maintenance/tables"), {"t": target_id, "at": at, "until": until, "fallback": fallback})
    names = [c.name for c in cur.description]
    out, captured = {}, None
    for row in cur.fetchall():
        values = dict(zip(names, row, strict=True))
        captured = values.pop("captured_at")
        out[values["seq"]] = values
    return captured, out


def table_maintenance(target_id: int, start: dt.datetime, end: dt.datetime) -> MaintenanceHistory:
    with connection.cursor() as cur:
        at, latest = _sample(cur, target_id, end, end, fallback=False)
        since, base = _sample(cur, target_id, start, end, fallback=True)
    settings = dict(SettingValue.objects.filter(target_id=target_id, name__in=list(FREEZE_SETTINGS))
                    .values_list("name", "setting"))
    freeze = {name: int(settings[name]) if settings.get(name, "").isdigit() else default
              for name, default in FREEZE_SETTINGS.items()}
    names = {seq: f"{schema}.{name}" for seq, schema, name in
             Relation.objects.filter(target_id=target_id, seq__in=list(latest)).values_list("seq", "schema", "name")}
    tables = []
    for seq, v in latest.items():
        if seq not in names:
            continue
        if since is None or at is None or since >= at:
            in_range = None   # one sample only: nothing to compare with
        else:
            # A table missing from the older sample was created since: all it counted is in the range.
            before = base.get(seq)
            in_range = {c: int(delta(v[c], before[c] if before else 0)) for c in COUNTS}
        tables.append(TableMaintenance(
            relation=names[seq], seq=seq,
            total_bytes=int((v["heap_bytes"] or 0) + (v["toast_bytes"] or 0) + (v["index_bytes"] or 0)),
            n_live_tup=int(v["n_live_tup"] or 0), n_dead_tup=int(v["n_dead_tup"] or 0),
            n_mod_since_analyze=int(v["n_mod_since_analyze"] or 0),
            last_vacuum=v["last_vacuum"], last_autovacuum=v["last_autovacuum"],
            last_analyze=v["last_analyze"], last_autoanalyze=v["last_autoanalyze"],
            counts={c: int(v[c] or 0) for c in COUNTS},
            in_range=in_range,
            xid_age=int(v["xid_age"] or 0), mxid_age=int(v["mxid_age"] or 0),
            freeze_max_age=freeze["autovacuum_freeze_max_age"],
            multixact_freeze_max_age=freeze["autovacuum_multixact_freeze_max_age"],
        ))
    tables.sort(key=lambda t: (-(t.dead_ratio), t.relation))
    return MaintenanceHistory(tables=tables, captured_at=at, since=since,
                              freeze_max_age=freeze["autovacuum_freeze_max_age"],
                              multixact_freeze_max_age=freeze["autovacuum_multixact_freeze_max_age"])

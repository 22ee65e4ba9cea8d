"""Tables and indexes: latest statistics, growth, bloat, maintenance — and their history.

* ``tables(target_id)`` → ``list[TableRow]``: every live table with sizes (heap, TOAST, indexes,
  bytes), row estimates, live/dead tuples, scans and writes (cumulative since the server's stats
  reset), vacuum/analyze times and counts, xid/mxid age (transactions), growth over 7 and 30 days
  (bytes; from the oldest sample if history is shorter — ``growth_since`` says from when), estimated
  and exact bloat (bytes, from the latest bloat run).
* ``indexes(target_id)`` → ``list[IndexRow]``: every live index with its ``Relation`` (definition,
  flags), size, scans, tuples read/fetched, last scan (PG 16+), bloat, and ``stats_since`` (oldest
  sample we hold: "unused" means no scans since then).
* ``relation_series(target_id, seq, start, end)`` → ``list[RelationPoint]``: one table's (or index's)
  size and counters per sample (5 minutes up to 6 hours, hourly up to 14 days, daily beyond); scans and
  writes as per-bucket differences.

Five queries for the lists whatever the number of relations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

from dbconsole.timerange import CHART, resolution
from monitoring.history.relations import INDEX_INTS, TABLE_INTS, TABLE_TIMES
from monitoring.history.selectors._series import delta
from monitoring.models import Relation


@dataclass(frozen=True)
class TableRow:
    relation: Relation
    captured_at: dt.datetime
    values: dict[str, Any]                 # TABLE_INTS and TABLE_TIMES as read
    growth_7d_bytes: int | None
    growth_30d_bytes: int | None
    growth_since: dt.datetime | None
    est_bloat_bytes: int | None
    exact_bloat_bytes: int | None
    bloat_measured_at: dt.datetime | None

    @property
    def total_bytes(self) -> int:
        return int(self.values["heap_bytes"] + self.values["toast_bytes"] + self.values["index_bytes"])

    @property
    def dead_ratio(self) -> float:
        live, dead = self.values["n_live_tup"], self.values["n_dead_tup"]
        return dead / (live + dead) if live + dead else 0.0

    @property
    def last_vacuumed(self) -> dt.datetime | None:
        times = [t for t in (self.values["last_vacuum"], self.values["last_autovacuum"]) if t]
        return max(times) if times else None

    @property
    def last_analyzed(self) -> dt.datetime | None:
        times = [t for t in (self.values["last_analyze"], self.values["last_autoanalyze"]) if t]
        return max(times) if times else None


@dataclass(frozen=True)
class IndexRow:
    relation: Relation
    table: Relation | None
    bytes: int
    scans: int
    tup_read: int
    tup_fetch: int
    last_scan: dt.datetime | None
    stats_since: dt.datetime | None
    est_bloat_bytes: int | None
    exact_bloat_bytes: int | None


def _unnest(prefix: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"unnest(r.{prefix}{n}) AS {n}" for n in names)


def _latest_arrays(cur: Any, table: str, target_id: int, prefix: str, names: tuple[str, ...],
                   before: dt.datetime | None = None) -> tuple[dt.datetime | None, dict[int, dict[str, Any]]]:
    cur.execute(
        f"SELECT r.captured_at, unnest(r.{prefix}seqs) AS seq, {_unnest(prefix, names)} FROM {table} AS r "
        f"WHERE r.captured_at = (SELECT max(x.captured_at) FROM {table} AS x WHERE x.target_id = %(t)s "
        f"AND (%(before)s::timestamptz IS NULL OR x.captured_at <= %(before)s)) AND r.target_id = %(t)s",
        {"t": target_id, "before": before},
    )
    out, at = {}, None
    for row in cur.fetchall():
        at = row[0]
        out[row[1]] = dict(zip(names, row[2:], strict=True))
    return at, out


def _bloat(cur: Any, target_id: int) -> tuple[dt.datetime | None, dict[int, tuple[int | None, int | None]]]:
    cur.execute(
        "SELECT b.captured_at, b.seqs, b.est_bloat_bytes, b.exact_seqs, b.exact_bloat_bytes FROM monitoring_bloat_raw "
        "AS b WHERE b.target_id = %s ORDER BY b.captured_at DESC LIMIT 1", [target_id])
    row = cur.fetchone()
    if row is None:
        return None, {}
    exact = dict(zip(row[3], row[4], strict=True))
    return row[0], {seq: (est, exact.get(seq)) for seq, est in zip(row[1], row[2], strict=True)}


def tables(target_id: int) -> list[TableRow]:
    names = (*TABLE_INTS, *TABLE_TIMES)
    with connection.cursor() as cur:
        at, latest = _latest_arrays(cur, "monitoring_relation_raw", target_id, "t_", names)
        if at is None:
            return []
        sizes = ("heap_bytes", "toast_bytes", "index_bytes")
        then = {}
        for days in (7, 30):
            old_at, old = _latest_arrays(cur, "monitoring_relation_hour", target_id, "t_", sizes,
                                         before=at - dt.timedelta(days=days))
            if old_at is None:   # shorter history: grow from the oldest sample we have
                cur.execute("SELECT min(captured_at) FROM monitoring_relation_raw WHERE target_id = %s", [target_id])
                old_at = cur.fetchone()[0]
                old_at, old = _latest_arrays(cur, "monitoring_relation_raw", target_id, "t_", sizes, before=old_at)
            then[days] = (old_at, old)
        bloat_at, bloat = _bloat(cur, target_id)
    relations = {r.seq: r for r in Relation.objects.filter(target_id=target_id, seq__in=list(latest))}
    out = []
    for seq, values in latest.items():
        if seq not in relations:
            continue
        size = sum(values[s] for s in sizes)
        growth = {days: (size - sum(old[seq][s] for s in sizes)) if seq in old else None
                  for days, (_old_at, old) in then.items()}
        est, exact = bloat.get(seq, (None, None))
        out.append(TableRow(
            relation=relations[seq], captured_at=at, values=values, growth_7d_bytes=growth[7],
            growth_30d_bytes=growth[30], growth_since=then[30][0], est_bloat_bytes=est, exact_bloat_bytes=exact,
            bloat_measured_at=bloat_at if seq in bloat else None,
        ))
    return sorted(out, key=lambda r: -r.total_bytes)


def indexes(target_id: int) -> list[IndexRow]:
    with connection.cursor() as cur:
        at, latest = _latest_arrays(cur, "monitoring_relation_raw", target_id, "i_", (*INDEX_INTS, "last_scan"))
        if at is None:
            return []
        cur.execute("SELECT least((SELECT min(captured_at) FROM monitoring_relation_day WHERE target_id = %(t)s), "
                    "(SELECT min(captured_at) FROM monitoring_relation_raw WHERE target_id = %(t)s))", {"t": target_id})
        since = cur.fetchone()[0]
        _bloat_at, bloat = _bloat(cur, target_id)
    relations = {r.seq: r for r in Relation.objects.select_related("table")
                 .filter(target_id=target_id, seq__in=list(latest))}
    out = []
    for seq, v in latest.items():
        rel = relations.get(seq)
        if rel is None:
            continue
        est, exact = bloat.get(seq, (None, None))
        out.append(IndexRow(relation=rel, table=rel.table, bytes=v["bytes"], scans=v["scans"], tup_read=v["tup_read"],
                            tup_fetch=v["tup_fetch"], last_scan=v["last_scan"], stats_since=since,
                            est_bloat_bytes=est, exact_bloat_bytes=exact))
    return sorted(out, key=lambda r: -r.bytes)


@dataclass(frozen=True)
class RelationPoint:
    at: dt.datetime
    bytes: int               # heap + TOAST + indexes for a table; the index itself for an index
    scans: int               # seq + index scans of a table / scans of an index, in the bucket
    tuples_written: int      # inserted + updated + deleted in the bucket (tables)
    n_live_tup: int | None
    n_dead_tup: int | None


def relation_series(target_id: int, seq: int, start: dt.datetime, end: dt.datetime,
                    res: str | None = None) -> list[RelationPoint]:
    res = res or resolution(end - start, CHART)
    table = f"monitoring_relation_{res}"
    t_cols = ("heap_bytes", "toast_bytes", "index_bytes", "seq_scan", "idx_scan", "n_tup_ins", "n_tup_upd",
              "n_tup_del", "n_live_tup", "n_dead_tup")
    picks = ", ".join(f"(dbconsole_pick_sparse(r.t_seqs, r.t_{c}, ARRAY[%(seq)s]::int4[]))[1]" for c in t_cols)
    i_picks = ", ".join(f"(dbconsole_pick_sparse(r.i_seqs, r.i_{c}, ARRAY[%(seq)s]::int4[]))[1]"
                        for c in ("bytes", "scans"))
    with connection.cursor() as cur:
        cur.execute(f"SELECT r.captured_at, %(seq)s = ANY(r.t_seqs), {picks}, {i_picks} FROM {table} AS r "
                    "WHERE r.target_id = %(t)s AND r.captured_at >= %(start)s AND r.captured_at <= %(end)s "
                    "ORDER BY r.captured_at", {"t": target_id, "seq": seq, "start": start, "end": end})
        samples = cur.fetchall()
    points: list[RelationPoint] = []
    previous = None
    for row in samples:
        at, is_table, v = row[0], row[1], dict(zip((*t_cols, "i_bytes", "i_scans"), row[2:], strict=True))
        scans = v["seq_scan"] + v["idx_scan"] if is_table else v["i_scans"]
        written = v["n_tup_ins"] + v["n_tup_upd"] + v["n_tup_del"]
        if previous is not None:
            points.append(RelationPoint(
                at=at, bytes=(v["heap_bytes"] + v["toast_bytes"] + v["index_bytes"]) if is_table else v["i_bytes"],
                scans=int(delta(scans, previous[0])), tuples_written=int(delta(written, previous[1])),
                n_live_tup=v["n_live_tup"] if is_table else None, n_dead_tup=v["n_dead_tup"] if is_table else None,
            ))
        previous = (scans, written)
    return points

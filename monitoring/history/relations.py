"""Writing relation statistics: identities in ``Relation`` rows, numbers in one columnar row per run.

``monitoring_relation_raw`` (daily partitions) holds, per collection, ``t_seqs`` and one array per table
statistic, then ``i_seqs`` and one array per index statistic, aligned by position. Counters are the
target's cumulative values as read (selectors take reset-aware differences); sizes are bytes. The
hourly and daily tables keep the last sample of each hour / day (exact for cumulative counters).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Any

from django.db.models import Max

from monitoring.history import arrays
from monitoring.history.partitions import DAILY, DAY, HOURLY, MONTH, RAW, PartitionedTable
from monitoring.history.rollups import Downsample
from monitoring.models import Relation
from monitoring.pgstats.relations import IndexStats, RelationsSnapshot, TableStats

PARTITIONED = (
    PartitionedTable("monitoring_relation_raw", DAY, RAW),
    PartitionedTable("monitoring_relation_hour", MONTH, HOURLY),
    PartitionedTable("monitoring_relation_day", MONTH, DAILY),
)
ROLLUPS = (   # hour before day: a day is built from its hours
    Downsample("monitoring_relation_raw", "monitoring_relation_hour", "hour"),
    Downsample("monitoring_relation_hour", "monitoring_relation_day", "day"),
)

TABLE_INTS = (
    "heap_bytes", "toast_bytes", "index_bytes", "reltuples", "seq_scan", "seq_tup_read", "idx_scan",
    "idx_tup_fetch", "n_tup_ins", "n_tup_upd", "n_tup_del", "n_tup_hot_upd", "n_live_tup", "n_dead_tup",
    "n_mod_since_analyze", "vacuum_count", "autovacuum_count", "analyze_count", "autoanalyze_count",
    "xid_age", "mxid_age",
)
TABLE_TIMES = ("last_vacuum", "last_autovacuum", "last_analyze", "last_autoanalyze", "last_seq_scan")
INDEX_INTS = ("bytes", "scans", "tup_read", "tup_fetch")
INDEX_META = ("is_unique", "is_primary", "is_valid", "constraint_type", "method", "definition", "key_columns",
              "predicate")
COLUMNS = (
    "t_seqs", *(f"t_{c}" for c in TABLE_INTS), *(f"t_{c}" for c in TABLE_TIMES),
    "i_seqs", *(f"i_{c}" for c in INDEX_INTS), "i_last_scan",
)
assert {f.name for f in fields(TableStats)} >= set(TABLE_INTS) | set(TABLE_TIMES)


def sync(target_id: int, snap: RelationsSnapshot, at: dt.datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Create, rename, redefine or mark dropped the ``Relation`` rows; return oid → seq for tables and
    indexes. A relation is the same while its oid, kind, schema and name stay (a rename is a new one)."""
    live = {r.oid: r for r in Relation.objects.filter(target_id=target_id, dropped_at__isnull=True)}
    next_seq = (Relation.objects.filter(target_id=target_id).aggregate(m=Max("seq"))["m"] or 0) + 1
    seen: set[int] = set()
    changed: list[Relation] = []
    new: list[Relation] = []

    def same(rel: Relation, item: TableStats | IndexStats) -> bool:
        return (rel.kind, rel.schema, rel.name) == (item.kind, item.schema, item.name)

    def place(item: TableStats | IndexStats, table: Relation | None) -> None:
        nonlocal next_seq
        rel = live.get(item.oid)
        if rel is not None and not same(rel, item):
            rel.dropped_at = at
            changed.append(rel)
            rel = None
        if rel is None:
            rel = Relation(target_id=target_id, seq=next_seq, oid=item.oid, kind=item.kind, schema=item.schema,
                           name=item.name, first_seen=at)
            next_seq += 1
            new.append(rel)
            live[item.oid] = rel
        seen.add(item.oid)
        if isinstance(item, IndexStats):
            # A definition not read this time (its table was locked) keeps the one stored.
            meta = {name: getattr(item, name) for name in INDEX_META if getattr(item, name) is not None}
            if table is not None and rel.table_id != table.pk:
                rel.table = table
                meta["table"] = table
            if any(getattr(rel, k) != v for k, v in meta.items()) and rel.pk and rel not in changed:
                changed.append(rel)
            for k, v in meta.items():
                setattr(rel, k, v)

    for table in snap.tables:
        place(table, None)
    Relation.objects.bulk_create([r for r in new if not r.is_index])
    tables_by_oid = {t.oid: live[t.oid] for t in snap.tables}
    for index in snap.indexes:
        place(index, tables_by_oid.get(index.table_oid))
    Relation.objects.bulk_create([r for r in new if r.is_index])
    gone = [r for oid, r in live.items() if oid not in seen and r.dropped_at is None]
    for rel in gone:
        rel.dropped_at = at
    if changed or gone:
        Relation.objects.bulk_update([*changed, *gone], ["dropped_at", "table", *INDEX_META])
    return ({t.oid: live[t.oid].seq for t in snap.tables}, {i.oid: live[i.oid].seq for i in snap.indexes})


def store(target_id: int, snap: RelationsSnapshot, captured_at: dt.datetime) -> int:
    table_seqs, index_seqs = sync(target_id, snap, captured_at)
    values: list[Any] = [arrays.Int4Array([table_seqs[t.oid] for t in snap.tables])]
    values += [arrays.Int8Array([getattr(t, c) for t in snap.tables]) for c in TABLE_INTS]
    values += [[getattr(t, c) for t in snap.tables] for c in TABLE_TIMES]
    values += [arrays.Int4Array([index_seqs[i.oid] for i in snap.indexes])]
    values += [arrays.Int8Array([getattr(i, c) for i in snap.indexes]) for c in INDEX_INTS]
    values += [[i.last_scan for i in snap.indexes]]
    placeholders = ", ".join("%b" if isinstance(v, arrays.Int8Array) else "%s::timestamptz[]" for v in values)
    cur = arrays.cursor()
    cur.execute(
        f"INSERT INTO monitoring_relation_raw (target_id, captured_at, {', '.join(COLUMNS)}) "
        f"VALUES (%s, %s, {placeholders})",
        [target_id, captured_at, *values],
    )
    return len(snap.tables) + len(snap.indexes)

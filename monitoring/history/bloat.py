"""Writing bloat: one columnar row per run (``monitoring_bloat_raw``, monthly partitions, kept
``RETENTION_HOURLY_DAYS``), relations referenced by their ``Relation.seq``; partitions summed into
their parent. Relations the relations collector has not registered yet are left for the next run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from monitoring.history import arrays
from monitoring.history.partitions import HOURLY, MONTH, PartitionedTable
from monitoring.models import Relation
from monitoring.pgstats.bloat import BloatSnapshot

PARTITIONED = (PartitionedTable("monitoring_bloat_raw", MONTH, HOURLY),)   # one row an hour: monthly


def store(target_id: int, snap: BloatSnapshot, captured_at: dt.datetime) -> int:
    seq_of = dict(Relation.objects.filter(target_id=target_id, dropped_at__isnull=True).values_list("oid", "seq"))
    size: dict[int, int] = defaultdict(int)
    est: dict[int, int | None] = {}
    for e in snap.estimates:
        seq = seq_of.get(e.root_oid)
        if seq is None:
            continue
        size[seq] += e.size_bytes
        known = est.get(seq, 0)
        est[seq] = None if known is None or e.est_bloat_bytes is None else known + e.est_bloat_bytes
    exact_size: dict[int, int] = defaultdict(int)
    exact_bloat: dict[int, int] = defaultdict(int)
    for x in snap.exact:
        seq = seq_of.get(x.root_oid)
        if seq is not None:
            exact_size[seq] += x.size_bytes
            exact_bloat[seq] += x.bloat_bytes
    seqs = sorted(size)
    exact_seqs = sorted(exact_size)
    cur = arrays.cursor()
    cur.execute(
        "INSERT INTO monitoring_bloat_raw (target_id, captured_at, seqs, size_bytes, est_bloat_bytes, exact_seqs, "
        "exact_size_bytes, exact_bloat_bytes) VALUES (%s, %s, %b, %b, %s::int8[], %b, %b, %b)",
        [target_id, captured_at, arrays.Int4Array(seqs), arrays.Int8Array([size[s] for s in seqs]),
         [est[s] for s in seqs], arrays.Int4Array(exact_seqs), arrays.Int8Array([exact_size[s] for s in exact_seqs]),
         arrays.Int8Array([exact_bloat[s] for s in exact_seqs])],
    )
    return len(seqs)

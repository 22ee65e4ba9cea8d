"""Tables and indexes over a time range: index scans, when an index was last seen scanning, table sizes.

* ``index_usage(target_id, start, end)`` → ``dict[seq, IndexUsage]``: per index, the scans over the
  range (reset-aware: a counter that went down was reset and counts again from zero), the samples it is
  counted between (``since`` is the sample just before the range when there is one) and the last
  sample in the range that saw scans. An index sampled once only has ``samples == 1``: nothing is
  known about its use yet. One query.
* ``index_last_seen(target_id, seqs, end)`` → ``dict[seq, LastSeen]``: the last sample of the whole
  history (up to ``end``) that saw each index scanned — what "last used" can say on PostgreSQL < 16,
  where ``last_idx_scan`` does not exist. One query over daily, then hourly, then raw samples (a few
  hundred samples whatever the length of the history); none for an empty ``seqs``.
* ``table_size_series(target_id, seqs, start, end)`` → ``dict[seq, list[(at, bytes)]]``: the total
  size (heap + TOAST + indexes, bytes) of each given table per sample. One query.

Ranges up to 2 days read raw samples (every 5 minutes), up to 60 days hourly ones, beyond daily ones;
rollup tiers are completed with the raw samples newer than their newest row, so the last hour is
always there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from monitoring.history.selectors import resolution
from monitoring.history.sqlfiles import load

RAW_MAX = dt.timedelta(days=2)
HOURLY_MAX = dt.timedelta(days=60)
TIERS = {"raw": "monitoring_relation_raw", "hour": "monitoring_relation_hour", "day": "monitoring_relation_day"}


def tier(start: dt.datetime, end: dt.datetime) -> str:
    """``raw``, ``hour`` or ``day``: the resolution a range of relation samples is read at."""
    res = resolution(start, end, raw_max=RAW_MAX)
    if res == "day" and end - start <= HOURLY_MAX:
        res = "hour"
    return res


def _sql(name: str, res: str) -> str:
    return load(f"relations/{name}").format(tier=TIERS[res])


@dataclass(frozen=True)
class IndexUsage:
    scans: int                               # over the range
    since: dt.datetime                       # first sample counted from
    until: dt.datetime                       # last sample counted to
    samples: int
    last_seen_scanning: dt.datetime | None   # last sample in the range that saw scans

    @property
    def known(self) -> bool:
        """Sampled at least twice: a count of scans means something."""
        return self.samples >= 2


@dataclass(frozen=True)
class LastSeen:
    at: dt.datetime | None       # the last sample that saw scans; None: never seen scanning
    watched_since: dt.datetime   # the oldest sample we hold


def index_usage(target_id: int, start: dt.datetime, end: dt.datetime) -> dict[int, IndexUsage]:
    res = tier(start, end)
    with connection.cursor() as cur:
        cur.execute(_sql("index_usage", res),
                    {"t": target_id, "start": start, "end": end, "rollup": res != "raw"})
        return {seq: IndexUsage(scans=int(scans), since=since, until=until, samples=int(samples),
                                last_seen_scanning=last_seen)
                for seq, since, until, samples, scans, last_seen in cur.fetchall()}


def index_last_seen(target_id: int, seqs: Sequence[int], end: dt.datetime) -> dict[int, LastSeen]:
    if not seqs:
        return {}
    with connection.cursor() as cur:
        cur.execute(load("relations/index_last_seen"), {"t": target_id, "seqs": list(seqs), "end": end})
        return {seq: LastSeen(at=at, watched_since=since) for seq, at, since in cur.fetchall()}


def table_size_series(target_id: int, seqs: Sequence[int], start: dt.datetime,
                      end: dt.datetime) -> dict[int, list[tuple[dt.datetime, int]]]:
    out: dict[int, list[tuple[dt.datetime, int]]] = {seq: [] for seq in seqs}
    if not seqs:
        return out
    res = tier(start, end)
    with connection.cursor() as cur:
        cur.execute(_sql("table_sizes", res),
                    {"t": target_id, "seqs": list(seqs), "start": start, "end": end, "rollup": res != "raw"})
        for at, seq, total in cur.fetchall():
            out[seq].append((at, int(total)))
    return out

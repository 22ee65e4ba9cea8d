"""Tables and indexes over a time range: index scans, when an index was last seen scanning, table sizes.

* ``index_usage(target_id, start, end)`` → ``dict[seq, IndexUsage]``: per index, the scans over the
  range (reset-aware: a counter that went down was reset and counts again from zero), the samples it is
  counted between (``since`` is the sample just before the range when there is one), and the two
  samples between which it was last seen scanning in the range. An index sampled once only has
  ``samples == 1``: nothing is known about its use yet. One query, over a coarse cover of the range
  (daily, then hourly, then raw samples, and the finer ones around restarts and statistics resets):
  differences of a cumulative counter add up whatever samples they are taken between.
* ``index_last_seen(target_id, seqs, end)`` → ``dict[seq, LastSeen]``: the same over the whole history
  up to ``end``, for the given indexes — what "last used" can say on PostgreSQL < 16, where
  ``last_idx_scan`` does not exist. One query; none for an empty ``seqs``.
* ``table_size_series(target_id, seqs, start, end)`` → ``dict[seq, list[(at, bytes)]]``: the total
  size (heap + TOAST + indexes, bytes) of each given table per sample, raw samples (every 5 minutes)
  up to a day, hourly up to 14 days, daily beyond — each completed by the finer samples not rolled up
  yet, so the latest size is always there. One query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from dbconsole.timerange import CHART, resolution
from monitoring.history import SQL


@dataclass(frozen=True)
class IndexUsage:
    scans: int                               # over the range
    since: dt.datetime                       # first sample counted from
    until: dt.datetime                       # last sample counted to
    samples: int
    last_seen_scanning: dt.datetime | None   # it was scanned between this sample …
    last_seen_after: dt.datetime | None      # … and this earlier one

    @property
    def known(self) -> bool:
        """Sampled at least twice: a count of scans means something."""
        return self.samples >= 2


@dataclass(frozen=True)
class LastSeen:
    at: dt.datetime | None       # the sample after the last scans seen; None: never seen scanning
    after: dt.datetime | None    # the sample before them
    watched_since: dt.datetime   # the oldest sample we hold


def index_usage(target_id: int, start: dt.datetime, end: dt.datetime) -> dict[int, IndexUsage]:
    with connection.cursor() as cur:
        cur.execute(SQL.load("relations/index_usage"), {"t": target_id, "start": start, "end": end})
        return {seq: IndexUsage(scans=int(scans), since=since, until=until, samples=int(samples),
                                last_seen_scanning=seen, last_seen_after=after)
                for seq, since, until, samples, scans, seen, after in cur.fetchall()}


def index_last_seen(target_id: int, seqs: Sequence[int], end: dt.datetime) -> dict[int, LastSeen]:
    if not seqs:
        return {}
    with connection.cursor() as cur:
        cur.execute(SQL.load("relations/index_last_seen"), {"t": target_id, "seqs": list(seqs), "end": end})
        return {seq: LastSeen(at=at, after=after, watched_since=since) for seq, at, after, since in cur.fetchall()}


def table_size_series(target_id: int, seqs: Sequence[int], start: dt.datetime,
                      end: dt.datetime) -> dict[int, list[tuple[dt.datetime, int]]]:
    out: dict[int, list[tuple[dt.datetime, int]]] = {seq: [] for seq in seqs}
    if not seqs:
        return out
    res = resolution(end - start, CHART)
    with connection.cursor() as cur:
        cur.execute(SQL.load("relations/table_sizes"), {
            "t": target_id, "seqs": list(seqs), "start": start, "end": end,
            "use_day": res == "day", "use_hour": res in ("day", "hour"),
        })
        for at, seq, total in cur.fetchall():
            out[seq].append((at, int(total)))
    return out

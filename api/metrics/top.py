"""Each target's top-N statements for ``/metrics``, kept between scrapes.

Ranking means unpacking every statement's cumulative counters (two 5,000-element arrays per counter and
target); the values only move when the statements rollup moves its watermark (every 5 minutes), so a
scrape asks the cheap watermarks and re-reads only the targets whose rollup moved since. The memo is per
process (each web worker keeps its own) and small: N statements per target.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

from monitoring.history.selectors.latest import TopStatement, statement_watermarks, top_statements

_lock = threading.Lock()
_memo: dict[int, tuple[dt.datetime, int, list[TopStatement]]] = {}


def top_for(target_ids: Iterable[int], top: int) -> dict[int, list[TopStatement]]:
    ids = list(target_ids)
    marks = statement_watermarks(ids)
    with _lock:
        stale = [t for t, mark in marks.items() if _memo.get(t, (None, None, []))[:2] != (mark, top)]
    fresh = top_statements(stale, top) if stale else {}
    with _lock:
        for target_id in stale:
            _memo[target_id] = (marks[target_id], top, fresh.get(target_id, []))
        for gone in set(_memo) - set(marks):
            if gone in ids:        # its rollup rows are gone (target emptied): forget it
                del _memo[gone]
        return {t: _memo[t][2] for t in marks}


def forget() -> None:
    """Drop the memo (tests that rebuild the history store between scrapes)."""
    with _lock:
        _memo.clear()

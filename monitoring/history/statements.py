"""Writing pg_stat_statements history: one compact row per collection, only for statements that ran.

Storage design (see also ``rollups_statements``):

* ``monitoring_stmt_raw`` (daily partitions, kept ``RETENTION_RAW_DAYS``): one row per collection,
  keyed by (target_id, captured_at). Columnar: ``seqs int4[]`` lists the statements whose counters
  changed, and one ``int8[]`` per counter holds their deltas in the same order (an all-zero counter is
  NULL). Times are integer microseconds. Deltas are small integers and each array is large, so
  TOAST's pglz compresses them to a couple of bytes per value; the per-row overhead (tuple header,
  primary-key entry) is shared by thousands of statements. That is how a statement-sample costs tens
  of bytes instead of PoWA's ~650.
* ``totals`` holds the per-counter sums of the row, so database-wide series (calls/s, mean latency)
  never unnest the arrays.
* Statement identity lives in ``Statement`` (one row per target and pg_stat_statements key) with a
  dense ``seq``; texts live once in ``QueryText`` and are fetched from the target only for keys the
  store does not know yet.
* A target's very first collection has nothing to diff against, yet pg_stat_statements may hold weeks
  of workload: its cumulative counters are stored as one sample covering [stats reset, now]
  (``seconds`` is that span, so rates stay right) and a ``statements_cumulative`` event says so — pages
  and the advisor mark those figures "since stats reset" (``selectors.cumulative``). Deltas follow
  from the second collection. A collector state lost later (UNLOGGED) only takes a new baseline: the
  counters are never stored twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from monitoring.history import arrays
from monitoring.history import statement_state as st
from monitoring.history.partitions import DAY, RAW, PartitionedTable
from monitoring.history.statement_delta import Diff, diff
from monitoring.models import Event, QueryText, Statement
from monitoring.models import events as ev
from monitoring.pgstats.statements import COUNTERS, Info, Key, Read

PARTITIONED = (PartitionedTable("monitoring_stmt_raw", DAY, RAW),)
COLUMNS = ", ".join(COUNTERS)
INSERT_RAW = (
    f"INSERT INTO monitoring_stmt_raw (target_id, captured_at, seconds, nseq, totals, seqs, {COLUMNS}) "
    f"VALUES (%s, %s, %s, %s, %b, %b{', %b' * len(COUNTERS)})"
)


@dataclass
class Outcome:
    rows: int = 0
    baseline: bool = False
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Known:
    """What ``Collector.prepare`` found: keys whose text is stored (the read skips their texts), and
    the raw key list it loaded (the store then does not fetch it again unless it grew)."""

    keys: frozenset[Key]
    loaded: tuple[int, bytes] | None = None

    def __contains__(self, key: object) -> bool:
        return key in self.keys


def known_keys(target_id: int) -> Known:
    with connection.cursor() as cur:
        state = st.load(cur, target_id, lock=False, keys_only=True)
    missing_text = set(
        Statement.objects.filter(target_id=target_id, text__isnull=True)
        .values_list("userid", "dbid", "queryid", "toplevel")
    )
    if state is not None:
        return Known(keys=frozenset(state.keys).difference(missing_text), loaded=(state.nseq, state.raw_keys))
    return Known(keys=frozenset(
        Statement.objects.filter(target_id=target_id, text__isnull=False)
        .values_list("userid", "dbid", "queryid", "toplevel")
    ))


def store(target_id: int, read: Read, captured_at: dt.datetime, known: Known | None = None) -> Outcome:
    """Write one collection; the caller holds the transaction. Returns what was stored and noticed."""
    cur = arrays.cursor()
    state = st.load(cur, target_id, lock=True, known=known.loaded if known else None)
    # The target's very first collection (not a lost UNLOGGED state: then its statements are known).
    first = state is None and not Statement.objects.filter(target_id=target_id).exists()
    state = state or st.create(cur, target_id, _keys_from_statements(target_id))
    if state.captured_at is not None:
        # Strictly increasing per target: the rollup's watermark relies on it.
        captured_at = max(captured_at, state.captured_at + dt.timedelta(microseconds=1))
    outcome = Outcome()
    seqs = _assign_seqs(target_id, state, read, captured_at)

    full_reset = bool(state.stats_reset and read.info.stats_reset and read.info.stats_reset != state.stats_reset)
    columns = list(zip(*read.rows, strict=True))[4:] if read.rows else [()] * (len(COUNTERS) + 1)
    baseline = state.last is None
    delta = diff(seqs, columns, state.last, full_reset=full_reset)
    events = _events(target_id, state, read.info, delta, captured_at, full_reset)

    since = read.info.stats_reset or read.info.started_at
    if baseline and first and delta.seqs and since is not None:
        # Weeks of workload may already be in pg_stat_statements: store its cumulative counters as one
        # sample covering [stats reset, now] so pages and the advisor have evidence at once, and say so.
        cur.execute(INSERT_RAW, [
            target_id, captured_at, max((captured_at - since).total_seconds(), 0.0), state.nseq,
            arrays.Int8Array(delta.totals), arrays.Int4Array(delta.seqs),
            *(arrays.Int8Array(col) if any(col) else None for col in delta.columns),
        ])
        outcome.rows = len(delta.seqs)
        events.append(_cumulative_event(target_id, read.info, since, captured_at, len(delta.seqs)))
    elif baseline:
        outcome.baseline = True
    else:
        seconds = (captured_at - state.captured_at).total_seconds() if state.captured_at else 0.0
        cur.execute(INSERT_RAW, [
            target_id, captured_at, seconds, state.nseq, arrays.Int8Array(delta.totals),
            arrays.Int4Array(delta.seqs),
            *(arrays.Int8Array(col) if any(col) else None for col in delta.columns),
        ])
        outcome.rows = len(delta.seqs)

    state.started_at, state.stats_reset, state.dealloc = (
        read.info.started_at, read.info.stats_reset, read.info.dealloc)
    st.save(cur, state, captured_at, st.LastRead(seqs=seqs, columns=list(columns)))
    if events:
        Event.objects.bulk_create(events, ignore_conflicts=True)
        outcome.events = [e.kind for e in events]
    return outcome


def _keys_from_statements(target_id: int) -> list[Key]:
    """Rebuild the key list (positional by seq) when the UNLOGGED state was lost."""
    rows = Statement.objects.filter(target_id=target_id).order_by("seq").values_list(
        "seq", "userid", "dbid", "queryid", "toplevel")
    keys: list[Key] = []
    for seq, *key in rows:
        while len(keys) < seq - 1:   # a gap cannot happen, but never shift positions if it did
            keys.append((0, 0, 0, False))
        keys.append((key[0], key[1], key[2], bool(key[3])))
    return keys


def _assign_seqs(target_id: int, state: st.State, read: Read, captured_at: dt.datetime) -> list[int]:
    """The seq of every row read, creating Statement rows (and texts) for keys never seen before."""
    seq_of = state.seq_of()
    seqs: list[Any] = list(map(seq_of.get, read.keys))
    added: dict[Key, int] = {}
    if None in seqs:
        for i, seq in enumerate(seqs):
            if seq is None:
                key = read.keys[i]
                if key not in added:
                    added[key] = state.add_key(key)
                seqs[i] = added[key]
    if added:
        texts = _text_ids({read.texts[k].query for k in added if k in read.texts})
        Statement.objects.bulk_create([
            Statement(
                target_id=target_id, seq=seq, userid=key[0], dbid=key[1], queryid=key[2], toplevel=key[3],
                datname=read.texts[key].datname if key in read.texts else "",
                usename=read.texts[key].usename if key in read.texts else "",
                text_id=texts.get(read.texts[key].query) if key in read.texts else None,
                first_seen=captured_at,
            )
            for key, seq in added.items()
        ])
    missing = [k for k in read.texts if k not in added and k in seq_of]
    if missing:
        _fill_missing_texts(target_id, read, missing)
    return seqs


def _fill_missing_texts(target_id: int, read: Read, keys: list[Key]) -> None:
    """Texts for statements stored earlier without one (their text was gone when first seen)."""
    texts = _text_ids({read.texts[k].query for k in keys})
    for key in keys:
        Statement.objects.filter(
            target_id=target_id, userid=key[0], dbid=key[1], queryid=key[2], toplevel=key[3], text__isnull=True,
        ).update(text_id=texts[read.texts[key].query], datname=read.texts[key].datname,
                 usename=read.texts[key].usename)


def _text_ids(texts: set[str]) -> dict[str, int]:
    if not texts:
        return {}
    by_digest = {hashlib.md5(t.encode(), usedforsecurity=False).hexdigest(): t for t in texts}
    QueryText.objects.bulk_create([QueryText(digest=d, text=t) for d, t in by_digest.items()], ignore_conflicts=True)
    found = QueryText.objects.filter(digest__in=list(by_digest)).values_list("digest", "id")
    return {by_digest[d]: pk for d, pk in found}


def _cumulative_event(target_id: int, info: Info, since: dt.datetime, at: dt.datetime, statements: int) -> Event:
    what = "the stats reset" if info.stats_reset else "the server start"
    return Event(target_id=target_id, at=at, kind=ev.STATEMENTS_CUMULATIVE, collector="statements",
                 message=f"first collection: counters of {statements} statement(s) are cumulative since {what} "
                         f"at {since:%Y-%m-%d %H:%M:%S}",
                 detail={"since": since.isoformat(), "since_what": what, "statements": statements},
                 dedupe_key=at.isoformat())


def _events(target_id: int, state: st.State, info: Info, delta: Diff, at: dt.datetime,
            full_reset: bool) -> list[Event]:
    events = []

    def add(kind: str, key: str, message: str, **detail: Any) -> None:
        events.append(Event(target_id=target_id, at=at, kind=kind, collector="statements", message=message,
                            detail=detail, dedupe_key=key))

    if state.started_at and info.started_at and info.started_at != state.started_at:
        add(ev.RESTART, info.started_at.isoformat(), f"server restarted at {info.started_at:%Y-%m-%d %H:%M:%S}",
            started_at=info.started_at.isoformat(), previous=state.started_at.isoformat())
    if full_reset and info.stats_reset:
        add(ev.STATEMENTS_RESET, info.stats_reset.isoformat(),
            "pg_stat_statements was reset; deltas of this interval count from the reset",
            stats_reset=info.stats_reset.isoformat())
    if state.dealloc is not None and info.dealloc is not None and info.dealloc > state.dealloc:
        evicted = info.dealloc - state.dealloc
        add(ev.STATEMENTS_EVICTED, at.isoformat(),
            f"pg_stat_statements evicted entries {evicted} time(s); raise pg_stat_statements.max",
            deallocations=evicted)
    elif delta.entry_resets and not full_reset:
        add(ev.STATEMENT_ENTRIES_RESET, at.isoformat(),
            f"{delta.entry_resets} statement(s) were reset or evicted and re-created",
            entries=delta.entry_resets)
    return events


def now() -> dt.datetime:
    return timezone.now()

"""The statements collector's memory between two runs: the previous read of every statement.

Kept in the history store (``monitoring_stmt_state``, one row per target, UNLOGGED) rather than in a
worker, because any worker may run the next collection; locked ``FOR UPDATE`` by the store so two runs
of one target never interleave; updated in the same transaction as the samples it produced, so a run
killed half-way leaves the previous state and the previous samples, consistent with each other.

Layout (zlib-compressed bytea of little-endian machine arrays, see ``arrays.pack_columns``):

* ``keys`` — positional by ``seq - 1``: userid, dbid, queryid (int64 each), toplevel (int8).
* ``last`` — the previous read: the seqs it contained, then one block per counter (``pgstats.statements.COUNTERS``)
  plus one for ``stats_since`` (microseconds since the epoch; 0 before pg_stat_statements 1.11).

Compressed here (zlib level 1, a few milliseconds) rather than by TOAST's pglz on the server, and
stored ``EXTERNAL`` so the server does not try again: at 5,000 statements the state is ~1 MB raw,
~250 kB compressed, read and rewritten every minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from monitoring.history.arrays import pack_columns, unpack_columns
from monitoring.pgstats.statements import Key


@dataclass
class LastRead:
    """Decoded, the blocks are machine arrays; when built from a fresh read, plain sequences."""

    seqs: Sequence[int]
    columns: list[Sequence[int]]   # len(COUNTERS) + 1 (stats_since last)
    zero: frozenset[int] = frozenset()   # columns that were all zeros (most are, for most workloads)

    def encode(self) -> bytes:
        return pack_columns([self.seqs, *self.columns])

    @classmethod
    def decode(cls, data: bytes) -> LastRead | None:
        if not data:
            return None
        seqs, *columns = unpack_columns(data)
        zero = frozenset(i for i, column in enumerate(columns) if not any(column))
        return cls(seqs=seqs, columns=list[Sequence[int]](columns), zero=zero)


@dataclass
class State:
    target_id: int
    captured_at: dt.datetime | None
    started_at: dt.datetime | None
    stats_reset: dt.datetime | None
    dealloc: int | None
    keys: list[Key] = field(default_factory=list)          # keys[seq - 1]
    last: LastRead | None = None
    keys_changed: bool = False
    raw_keys: bytes = b""

    @property
    def nseq(self) -> int:
        return len(self.keys)

    def seq_of(self) -> dict[Key, int]:
        """Key → seq for the keys loaded (shared with the decode cache: read it, never change it)."""
        cached = _seq_maps.get(id(self.keys))
        if cached is not None and cached[0] is self.keys:
            return cached[1]
        return dict(zip(self.keys, range(1, len(self.keys) + 1), strict=True))

    def add_key(self, key: Key) -> int:
        if not self.keys_changed:   # the list may be shared with the decode cache: copy before growing
            self.keys = list(self.keys)
            self.keys_changed = True
        self.keys.append(key)
        return len(self.keys)


def encode_keys(keys: list[Key]) -> bytes:
    users, dbs, queryids, toplevels = zip(*keys, strict=True) if keys else ((), (), (), ())
    return pack_columns([users, dbs, queryids, [int(t) for t in toplevels]])


_decoded: dict[bytes, list[Key]] = {}
_seq_maps: dict[int, tuple[list[Key], dict[Key, int]]] = {}


def decode_keys(data: bytes) -> list[Key]:
    """Keys change only when new statements appear: the decoded list (and its key → seq map) is kept
    per process, so the prepare → store pair, and the next run on this worker, decode them once.
    Callers that add keys copy first (``State.add_key`` works on its own list)."""
    if not data:
        return []
    cached = _decoded.get(data)
    if cached is not None:
        return cached
    users, dbs, queryids, toplevels = unpack_columns(data)
    keys = list(zip(users, dbs, queryids, (bool(t) for t in toplevels), strict=True))
    if len(_decoded) > 64:   # a worker serves many targets; keep the cache small
        _decoded.clear()
        _seq_maps.clear()
    _decoded[data] = keys
    _seq_maps[id(keys)] = (keys, dict(zip(keys, range(1, len(keys) + 1), strict=True)))
    return keys


def load(cur: Any, target_id: int, *, lock: bool, keys_only: bool = False,
         known: tuple[int, bytes] | None = None) -> State | None:
    """The state row; ``known`` is (nseq, keys) from an earlier load: keys only grow, so while ``nseq``
    is unchanged they are not sent again."""
    cur.execute(
        "SELECT captured_at, started_at, stats_reset, dealloc, "
        "CASE WHEN nseq = %s THEN NULL ELSE keys END, "
        + ("''::bytea" if keys_only else "last")
        + " FROM monitoring_stmt_state WHERE target_id = %s" + (" FOR UPDATE" if lock else ""),
        [known[0] if known else -1, target_id],
    )
    row = cur.fetchone()
    if row is None:
        return None
    keys = bytes(row[4]) if row[4] is not None else known[1] if known else b""
    state = State(target_id, row[0], row[1], row[2], row[3], keys=decode_keys(keys),
                  last=LastRead.decode(bytes(row[5])))
    state.raw_keys = keys
    return state


def create(cur: Any, target_id: int, keys: list[Key]) -> State:
    """A baseline row for a target seen for the first time (or whose UNLOGGED state was lost)."""
    cur.execute(
        "INSERT INTO monitoring_stmt_state (target_id, captured_at, nseq, keys, last) "
        "VALUES (%s, NULL, %s, %s, '') ON CONFLICT (target_id) DO NOTHING",
        [target_id, len(keys), encode_keys(keys)],
    )
    state = load(cur, target_id, lock=True)
    assert state is not None
    return state


def save(cur: Any, state: State, captured_at: dt.datetime, last: LastRead) -> None:
    params: list[Any] = [captured_at, state.started_at, state.stats_reset, state.dealloc, state.nseq, last.encode()]
    keys_sql = ""
    if state.keys_changed:
        keys_sql = ", keys = %s"
        params.append(encode_keys(state.keys))
    cur.execute(
        "UPDATE monitoring_stmt_state SET captured_at = %s, started_at = %s, stats_reset = %s, dealloc = %s, "
        f"nseq = %s, last = %s{keys_sql} WHERE target_id = %s",
        [*params, state.target_id],
    )

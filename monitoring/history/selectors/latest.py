"""The newest state of many targets at once, for exporters and fleet-wide readers (``/metrics``): a fixed
number of queries whatever the number of targets.

* ``latest_samples(target_ids)`` → ``{target_id: LatestSamples}``: the newest activity sample
  (connections by state, sessions waiting on a lock, longest query and transaction in seconds), database
  sample (size in bytes, xid/mxid age in transactions, cumulative block, transaction, deadlock, temp,
  WAL and checkpoint counters as read — they restart at a stats reset or a server restart),
  replication sample (replicas with ``replay_lag_bytes``/``replay_lag_seconds``, slots with
  ``retained_bytes``, a standby's ``replay_delay_seconds``), the freeze settings (transactions), and the
  longest lock wait (seconds) the latest successful locks collection saw (0: none was waiting). One query.
* ``ranked_statements(target_ids, top)`` → ``{target_id: list[TopStatement]}``: each target's ``top``
  statements by execution + planning time since their first collection, with cumulative calls, time
  (seconds) and rows as of the statements rollup's watermark (``through``), and the first 8 hex digits
  of the text's md5 — never the text; ranked by the rollup when it moved (``StatementRanking``), so
  reading them costs one small row per target. One query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from monitoring.history import SQL
from monitoring.history.selectors._series import JSON_COLUMNS, decode_row, decoded
from monitoring.models import StatementRanking

ACTIVITY = ("max_connections", "reserved_connections", "clients", "active", "idle", "idle_in_transaction",
            "idle_in_transaction_aborted", "other_state", "waiting_lock", "longest_query_seconds",
            "longest_xact_seconds")
DATABASE = ("size_bytes", "xid_age", "mxid_age", "blks_hit", "blks_read", "xact_commit", "xact_rollback", "deadlocks",
            "temp_bytes", "wal_bytes", "checkpoints_timed", "checkpoints_req", "buffers_checkpoint", "buffers_clean",
            "buffers_backend")
REPLICATION = ("in_recovery", "replicas", "slots", "replay_delay_seconds")


@dataclass(frozen=True)
class LatestSamples:
    target_id: int
    activity: dict[str, Any] | None          # captured_at and ACTIVITY
    database: dict[str, Any] | None          # captured_at and DATABASE
    replication: dict[str, Any] | None       # captured_at and REPLICATION (replicas, slots: lists of dicts)
    freeze_settings: dict[str, int]          # autovacuum_(multixact_)freeze_max_age, when collected
    longest_lock_wait_seconds: float | None  # None: the locks collector never succeeded
    locks_at: dt.datetime | None


def latest_samples(target_ids: Iterable[int]) -> dict[int, LatestSamples]:
    ids = sorted(set(target_ids))
    if not ids:
        return {}
    with connection.cursor() as cur:
        cur.execute(SQL.load("latest/samples"), {"targets": ids})
        names = [c.name for c in cur.description]
        rows = [decode_row(dict(zip(names, row, strict=True)), JSON_COLUMNS) for row in cur.fetchall()]
    out = {}
    for v in rows:
        freeze = {k: int(s) for k, s in (decoded(v["freeze_settings"]) or {}).items() if str(s).isdigit()}
        out[v["target_id"]] = LatestSamples(
            target_id=v["target_id"],
            activity=_part(v, "activity_at", ACTIVITY),
            database=_part(v, "database_at", DATABASE),
            replication=_part(v, "replication_at", REPLICATION),
            freeze_settings=freeze,
            longest_lock_wait_seconds=(float(v["longest_lock_wait_seconds"]) if v["locks_at"] is not None
                                       else None),
            locks_at=v["locks_at"],
        )
    return out


def _part(values: dict[str, Any], stamp: str, columns: tuple[str, ...]) -> dict[str, Any] | None:
    if values[stamp] is None:
        return None
    return {"captured_at": values[stamp], **{c: values[c] for c in columns}}


@dataclass(frozen=True)
class TopStatement:
    seq: int
    queryid: int
    database: str
    user: str
    toplevel: bool
    fingerprint: str          # first 8 hex digits of the text's md5 ("" when the text was never read)
    calls: int
    time_seconds: float       # execution + planning
    rows: int
    through: dt.datetime      # the rollup watermark these cumulative values are as of


def ranked_statements(target_ids: Iterable[int], top: int) -> dict[int, list[TopStatement]]:
    """Each target's ``top`` statements as its statements rollup last ranked them. One query."""
    ids = sorted(set(target_ids))
    if not ids or top <= 0:
        return {}
    rows = StatementRanking.objects.filter(target_id__in=ids).values_list("target_id", "through", "ranked")
    return {target_id: [TopStatement(
        seq=s["seq"], queryid=s["queryid"], database=s["database"], user=s["user"], toplevel=s["toplevel"],
        fingerprint=s["fingerprint"], calls=int(s["calls"]), time_seconds=float(s["time_us"]) / 1e6,
        rows=int(s["rows"]), through=through,
    ) for s in ranked[:top]] for target_id, through, ranked in rows if ranked}

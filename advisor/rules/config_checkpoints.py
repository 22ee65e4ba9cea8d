"""Checkpoints forced by WAL volume (requested) instead of by time (timed) → a larger max_wal_size.

A checkpoint starts when ``checkpoint_timeout`` passes or when about ``max_wal_size`` of WAL was
written since the last one. Frequent size-triggered checkpoints mean more full-page images in WAL
and bursts of writes. From the history store: checkpoints timed and requested, and WAL written,
over the window. The suggestion holds two checkpoint_timeouts' worth of the window's WAL rate.
Manual ``CHECKPOINT`` commands and base backups count as requested too — the evidence says so.

A share of checkpoints is a rate: an hour of history with one bulk load in it says nothing about the
server's normal day. So the rule proposes a change only once the database statistics cover at least
``observation.CHECKPOINTS_MIN_OBSERVATION`` (restarted by a statistics reset or a server restart);
before that, what would have been a proposal is reported as "too early to tell".
"""

from __future__ import annotations

import datetime as dt
import math

from advisor.rules import observation
from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count, fmt_duration, fmt_pct
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import OK, least

GB = 1024 ** 3


@register
class ConfigCheckpoints(Rule):
    name = "config_checkpoints"
    kinds = ("config_checkpoints",)
    category = "configuration"
    title = "Checkpoints"
    order = 230
    absence_is_proof = True

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        db = ctx.history.database()
        settings = ctx.history.settings()
        if db is None or db.intervals < 1 or db.checkpoints_req is None:
            raise RuleSkipped("fewer than two database collections in the window", ctx.history.collect_hint("database"))
        if not settings:
            raise RuleSkipped("no settings collection yet", ctx.history.collect_hint("settings"))
        timed, requested = db.checkpoints_timed or 0, db.checkpoints_req or 0
        total = timed + requested
        if not total:
            return []   # no checkpoint at all in the window: nothing was forced
        # Both the count and the share of requested checkpoints must reach a level (checkpoints_requested*).
        severity = least(ctx.thresholds.grade("checkpoints_requested", requested),
                         ctx.thresholds.grade("checkpoints_requested_share", requested / total))
        if severity == OK:
            return []
        needed = observation.CHECKPOINTS_MIN_OBSERVATION
        start, _why = observation.observation_start(ctx.now - dt.timedelta(seconds=db.seconds),
                                                    ctx.history.resets_since(ctx.window_start))
        seen = observation.observed(ctx.now, start)
        if seen < needed:
            ctx.blind(observation.TOO_EARLY, observation.too_early([seen], needed),
                      hint=f"{requested} of {total} checkpoints were requested, but over too short a time to "
                           "judge the server's normal load: the rule waits for a day of database statistics")
            return []
        current = pg.as_bytes(settings, "max_wal_size") or GB
        timeout_s = (pg.as_ms(settings, "checkpoint_timeout") or 300_000) / 1000
        wal_rate = (db.wal_bytes or 0) / db.seconds if db.seconds else 0.0
        per_timeout = wal_rate * timeout_s
        wanted = max(2 * current, math.ceil(2 * per_timeout / GB) * GB)
        ev = Evidence()
        ev.fact("Checkpoints requested", requested, fmt_count(requested), hint="by WAL volume, CHECKPOINT or backups")
        ev.fact("Checkpoints timed", timed, fmt_count(timed))
        ev.fact("Requested share", requested / total, fmt_pct(requested / total))
        ev.fact("WAL written in the window", db.wal_bytes, fmt_bytes(db.wal_bytes))
        ev.fact("WAL per checkpoint_timeout", per_timeout, fmt_bytes(per_timeout),
                hint=f"at the window's rate, per {fmt_duration(timeout_s)}")
        ev.fact("max_wal_size now", current, fmt_bytes(current))
        ev.fact("checkpoint_timeout", timeout_s, fmt_duration(timeout_s))
        ev.fact("Suggested max_wal_size", wanted, fmt_bytes(wanted))
        ev.note("Checkpoints forced by WAL volume come sooner than checkpoint_timeout: each one makes the next "
                "change to every page write a full-page image to WAL, and flushes dirty buffers in a burst.")
        ev.caveat("Manual CHECKPOINT commands, pg_basebackup and pg_backup_start count as requested too: if those "
                  "explain the count, nothing needs changing.")
        ev.caveat("A larger max_wal_size keeps more WAL on disk and lengthens crash recovery somewhat.")
        ev.sql("Apply it", pg.alter_system({"max_wal_size": pg.pg_size(wanted)}, ctx.target.server_major))
        ev.chart("checkpoints", "Checkpoints timed and requested")
        return [Finding(
            kind="config_checkpoints", object_key="max_wal_size", object_label="max_wal_size",
            severity=severity,
            title=f"{fmt_pct(requested / total)} of checkpoints were forced: raise max_wal_size to {fmt_bytes(wanted)}",
            summary=f"{fmt_count(requested)} of {fmt_count(total)} checkpoints in the window were requested "
                    f"rather than timed; max_wal_size ({fmt_bytes(current)}) is small for "
                    f"{fmt_bytes(per_timeout)} of WAL per checkpoint_timeout.",
            evidence=ev.to_dict(), material={"suggested": wanted},
            benefit="fewer full-page images in WAL, smoother writes", cost=f"up to {fmt_bytes(wanted)} of WAL on disk",
            benefit_score=float(requested),
        )]

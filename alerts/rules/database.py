"""Database-wide counters, from the database collection (every 5 minutes): a cache hit ratio that
dropped, deadlocks, bursts of temporary files, checkpoints requested rather than timed."""

from __future__ import annotations

import datetime as dt
import itertools

from django.template.defaultfilters import filesizeformat

from alerts.rules.base import Finding, Rule, Verdict, grade_finding, register
from alerts.rules.context import Context
from dbconsole.thresholds import least
from monitoring.history.selectors._series import delta

CACHE_WINDOW = dt.timedelta(minutes=30)
# Below this many blocks requested in the window a ratio says nothing (an idle database).
CACHE_MIN_BLOCKS = 10_000
CHECKPOINT_WINDOW = dt.timedelta(hours=1)


@register
class CacheHitDrop(Rule):
    key = "cache_hit_drop"
    title = "Cache hit ratio dropped"
    doc = (f"Blocks found in shared buffers / blocks requested over the last {CACHE_WINDOW.seconds // 60} "
           "minutes falls under ``cache_hit_ratio`` (warning below 95 %, critical below 80 %), with at least "
           f"{CACHE_MIN_BLOCKS:,} blocks requested; for ten minutes.")
    runbook = ("Queries page sorted by blocks read: a new sequential scan (missing index) or a report? "
               "shared_buffers too small for the working set?")
    severity = "critical"
    threshold = "cache_hit_ratio"
    sources = ("database",)
    for_s = 600
    page = "queries"

    def evaluate(self, ctx: Context) -> Verdict:
        samples = ctx.database_samples(CACHE_WINDOW, ("blks_hit", "blks_read"))
        if len(samples) < 2:
            return Verdict.unknown("fewer than two database samples in the window yet")
        hit = read = 0.0
        for before, after in itertools.pairwise(samples):
            hit += delta(after["blks_hit"], before["blks_hit"])
            read += delta(after["blks_read"], before["blks_read"])
        total = hit + read
        if total < CACHE_MIN_BLOCKS:
            return ok_idle()
        ratio = hit / total
        severity = grade_finding(ctx.thresholds.grade(self.threshold, ratio))
        summary = f"{ratio:.2%} of {int(total):,} blocks found in shared buffers in the last 30 minutes"
        if severity is None:
            return Verdict("ok", summary)
        return Verdict.of([Finding(severity, summary, value=ratio, link=ctx.url(self.page))], "")


def ok_idle() -> Verdict:
    return Verdict("ok", f"fewer than {CACHE_MIN_BLOCKS:,} blocks requested in the window: nothing to grade")


@register
class Deadlocks(Rule):
    key = "deadlocks"
    title = "Deadlocks"
    doc = "Deadlocks detected between the two newest database samples reach ``deadlocks`` (1 warns, 10 critical)."
    runbook = ("The server log has both statements of each deadlock: make the application take its locks in "
               "one order (sort the ids it updates), or keep transactions shorter.")
    severity = "critical"
    threshold = "deadlocks"
    sources = ("database",)
    page = "locks"

    def evaluate(self, ctx: Context) -> Verdict:
        points = ctx.database_points(dt.timedelta(seconds=ctx.interval("database") * 2))
        if not points:
            return Verdict.unknown("no database sample in the window yet")
        newest = points[-1]
        severity = grade_finding(ctx.thresholds.grade(self.threshold, newest.deadlocks))
        summary = f"{newest.deadlocks} deadlock(s) in the {int(newest.seconds)} s to {newest.at:%H:%M} UTC"
        if severity is None:
            return Verdict("ok", summary)
        return Verdict.of([Finding(severity, summary, value=float(newest.deadlocks))], "")


@register
class TempFileBurst(Rule):
    key = "temp_file_burst"
    title = "Temporary file burst"
    doc = ("Bytes spilled to temporary files between the two newest database samples reach "
           "``temp_bytes_burst`` (1 GB warns, 10 GB critical): sorts and hashes larger than work_mem.")
    runbook = "Queries page sorted by temp blocks: which statement spills? Give it an index or more work_mem."
    severity = "critical"
    threshold = "temp_bytes_burst"
    sources = ("database",)
    page = "queries"

    def evaluate(self, ctx: Context) -> Verdict:
        points = ctx.database_points(dt.timedelta(seconds=ctx.interval("database") * 2))
        if not points:
            return Verdict.unknown("no database sample in the window yet")
        newest = points[-1]
        severity = grade_finding(ctx.thresholds.grade(self.threshold, newest.temp_bytes))
        summary = (f"{filesizeformat(newest.temp_bytes)} in {newest.temp_files} temporary file(s) in the "
                   f"{int(newest.seconds)} s to {newest.at:%H:%M} UTC")
        if severity is None:
            return Verdict("ok", summary)
        return Verdict.of([Finding(severity, summary, value=float(newest.temp_bytes))], "")


@register
class CheckpointsRequested(Rule):
    key = "checkpoints_requested"
    title = "Checkpoints requested, not timed"
    doc = ("Over the last hour, checkpoints forced by WAL volume reach both ``checkpoints_requested`` and "
           "``checkpoints_requested_share`` of all checkpoints: max_wal_size is too small for the write load "
           "(every forced checkpoint multiplies full-page writes).")
    runbook = "Raise max_wal_size (and checkpoint_timeout if needed); the advisor's configuration page has numbers."
    severity = "warning"
    threshold = "checkpoints_requested_share"
    sources = ("database",)
    page = "settings"

    def evaluate(self, ctx: Context) -> Verdict:
        points = ctx.database_points(CHECKPOINT_WINDOW)
        if not points:
            return Verdict.unknown("no database sample in the window yet")
        requested = sum(p.checkpoints_req for p in points)
        timed = sum(p.checkpoints_timed for p in points)
        if requested + timed == 0:
            return Verdict("ok", "no checkpoint in the last hour")
        share = requested / (requested + timed)
        grade = least(ctx.thresholds.grade("checkpoints_requested", requested),
                      ctx.thresholds.grade(self.threshold, share))
        severity = grade_finding(grade)
        summary = f"{requested} of {requested + timed} checkpoints in the last hour were requested ({share:.0%})"
        if severity is None:
            return Verdict("ok", summary)
        return Verdict.of([Finding(severity, summary, value=share)], "")

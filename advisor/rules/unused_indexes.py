"""Unused indexes: not scanned once over the history window.

Scans are counted from the relations history as reset-aware differences of ``idx_scan`` between
consecutive samples (a counter that went down was reset, and counts again from zero), so a stats
reset or a restart in the window does not hide scans made before it. On PostgreSQL 16+ the index's
``last_idx_scan`` is checked too: a scan after the window started means it is used, whatever the
samples say. Primary keys, unique indexes and indexes backing a constraint are never proposed, nor
invalid ones (their own rule) or ones another rule already proposes to drop, nor an index created
after monitoring began until it has had a day to be used. An index that was there when monitoring
began is reported even after a short observation — as "info", saying how short.

The advisor sees the primary only: an index used by queries that run on replicas looks unused here.
"""

from __future__ import annotations

import datetime as dt

from advisor.rules.base import Rule, register
from advisor.rules.changes import drop_index
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count, fmt_duration, fmt_time, size_class
from advisor.rules.findings import Finding, RuleSkipped
from advisor.rules.history import IndexInfo
from dbconsole.thresholds import INFO, WARNING

# An index created after monitoring began gets this long before it can be called unused: nobody
# judges yesterday's index by its first hour.
NEW_INDEX_GRACE = dt.timedelta(days=1)
DROP_KINDS = ("duplicate_index", "redundant_index", "invalid_index")


@register
class UnusedIndexes(Rule):
    name = "unused_indexes"
    kinds = ("unused_index",)
    category = "indexes"
    title = "Unused indexes"
    order = 45  # after the duplicate and invalid rules: an index is proposed for dropping once

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        indexes = ctx.history.indexes()
        if not indexes:
            raise RuleSkipped("no relations collection yet", ctx.history.collect_hint("relations"))
        already = {f.object_key for f in ctx.findings if f.kind in DROP_KINDS}
        events = ctx.history.reset_events()
        monitored_since = min(i.first_seen for i in indexes)
        findings = []
        for index in indexes:
            if (index.is_primary or index.is_unique or index.constraint_type or not index.is_valid
                    or index.qualified_name in already):
                continue
            if index.first_seen > monitored_since and ctx.now - index.first_seen < NEW_INDEX_GRACE:
                continue  # created while we watched, and too recently to judge
            if index.scans_window is None or index.scans_window > 0:
                continue  # never sampled twice yet, or used
            if index.last_scan is not None and index.last_scan >= ctx.window_start:
                continue  # PG 16+: scanned after the window started (between two samples)
            findings.append(self._finding(ctx, index, events))
        for finding in ctx.findings:
            if finding.kind in DROP_KINDS:
                dropped = next((i for i in indexes if i.qualified_name == finding.object_key), None)
                if dropped is not None and dropped.scans_window == 0:
                    finding.evidence.setdefault("notes", []).append("It was not scanned once in the window either.")
        return findings

    def _finding(self, ctx: RuleContext, index: IndexInfo, events: list[tuple[dt.datetime, str]]) -> Finding:
        observed = ctx.now - index.observed_since if index.observed_since else dt.timedelta(0)
        # A warning needs a full observation (unused_index_observed_seconds, at most the window) and a big
        # index (unused_index_bytes); anything less is info.
        needed = dt.timedelta(seconds=ctx.thresholds.bound("unused_index_observed_seconds", WARNING))
        full = observed >= min(needed, ctx.options.window)
        severity = WARNING if full and ctx.thresholds.grade("unused_index_bytes", index.bytes or 0) == WARNING \
            else INFO
        writes = ctx.history.table_writes(index.table_seq)
        ev = Evidence()
        ev.fact("Index", index.qualified_name)
        ev.fact("Size", index.bytes, fmt_bytes(index.bytes))
        ev.fact("Scans in the window", 0, "0", hint=f"observed for {fmt_duration(observed.total_seconds())}, "
                f"since {fmt_time(index.observed_since)}")
        ev.fact("Scans since statistics were reset", index.scans_total, fmt_count(index.scans_total))
        if ctx.target.server_major and ctx.target.server_major >= 16:
            ev.fact("Last scan (last_idx_scan)", index.last_scan, fmt_time(index.last_scan) if index.last_scan
                    else "never since statistics were reset")
        if writes is not None:
            ev.fact("Rows written to the table in the window", writes, fmt_count(writes),
                    hint="each insert and non-HOT update also updates this index")
        ev.sql("Definition", index.definition)
        if not full:
            ev.caveat(f"Observed for only {fmt_duration(observed.total_seconds())}: an index used by a weekly or "
                      "monthly job looks unused until that job runs. Wait for a full week of history before "
                      "dropping it.")
        for at, what in events:
            ev.note(f"{what} at {fmt_time(at)}: counted across it (the counter restarted from zero).")
        ev.caveat("Usage on replicas is unknown unless they are dbconsole targets too: queries that run only on a "
                  "replica use its indexes without the primary's statistics showing it.")
        ev.ids(index_seq=index.seq, table_seq=index.table_seq)
        ev.chart("index-scans", "Scans of the index")
        return Finding(
            kind="unused_index", object_key=index.qualified_name, object_label=index.qualified_name,
            severity=severity, title=f"Unused index {index.name} on {index.table_name}",
            summary=f"{index.qualified_name} ({fmt_bytes(index.bytes)}) was not scanned in "
                    f"{fmt_duration(observed.total_seconds())} of history, yet every write to {index.table_name} "
                    "maintains it.",
            evidence=ev.to_dict(), material={"definition": index.definition, "size_class": size_class(index.bytes)},
            benefit=f"{fmt_bytes(index.bytes)} of disk and cache; cheaper writes to {index.table_name}",
            cost="DROP INDEX CONCURRENTLY blocks nothing; the rollback rebuilds it concurrently if a query missed it",
            benefit_score=float(index.bytes or 0), table=index.table_qualified,
            changes=[drop_index(index.schema, index.table_name, index.name, "unused")],
        )

"""Unused indexes: not scanned once while statistics covered them for the minimum observation.

Scans are counted from the relations history as reset-aware differences of ``idx_scan`` between
consecutive samples, over the window or the minimum observation, whichever is longer. On PostgreSQL
16+ the index's ``last_idx_scan`` is checked too: a scan in that time means it is used, whatever the
samples say. Primary keys, unique indexes and indexes backing a constraint are never proposed, nor
invalid ones (their own rule) or ones another rule already proposes to drop.

An index is judged only once statistics have covered it for the minimum observation (14 days by
default, ``DBCONSOLE_ADVISOR_MIN_OBSERVATION_DAYS``, or the target's machine facts): from its first
sample, restarted by a statistics reset or a server restart (:mod:`advisor.rules.observation`). Before
that the rule reports "too early to tell: N days of 14 observed" — an unknown, never a drop.

Its recommendations are resolved only when the index was dropped, was scanned, or another rule now
proposes dropping it — not because statistics were reset and it is too early again.

The advisor sees the primary only: an index used by queries that run on replicas looks unused here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.models import Recommendation
from advisor.rules import observation
from advisor.rules.base import Rule, register
from advisor.rules.changes import drop_index
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count, fmt_duration, fmt_time, size_class
from advisor.rules.facts import IndexInfo
from advisor.rules.findings import Finding, RuleSkipped
from advisor.rules.options import AdvisorOptions
from dbconsole.thresholds import INFO, WARNING

DROP_KINDS = ("duplicate_index", "redundant_index", "invalid_index")


@register
class UnusedIndexes(Rule):
    name = "unused_indexes"
    kinds = ("unused_index",)
    category = "indexes"
    title = "Unused indexes"
    order = 45  # after the duplicate and invalid rules: an index is proposed for dropping once

    option_fields = ("window", "min_observation_days")
    depends_on = ("duplicate_indexes", "invalid_indexes")

    def conditions(self, ctx: RuleContext, options: AdvisorOptions, ran: set[str]) -> dict[str, Any]:
        found = super().conditions(ctx, options, ran)
        found["min_observation_days"] = ctx.min_observation_days(options)
        return found

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        if ctx.history.relations_collected_at() is None:
            raise RuleSkipped("no relations collection yet", ctx.history.collect_hint("relations"))
        indexes = ctx.history.indexes()
        already = {f.object_key for f in ctx.findings if f.kind in DROP_KINDS}
        needed = ctx.min_observation
        lookback = ctx.now - max(ctx.options.window, needed)
        usage = ctx.history.index_scans_since(lookback)
        resets = ctx.history.resets_since(min((i.first_seen for i in indexes), default=ctx.now))
        findings, early = [], []
        for index in indexes:
            if (index.is_primary or index.is_unique or index.constraint_type or not index.is_valid
                    or index.qualified_name in already):
                continue
            scans, _first = usage.get(index.seq, (0, None))
            if scans > 0 or (index.last_scan is not None and index.last_scan >= lookback):
                continue  # used (PG 16+: scanned between two samples)
            # Observed since the relations collector first saw it, or the latest reset or restart since.
            start, why = observation.observation_start(index.first_seen, resets)
            seen = observation.observed(ctx.now, start)
            if seen < needed:
                early.append((index, seen, why))
                continue
            findings.append(self._finding(ctx, index, seen, start, why))
        if early:
            ctx.blind(observation.TOO_EARLY, observation.too_early([s for _i, s, _w in early], needed),
                      hint=f"statistics must cover an index for {observation.fmt_days(needed)} days before it "
                           "counts as unused (DBCONSOLE_ADVISOR_MIN_OBSERVATION_DAYS, or this target's machine "
                           "facts); a statistics reset or a server restart starts the count again",
                      objects=tuple(f"{i.qualified_name}: {observation.fmt_days(s)} days observed"
                                    + (f" (since the {w})" if w else "") for i, s, w in early))
        for finding in ctx.findings:
            if finding.kind in DROP_KINDS:
                dropped = next((i for i in indexes if i.qualified_name == finding.object_key), None)
                if dropped is not None and usage.get(dropped.seq, (None, None))[0] == 0:
                    finding.evidence.setdefault("notes", []).append(
                        "It was not scanned once in the window either.")
        return findings

    def resolution(self, ctx: RuleContext, rec: Recommendation, *, comparable: bool) -> str | None:
        """Gone when dropped (the shared check), scanned since, now proposed by another rule, or no
        longer a candidate (it became unique or backs a constraint) — never merely "too early"."""
        gone = super().resolution(ctx, rec, comparable=comparable)
        if gone:
            return gone
        index = next((i for i in ctx.history.indexes() if i.qualified_name == rec.object_key), None)
        if index is None:
            return None
        other = next((f for f in ctx.findings if f.kind in DROP_KINDS and f.object_key == rec.object_key), None)
        if other is not None:
            return f"now proposed as {other.kind.replace('_', ' ')}"
        if index.is_primary or index.is_unique or index.constraint_type:
            return "it now enforces a constraint"
        if index.last_scan is not None and index.last_scan > rec.last_seen_at:
            return f"scanned at {fmt_time(index.last_scan)}"   # PG 16+: after it was last called unused
        if not comparable:
            return None   # "scanned since" depends on the lookback, which depends on the run's options
        lookback = ctx.now - max(ctx.options.window, ctx.min_observation)
        scans = ctx.history.index_scans_since(lookback).get(index.seq, (0, None))[0]
        if scans > 0:
            return f"scanned {fmt_count(scans)} time(s) since {fmt_time(lookback)}"
        return None

    def _finding(self, ctx: RuleContext, index: IndexInfo, seen: dt.timedelta, since: dt.datetime | None,
                 restarted_by: str | None) -> Finding:
        # Proposed only after the minimum observation: a warning when it is big (unused_index_bytes).
        severity = WARNING if ctx.thresholds.grade("unused_index_bytes", index.bytes or 0) == WARNING else INFO
        writes = ctx.history.table_writes(index.table_seq)
        ev = Evidence()
        ev.fact("Index", index.qualified_name)
        ev.fact("Size", index.bytes, fmt_bytes(index.bytes))
        ev.fact("Scans while observed", 0, "0", hint=f"observed for {fmt_duration(seen.total_seconds())}, "
                f"since {fmt_time(since)}")
        ev.fact("Scans since statistics were reset", index.scans_total, fmt_count(index.scans_total))
        if ctx.target.server_major and ctx.target.server_major >= 16:
            ev.fact("Last scan (last_idx_scan)", index.last_scan, fmt_time(index.last_scan) if index.last_scan
                    else "never since statistics were reset")
        if writes is not None:
            ev.fact("Rows written to the table in the window", writes, fmt_count(writes),
                    hint="each insert and non-HOT update also updates this index")
        ev.sql("Definition", index.definition)
        ev.note(f"Statistics covered it for {observation.fmt_days(seen)} days (at least "
                f"{observation.fmt_days(ctx.min_observation)} are required) without a single scan.")
        if restarted_by:
            ev.note(f"The observation counts from the {restarted_by} at {fmt_time(since)}: scans before it may "
                    "have been lost with the counters.")
        ev.caveat("Usage on replicas is unknown unless they are dbconsole targets too: queries that run only on a "
                  "replica use its indexes without the primary's statistics showing it.")
        ev.ids(index_seq=index.seq, table_seq=index.table_seq)
        ev.chart("index-scans", "Scans of the index")
        return Finding(
            kind="unused_index", object_key=index.qualified_name, object_label=index.qualified_name,
            severity=severity, title=f"Unused index {index.name} on {index.table_name}",
            summary=f"{index.qualified_name} ({fmt_bytes(index.bytes)}) was not scanned in "
                    f"{observation.fmt_days(seen)} days of statistics, yet every write to {index.table_name} "
                    "maintains it.",
            evidence=ev.to_dict(), material={"definition": index.definition, "size_class": size_class(index.bytes)},
            benefit=f"{fmt_bytes(index.bytes)} of disk and cache; cheaper writes to {index.table_name}",
            cost="DROP INDEX CONCURRENTLY blocks nothing; the rollback rebuilds it concurrently if a query missed it",
            benefit_score=float(index.bytes or 0), table=index.table_qualified,
            changes=[drop_index(index.schema, index.table_name, index.name, "unused")],
        )

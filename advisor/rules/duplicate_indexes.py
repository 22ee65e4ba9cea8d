"""Duplicate and redundant indexes: another index of the same table serves every scan this one serves.

* **duplicate** — same method, keys (columns or expressions, with operator classes, collations and
  directions), INCLUDE list and predicate: every write maintains both, the planner uses one.
* **redundant** — a btree whose keys are a strict prefix of another btree's keys, with the same
  predicate and its INCLUDE columns available in the other: the longer index serves the same scans
  (a little larger per entry, which is why it is "info" unless the redundant index is big).

Never proposed for dropping: primary keys, unique indexes that the other one does not replace
(a unique index enforces something), indexes backing a constraint, invalid indexes (their own rule).
Definitions come from the history store (``Relation.definition``, ``pg_get_indexdef`` as collected);
sizes and scans from the latest relations snapshot.

Which one of a pair to keep is deterministic and stable: the one backing a constraint, then the
unique one, then the one scanned more over the window (the planner picks one of two identical
indexes consistently, so even a short window shows which one it uses), then the older one (seen
first, then the lower oid). The choice waits until both indexes were sampled twice (before that,
their scans are unknown and the rule says so); once recommended it is kept while both indexes exist
and neither starts or stops backing a constraint: the same evidence never yields "drop A" one hour
and "drop B" the next, whatever the scans do later.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from advisor.rules import observation
from advisor.rules.base import Rule, register
from advisor.rules.changes import drop_index
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count, size_class
from advisor.rules.facts import IndexInfo
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import INFO, WARNING
from pgsql.indexdefs import IndexShape, parse_index


def _protected(index: IndexInfo) -> bool:
    return index.is_primary or bool(index.constraint_type) or not index.is_valid


def _structural(index: IndexInfo) -> tuple[int, int]:
    """What a decision to keep an index may never ignore: backing a constraint, then enforcing uniqueness."""
    return (0 if _protected(index) else 1, 0 if index.is_unique else 1)


def _age(index: IndexInfo) -> tuple[dt.datetime, int]:
    return (index.first_seen, index.oid)


def _previous_keep(ctx: RuleContext, kind: str, members: list[IndexInfo]) -> IndexInfo | None:
    """The index an earlier, unresolved recommendation of this group kept, if it is still a member."""
    by_seq = {m.seq: m for m in members}
    for index in members:
        rec = ctx.previous.get((kind, index.qualified_name))
        if rec is not None:
            kept = by_seq.get((rec.evidence or {}).get("ids", {}).get("keep_seq"))
            if kept is not None and kept.seq != index.seq:
                return kept
    return None


@register
class DuplicateIndexes(Rule):
    name = "duplicate_indexes"
    kinds = ("duplicate_index", "redundant_index")
    category = "indexes"
    title = "Duplicate and redundant indexes"
    order = 30
    absence_is_proof = True  # structural: every index is compared afresh each run

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        if ctx.history.relations_collected_at() is None:
            raise RuleSkipped("no relations collection yet", ctx.history.collect_hint("relations"))
        indexes = ctx.history.indexes()
        by_table: dict[int, list[tuple[IndexInfo, IndexShape]]] = defaultdict(list)
        for index in indexes:
            shape = parse_index(index.definition)
            if shape is not None and index.is_valid:
                by_table[index.table_seq].append((index, shape))
        findings: list[Finding] = []
        dropped: set[int] = set()
        waiting: list[str] = []
        for group in by_table.values():
            for finding in self._duplicates(ctx, group, dropped, waiting):
                findings.append(finding)
            for finding in self._redundant(ctx, group, dropped):
                findings.append(finding)
        if waiting:
            ctx.blind(observation.TOO_EARLY, f"which of {len(waiting)} duplicate index(es) to keep: too early to "
                      "tell (scans unknown until a second relations collection)",
                      hint="wait for the next relations collection", objects=tuple(waiting))
        return findings

    def _duplicates(self, ctx: RuleContext, group: list[tuple[IndexInfo, IndexShape]],
                    dropped: set[int], waiting: list[str]) -> list[Finding]:
        same: dict[tuple[str, tuple[str, ...], tuple[str, ...], str], list[tuple[IndexInfo, IndexShape]]] = {}
        for index, shape in group:
            same.setdefault((shape.method, shape.keys, shape.include, shape.predicate), []).append((index, shape))
        out = []
        for members in same.values():
            if len(members) < 2:
                continue
            keep = self._keep(ctx, [m[0] for m in members])
            if keep is None:
                waiting.extend(m[0].qualified_name for m in members)
                continue
            keep_shape = next(shape for index, shape in members if index.seq == keep.seq)
            for index, shape in members:
                if index.seq == keep.seq:
                    continue
                if _protected(index) or (shape.unique and not keep_shape.unique):
                    continue  # both enforce something, or this one enforces what the kept one does not
                dropped.add(index.seq)
                out.append(self._finding(ctx, "duplicate_index", index, keep, "warning",
                                         f"{index.name} is an exact duplicate of {keep.name}"))
        return out

    def _redundant(self, ctx: RuleContext, group: list[tuple[IndexInfo, IndexShape]],
                   dropped: set[int]) -> list[Finding]:
        out = []
        for index, shape in group:
            if index.seq in dropped or _protected(index) or shape.unique:
                continue
            covering = [(other, o) for other, o in group
                        if other.seq != index.seq and other.seq not in dropped and shape.is_prefix_of(o)]
            if not covering:
                continue
            shortest = min(len(o.keys) for _other, o in covering)
            candidates = [other for other, o in covering if len(o.keys) == shortest]
            kept = _previous_keep(ctx, "redundant_index", [index, *(other for other, _o in covering)])
            keep = kept if kept is not None and kept in [other for other, _o in covering] else \
                min(candidates, key=lambda m: (_structural(m), _age(m)))
            severity = WARNING if ctx.thresholds.grade("redundant_index_bytes", index.bytes or 0) == WARNING else INFO
            dropped.add(index.seq)
            out.append(self._finding(ctx, "redundant_index", index, keep, severity,
                                     f"the keys of {index.name} are a prefix of {keep.name}'s"))
        return out

    def _keep(self, ctx: RuleContext, members: list[IndexInfo]) -> IndexInfo | None:
        """The duplicate to keep (see the module doc): an earlier choice stands unless the structure
        changed; otherwise constraint, uniqueness, scans over the window, age. None while the scans
        that would decide are unknown."""
        best = min(_structural(m) for m in members)
        kept = _previous_keep(ctx, "duplicate_index", members)
        if kept is not None and _structural(kept) == best:
            return kept
        ranked = [m for m in members if _structural(m) == best]
        if len(ranked) == 1:
            return ranked[0]
        if any(m.scans_window is None for m in ranked):
            return None
        return min(ranked, key=lambda m: (-(m.scans_window or 0), _age(m)))

    def _finding(self, ctx: RuleContext, kind: str, index: IndexInfo, keep: IndexInfo, severity: str,
                 why: str) -> Finding:
        ev = Evidence()
        ev.fact("Index to drop", index.qualified_name)
        ev.fact("Its size", index.bytes, fmt_bytes(index.bytes))
        ev.fact("Scans in the window", index.scans_window, fmt_count(index.scans_window),
                hint=f"since {ctx.history.observed_label(index)}")
        ev.fact("Kept instead", keep.qualified_name)
        ev.fact("Kept index's scans in the window", keep.scans_window, fmt_count(keep.scans_window))
        writes = ctx.history.table_writes(index.table_seq)
        if writes is not None:
            ev.fact("Rows written to the table in the window", writes, fmt_count(writes),
                    hint="each insert and non-HOT update also updates this index")
        ev.sql("Index to drop", index.definition)
        ev.sql("Index kept", keep.definition)
        ev.note(f"{why}: every scan it can serve, {keep.name} serves too.")
        if kind == "redundant_index":
            ev.note("A scan that used the shorter index reads the longer one instead; it is wider per entry, "
                    "so such scans read a few more pages.")
        ev.ids(index_seq=index.seq, table_seq=index.table_seq, keep_seq=keep.seq)
        ev.chart("index-scans", "Scans of both indexes")
        label = "Duplicate" if kind == "duplicate_index" else "Redundant"
        return Finding(
            kind=kind, object_key=index.qualified_name, object_label=index.qualified_name, severity=severity,
            title=f"{label} index {index.name} on {index.table_name}",
            summary=f"{index.qualified_name}: {why}. Dropping it saves {fmt_bytes(index.bytes)} and the work "
                    f"of maintaining it on every write to {index.table_name}.",
            evidence=ev.to_dict(),
            material={"definition": index.definition, "kept": keep.definition, "size_class": size_class(index.bytes)},
            benefit=f"{fmt_bytes(index.bytes)} of disk and cache; cheaper writes to {index.table_name}",
            cost="DROP INDEX CONCURRENTLY: waits for running transactions, blocks no reads or writes",
            benefit_score=float(index.bytes or 0), table=index.table_qualified,
            changes=[drop_index(index.schema, index.table_name, index.name, "duplicate" if kind == "duplicate_index"
                                else "redundant", covered_by=keep.name)],
        )

"""Index reports for the Indexes page: size, scans over the range, last use, and flags — unused,
duplicate, redundant, invalid — assembled from the history store's selectors.

Duplicate and redundant indexes are recognised the way the advisor's rule does it, with the same
parser (``pgsql.indexdefs``): same method, keys (columns or expressions, operator classes,
collations, directions), INCLUDE list and predicate; a btree is redundant when its keys are a strict
prefix of another's. A primary key, a unique index or one backing a constraint is never marked as a
drop candidate, whatever its flags: it enforces something.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from monitoring.history.selectors import relation_ranges
from monitoring.history.selectors.relations import IndexRow, indexes
from pgsql.indexdefs import IndexShape, parse_index


@dataclass
class IndexReport:
    seq: int
    name: str
    table: str
    definition: str
    is_valid: bool
    protected: str            # why it must stay ("primary key", "unique", "constraint"), or ""
    bytes: int
    scans: int | None         # over the range; None until sampled twice
    scans_total: int          # since the server's statistics were reset
    counted_since: dt.datetime | None
    last_used: dt.datetime | None
    last_used_note: str
    est_bloat_bytes: int | None
    exact_bloat_bytes: int | None
    duplicate_of: list[str] = field(default_factory=list)
    covered_by: list[str] = field(default_factory=list)
    unused: bool = False
    drop: bool = False
    not_seen_since: dt.datetime | None = None   # PostgreSQL < 16: never seen scanning since then
    seen_after: dt.datetime | None = None       # PostgreSQL < 16: scanned between this and last_used

    @property
    def shape(self) -> str:
        """``btree (customer, status)``: the definition without the name and table already shown."""
        _head, found, rest = self.definition.partition(" USING ")
        return rest if found else self.definition

    @property
    def flags(self) -> str:
        """The flags as words, for the text filter and the CSV."""
        words = [w for w, on in (("invalid", not self.is_valid), ("unused", self.unused),
                                 ("duplicate", bool(self.duplicate_of)), ("redundant", bool(self.covered_by)),
                                 ("drop candidate", self.drop)) if on]
        return ", ".join(words)


# -- assembling the reports --------------------------------------------------------------------------------------


def index_reports(target_id: int, major: int | None, start: dt.datetime, end: dt.datetime) -> list[IndexReport]:
    """Every live index with its use over [start, end] and its flags. Three to six history queries."""
    found = [i for i in indexes(target_id) if i.table is not None]
    usage = relation_ranges.index_usage(target_id, start, end)
    has_last_scan = (major or 0) >= 16
    reports = [_report(i, usage.get(i.relation.seq), has_last_scan) for i in found]
    _mark_unused(reports, start, has_last_scan)
    if not has_last_scan:
        quiet = [r.seq for r in reports if r.last_used is None]
        _fill_last_seen(reports, relation_ranges.index_last_seen(target_id, quiet, end))
    _mark_duplicates(found, reports)
    return reports


def _protected(i: IndexRow) -> str:
    rel = i.relation
    if rel.is_primary:
        return "primary key"
    if rel.constraint_type:
        return {"u": "unique constraint", "x": "exclusion constraint"}.get(rel.constraint_type, "constraint")
    if rel.is_unique:
        return "unique"
    return ""


def _report(i: IndexRow, use: relation_ranges.IndexUsage | None, has_last_scan: bool) -> IndexReport:
    rel = i.relation
    known = use is not None and use.known
    if has_last_scan:
        last, note = i.last_scan, "" if i.last_scan else "never, since the statistics were reset"
    elif use is not None and use.last_seen_scanning is not None:
        last, note = use.last_seen_scanning, "unknown (PostgreSQL < 16): last seen scanning before this sample"
    else:
        last, note = None, ""
    return IndexReport(
        seq=rel.seq, name=rel.qualified_name, table=i.table.qualified_name if i.table else "",
        definition=rel.definition, is_valid=rel.is_valid, protected=_protected(i), bytes=i.bytes,
        scans=use.scans if known and use is not None else None, scans_total=i.scans,
        counted_since=use.since if known and use is not None else None, last_used=last, last_used_note=note,
        est_bloat_bytes=i.est_bloat_bytes, exact_bloat_bytes=i.exact_bloat_bytes,
        seen_after=use.last_seen_after if use is not None and not has_last_scan else None,
    )


def _mark_unused(reports: list[IndexReport], start: dt.datetime, has_last_scan: bool) -> None:
    for r in reports:
        if r.scans != 0 or not r.is_valid:
            continue  # unknown, used, or invalid (never used by the planner anyway: its own flag)
        if has_last_scan and r.last_used is not None and r.last_used >= start:
            continue  # scanned between two samples, after the range began
        r.unused = True
        r.drop = r.drop or not r.protected


def _fill_last_seen(reports: list[IndexReport], seen: dict[int, relation_ranges.LastSeen]) -> None:
    for r in reports:
        found = seen.get(r.seq)
        if found is None:
            continue
        if found.at is not None:
            r.last_used, r.seen_after = found.at, found.after
            r.last_used_note = "unknown (PostgreSQL < 16): last seen scanning before this sample"
        else:
            r.not_seen_since = found.watched_since
            r.last_used_note = "unknown (PostgreSQL < 16): not seen scanning since the oldest sample"


def _mark_duplicates(found: list[IndexRow], reports: list[IndexReport]) -> None:
    by_seq = {r.seq: r for r in reports}
    by_table: dict[int, list[tuple[IndexRow, IndexShape]]] = defaultdict(list)
    for i in found:
        shape = parse_index(i.relation.definition)
        if shape is not None and i.relation.is_valid and i.table is not None:
            by_table[i.table.seq].append((i, shape))
    for group in by_table.values():
        same: dict[tuple[object, ...], list[tuple[IndexRow, IndexShape]]] = defaultdict(list)
        for i, shape in group:
            same[(shape.method, shape.keys, shape.include, shape.predicate)].append((i, shape))
            for other, other_shape in group:
                # A unique index with fewer keys enforces more than the longer one: not redundant.
                if other is not i and not shape.unique and shape.is_prefix_of(other_shape):
                    by_seq[i.relation.seq].covered_by.append(other.relation.name)
        for members in same.values():
            if len(members) < 2:
                continue
            members.sort(key=lambda m: _keep_first(by_seq[m[0].relation.seq]))
            for i, _shape in members:
                report = by_seq[i.relation.seq]
                report.duplicate_of = [o.relation.name for o, _ in members if o is not i]
                if i is not members[0][0] and not report.protected:
                    report.drop = True
        for i, _shape in group:
            report = by_seq[i.relation.seq]
            if report.covered_by and not report.protected:
                report.drop = True


def _keep_first(r: IndexReport) -> tuple[int, int, int]:
    """Of identical indexes, the one to keep comes first: one that enforces something, then the most
    scanned, then the oldest (lowest seq)."""
    return (0 if r.protected else 1, -(r.scans or 0), r.seq)

"""Is a recommendation's condition verifiably gone on the target? The checks every rule shares.

A recommendation is resolved only when the target shows that its condition is gone — never because a
run happened not to find it (a smaller budget, a rule left out, a sequence it could not read). What
the history store can prove, from the latest relations collection and the workload window:

* the change is done: the proposed index exists (an index on the same table whose keys start with the
  proposed ones, same predicate or none, valid); the index to drop or rebuild no longer exists;
* the object is gone: the table it concerns was dropped ("gone" means the relations collector saw it
  disappear — a relation merely missing from a snapshot proves nothing);
* the statements an index was proposed for did not run in the window any more (``ids.queryids`` in
  its evidence) — only when the run is comparable (same window) and the statements collector has
  stored something since the recommendation was last seen.

Rules add their own checks (``Rule.resolution``): the unused index that was scanned, the sequence
read again below its threshold.
"""

from __future__ import annotations

from typing import Any

from advisor.models import Recommendation
from advisor.rules.facts import IndexInfo
from advisor.rules.history import History
from pgsql.ident import quote_ident_if_needed
from pgsql.indexdefs import IndexShape, parse_index


def gone_reason(history: History, rec: Recommendation, *, comparable: bool) -> str | None:
    """Why ``rec``'s condition is verifiably gone on the target, or None when nothing proves it."""
    if history.relations_collected_at() is not None:   # what the target's tables and indexes show
        table = _table_gone(history, rec.table)
        if table:
            return table
        done = changes_done(history, rec.changes or [])
        if done:
            return done
    if comparable:
        return _statements_gone(history, rec)
    return None


def changes_done(history: History, changes: list[dict[str, Any]]) -> str | None:
    """A reason when every change spec is visible on the target; None if any is not (or cannot be told)."""
    if not changes:
        return None
    reasons = []
    for spec in changes:
        reason = _done(history, spec)
        if reason is None:
            return None
        reasons.append(reason)
    return "; ".join(reasons)


def _done(history: History, spec: dict[str, Any]) -> str | None:
    kind = spec.get("type")
    if kind in ("create_index", "fk_index"):
        existing = covering_index(history.indexes(), spec)
        return f"index {existing.qualified_name} now exists ({existing.definition})" if existing else None
    if kind in ("drop_index", "reindex"):
        schema, name = str(spec.get("schema")), str(spec.get("name"))
        return f"index {schema}.{name} no longer exists" if history.relation_gone(schema, name) else None
    return None


def _table_gone(history: History, qualified: str) -> str | None:
    if not qualified or "." not in qualified:
        return None
    schema, name = qualified.split(".", 1)
    return f"table {qualified} no longer exists" if history.relation_gone(schema, name) else None


def _statements_gone(history: History, rec: Recommendation) -> str | None:
    queryids = (rec.evidence or {}).get("ids", {}).get("queryids")
    if not queryids:
        return None
    collected = history.statements_collected_at()
    if collected is None or collected <= rec.last_seen_at:
        return None
    ran = {s.queryid for s in history.statements() if s.calls > 0}
    if ran & set(queryids):
        return None
    return "the statements it served did not run in the window any more"


def _proposal_shape(spec: dict[str, Any]) -> IndexShape | None:
    q = quote_ident_if_needed
    keys = ([f"({spec['expression']})"] if spec.get("expression") else []) + [q(c) for c in spec.get("columns") or []]
    if not keys:
        return None
    text = f"CREATE INDEX x ON {q(str(spec.get('schema')))}.{q(str(spec.get('table')))} ({', '.join(keys)})"
    if spec.get("include"):
        text += f" INCLUDE ({', '.join(q(c) for c in spec['include'])})"
    if spec.get("where"):
        text += f" WHERE {spec['where']}"
    return parse_index(text)


def covering_index(indexes: list[IndexInfo], spec: dict[str, Any]) -> IndexInfo | None:
    """A valid index of the spec's table that serves what the proposed one would: its keys start with
    the proposed keys (for a foreign key: the same columns in any order), the same predicate or none,
    the INCLUDE columns available."""
    wanted = _proposal_shape(spec)
    if wanted is None:
        return None
    table = (spec.get("schema"), spec.get("table"))
    n = len(wanted.keys)
    for index in indexes:
        if (index.schema, index.table_name) != table or not index.is_valid:
            continue
        shape = parse_index(index.definition)
        methods = ("btree", "hash") if spec.get("type") == "fk_index" else ("btree",)
        if shape is None or shape.method not in methods or len(shape.keys) < n:
            continue
        lead = shape.keys[:n]
        keys_match = set(lead) == set(wanted.keys) if spec.get("type") == "fk_index" else lead == wanted.keys
        if not keys_match or shape.predicate not in ("", wanted.predicate):
            continue
        if set(wanted.include) <= set(shape.keys) | set(shape.include):
            return index
    return None

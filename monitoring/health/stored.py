"""Checks on what the collectors stored about the database itself: wraparound age (database collector),
sequence overflow (sequences collector, daily) and invalid indexes (relations collector).

Each reads the newest stored state and is then ``degrade``-d by its collector's health: a failing or
stopped collector turns an ok into unknown. Sequences the monitoring role may not read are unknown
whatever the others say, with the GRANT per schema that lets us read them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dbconsole.thresholds import DEFAULT, OK, UNKNOWN, WARNING, XID_LIMIT, Thresholds, grade_sequence
from dbconsole.verdicts import ORDER, from_grade, worst
from monitoring.health.check import Check, Detail, bound_of, plural
from monitoring.health.feeds import collect_now, degrade, feed_blind, not_collected, role_of
from monitoring.history.selectors.health import HealthInputs
from pgsql.ident import quote_ident_to_print


def wraparound(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    blind = feed_blind(inputs, "database", at, limits)
    database = inputs.database
    if database is None or database["xid_age"] is None:
        return degrade(Check("wraparound", "Wraparound age", UNKNOWN, "not collected yet", page="maintenance",
                             fix=not_collected(inputs, "database")), blind)
    ages = (("XID", int(database["xid_age"]), inputs.freeze_max_age, "autovacuum_freeze_max_age"),
            ("MXID", int(database["mxid_age"] or 0), inputs.multixact_freeze_max_age,
             "autovacuum_multixact_freeze_max_age"))
    parts, candidates = [], []
    for label, age, limit, setting in ages:
        parts.append(f"{label} age {age:,} ({age / limit:.0%} of {setting})")
        # Graded against the freeze setting (a ratio) and against the hard limit (an age); the worse
        # decides, and its value and bound are what the check reports.
        ratio = from_grade(limits.grade("wraparound_freeze_age_ratio", age / limit))
        candidates.append((ORDER[ratio], 0, age / limit, ratio, "wraparound_freeze_age_ratio"))
        absolute = from_grade(limits.grade("wraparound_age", age))
        if absolute != OK:
            candidates.append((ORDER[absolute], 1, float(age), absolute, "wraparound_age"))
    _rank, _absolute, value, status, key = max(candidates)
    threshold = bound_of(limits, key, status)
    details = tuple(
        Detail(t.name, f"XID age {t.xid_age:,} ({t.xid_age / inputs.freeze_max_age:.0%}), "
                       f"MXID age {t.mxid_age:,} ({t.mxid_age / inputs.multixact_freeze_max_age:.0%})")
        for t in inputs.oldest_tables
    )
    fix = ""
    if status != OK:
        oldest = f" (oldest: VACUUM (FREEZE, VERBOSE) {_qualified(inputs.oldest_tables[0].name)};)" \
            if inputs.oldest_tables else ""
        fix = (f"a forced anti-wraparound vacuum is due; see that it runs and finishes{oldest} — the server "
               f"stops at {XID_LIMIT:,}: look for long transactions, stale replication slots or prepared "
               "transactions holding it back")
    note = "" if inputs.settings_known else \
        "graded against PostgreSQL's default freeze settings until the settings collector has read them"
    return degrade(Check("wraparound", "Wraparound age", status, "; ".join(parts), value=value, threshold=threshold,
                         fix=fix, note=note, details=details, page="maintenance", as_of=database["captured_at"]),
                   blind)


def _qualified(name: str) -> str:
    """``schema.table`` as stored (the first dot separates them: a schema name rarely holds one)."""
    schema, _, table = name.partition(".")
    return f"{quote_ident_to_print(schema)}.{quote_ident_to_print(table)}" if table else quote_ident_to_print(name)


def sequence_overflow(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    blind = feed_blind(inputs, "sequences", at, limits)
    watch = limits.bound("sequence_used_percent", WARNING)
    if inputs.sequences_at is None:
        return degrade(Check("sequences", "Sequence overflow", UNKNOWN, "not collected yet (daily)",
                             fix=not_collected(inputs, "sequences"), page="tables#sequences"), blind)
    # The selector reads from its ``sequence_watch`` (the lowest warning among the targets it reads).
    watched = [s for s in inputs.sequences if _sequence_grade(s, limits) != OK]
    details = []
    for s in watched:
        pct = float(s["percent_used"])
        feeds = f", feeds {s['column']} ({s.get('column_type') or '?'})" if s.get("column") else ""
        details.append(Detail(f"{s['schema']}.{s['name']}",
                              f"{pct:.1f}% used ({int(s['last_value']):,} of {int(s['max_value']):,}){feeds}",
                              status=_sequence_grade(s, limits)))
    role = role_of(inputs)
    grants = [f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {quote_ident_to_print(schema)} TO {role};"
              for schema in sorted({s["schema"] for s in inputs.unreadable_sequences})]
    for s in inputs.unreadable_sequences:
        details.append(Detail(f"{s['schema']}.{s['name']}", f"not readable by {role}: its use is unknown",
                              fix=f"GRANT SELECT ON SEQUENCE {_sequence_name(s)} TO {role};", status=UNKNOWN))
    for s in inputs.busy_sequences:
        details.append(Detail(f"{s['schema']}.{s['name']}", "locked by another session when collected: skipped",
                              fix=f"read again at the next collection, or now: {collect_now(inputs, 'sequences')}",
                              status=UNKNOWN))
    status = worst((d.status for d in details), default=OK)
    fullest = float(watched[0]["percent_used"]) if watched else max(
        (float(s["percent_used"]) for s in inputs.sequences), default=None)
    parts = []
    if watched:
        parts.append(f"{plural(len(watched), 'sequence')} at {watch:.0f}% or more; fullest {details[0].label}")
    if inputs.unreadable_sequences:
        parts.append(f"{plural(len(inputs.unreadable_sequences), 'sequence')} not readable by {role}")
    if inputs.busy_sequences:
        parts.append(f"{plural(len(inputs.busy_sequences), 'sequence')} locked when collected")
    if not watched:
        parts.append(f"{'every' if status == OK else 'the readable ones'} below {watch:.0f}% of their range")
    fixes = []
    if watched:
        fixes.append("move the column (and ALTER SEQUENCE … AS bigint) to bigint before the range runs out")
    if grants:
        fixes.append(" ".join(grants) + f" (or, PostgreSQL 14+: GRANT pg_read_all_data TO {role};)")
    if inputs.busy_sequences:
        fixes.append(f"collect again: {collect_now(inputs, 'sequences')}")
    threshold = bound_of(limits, "sequence_used_percent", status)
    return degrade(Check("sequences", "Sequence overflow", status, "; ".join(parts), value=fullest,
                         threshold=threshold, fix="; ".join(fixes) if status != OK else "",
                         details=tuple(details), as_of=inputs.sequences_at, page="tables#sequences"), blind)


def _sequence_name(sequence: dict[str, Any]) -> str:
    return f"{quote_ident_to_print(sequence['schema'])}.{quote_ident_to_print(sequence['name'])}"


def _sequence_grade(sequence: dict[str, Any], limits: Thresholds) -> str:
    return from_grade(grade_sequence(float(sequence["percent_used"]), bool(sequence.get("cycle")), limits))


def invalid_indexes(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    blind = feed_blind(inputs, "relations", at, limits)
    if inputs.tables_at is None:
        return degrade(Check("invalid_indexes", "Invalid indexes", UNKNOWN, "not collected yet", page="indexes",
                             fix=not_collected(inputs, "relations")), blind)
    if not inputs.invalid_indexes:
        return degrade(Check("invalid_indexes", "Invalid indexes", OK, "no invalid index", value=0.0,
                             as_of=inputs.tables_at, page="indexes"), blind)
    count = len(inputs.invalid_indexes)
    return degrade(Check(
        "invalid_indexes", "Invalid indexes", WARNING,
        f"{plural(count, 'invalid index', 'invalid indexes')}: {', '.join(inputs.invalid_indexes[:5])}",
        value=float(count), details=tuple(Detail(name, "not used by queries, still maintained on every write",
                                                 fix=f"REINDEX INDEX CONCURRENTLY {_qualified(name)};",
                                                 status=WARNING)
                                          for name in inputs.invalid_indexes),
        fix="left by a failed CREATE INDEX CONCURRENTLY: REINDEX INDEX CONCURRENTLY, or drop it",
        as_of=inputs.tables_at, page="indexes"), blind)

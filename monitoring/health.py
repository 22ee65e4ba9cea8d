"""Health checks with a severity: what an on-call engineer should look at first.

Two sources feed the same checks:

* the target now (``monitoring.live.now.Now``): long-running queries, sessions idle in transaction,
  sessions waiting on locks, connection saturation, cache hit ratio — on the overview;
* the history store (``selectors.health.HealthInputs``): wraparound age, sequence overflow, invalid
  indexes, replication lag, archiver failures, collector errors — and, for the fleet page (which never
  connects to targets) or an unreachable target, the "now" checks again from the newest activity sample.

Severities, mildest first: ``unknown`` (no data yet), ``ok``, ``info``, ``warning``, ``critical``.
Every threshold comes from ``dbconsole.thresholds`` (the target's overrides applied: pass
``thresholds_for(target)`` as ``limits``), the one table the advisor's rules (and next the alert rules)
read too: the page can say why a check fired, and no other page grades the same state differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import filesizeformat

from dbconsole.formatting import format_duration
from dbconsole.thresholds import (
    CRITICAL,
    DEFAULT,
    INFO,
    OK,
    RANK,
    UNKNOWN,
    WARNING,
    XID_LIMIT,
    Thresholds,
    grade_sequence,
    grade_wraparound,
)
from monitoring.history.selectors.health import HealthInputs
from monitoring.live.now import Now
from monitoring.models import CollectorStatus
from monitoring.targets.connect import TargetError

LEVEL = {UNKNOWN: "muted", OK: "ok", INFO: "info", WARNING: "warn", CRITICAL: "error"}

# Not a severity: how old the newest activity sample may be to stand in for "now" (else no such check).
ACTIVITY_FRESH = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Detail:
    label: str
    text: str
    hint: str = ""
    severity: str = ""


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    severity: str
    summary: str
    details: tuple[Detail, ...] = ()
    hint: str = ""
    page: str = ""                       # url name of the page that looks closer
    as_of: dt.datetime | None = None     # when the data was collected (None: read just now)

    @property
    def level(self) -> str:
        return LEVEL[self.severity]

    @property
    def rank(self) -> int:
        return RANK[self.severity]


def worst(checks: Iterable[Check]) -> str:
    return max((c.severity for c in checks), key=RANK.__getitem__, default=UNKNOWN)


def by_severity(checks: Iterable[Check]) -> list[Check]:
    """Worst first; checks of equal severity keep their order."""
    return sorted(checks, key=lambda c: -c.rank)


# -- the overview and the fleet -----------------------------------------------------------------------

def overview_checks(now: Now | None, error: TargetError | None, inputs: HealthInputs,
                    at: dt.datetime, limits: Thresholds = DEFAULT) -> list[Check]:
    """Live checks when the target answered, else its error and the same checks from the newest sample."""
    if now is not None:
        checks = live_checks(now, limits)
    else:
        checks = []
        if error is not None:
            checks.append(Check("reachable", "Target reachable", CRITICAL, f"{error.status}: {error.message}",
                                hint=error.hint))
        checks += activity_checks(inputs, at, limits)
    return by_severity([*checks, *history_checks(inputs, at, limits)])


def fleet_checks(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> list[Check]:
    """History only: the fleet page never connects to a target."""
    return by_severity([*activity_checks(inputs, at, limits), *history_checks(inputs, at, limits)])


def live_checks(now: Now, limits: Thresholds = DEFAULT) -> list[Check]:
    longest = now.longest_query.total_seconds() if now.longest_query else 0.0
    return [
        _long_queries(longest, None, limits),
        Check("idle_in_transaction", "Idle in transaction",
              limits.grade("idle_in_transaction_sessions", now.idle_in_transaction),
              f"{now.idle_in_transaction} session{'s' if now.idle_in_transaction != 1 else ''} idle in transaction",
              hint="they hold locks and keep vacuum from cleaning up until the application commits"
              if now.idle_in_transaction else "", page="activity"),
        _blocked(now.waiting_on_locks, None, limits),
        _saturation(now.connections, now.max_connections, "max_connections", None, limits),
        _cache_hit(now.cache_hit_ratio, None, limits),
    ]


def activity_checks(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> list[Check]:
    """The "now" checks from the newest activity and database samples, while they are recent."""
    out = []
    sample = inputs.activity
    if sample is not None and at - sample["captured_at"] <= ACTIVITY_FRESH:
        when = sample["captured_at"]
        out.append(_long_queries(float(sample["longest_query_seconds"] or 0), when, limits))
        idle = int(sample["idle_in_transaction"] or 0)
        idle_for = float(sample["longest_idle_tx_seconds"] or 0)
        severity = limits.grade("idle_in_transaction_seconds", idle_for) if idle else OK
        out.append(Check("idle_in_transaction", "Idle in transaction", severity,
                         f"{idle} session{'s' if idle != 1 else ''} idle in transaction"
                         + (f", the longest for {format_duration(idle_for)}" if idle else ""),
                         page="activity", as_of=when))
        out.append(_blocked(int(sample["waiting_lock"] or 0), when, limits))
        usable = int(sample["max_connections"]) - int(sample["reserved_connections"])
        out.append(_saturation(int(sample["clients"]), usable, "usable connections", when, limits))
    database = inputs.database
    if database is not None:
        touched = (database["blks_hit"] or 0) + (database["blks_read"] or 0)
        ratio = database["blks_hit"] / touched if touched else None
        out.append(_cache_hit(ratio, database["captured_at"], limits))
    return out


def history_checks(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> list[Check]:
    return [
        wraparound(inputs, limits),
        sequence_overflow(inputs, limits),
        invalid_indexes(inputs),
        replication_lag(inputs, limits),
        archiver(inputs, at, limits),
        collectors(inputs.statuses, at, limits),
    ]


# -- the "now" checks ---------------------------------------------------------------------------------

def _long_queries(seconds: float, as_of: dt.datetime | None, limits: Thresholds) -> Check:
    severity = limits.grade("long_query_seconds", seconds)
    summary = f"longest running query: {format_duration(seconds)}" if seconds else "no query running"
    return Check("long_queries", "Long-running queries", severity, summary, page="activity", as_of=as_of,
                 hint=f"warning from {format_duration(limits.bound('long_query_seconds', WARNING))}, critical from "
                      f"{format_duration(limits.bound('long_query_seconds', CRITICAL))}" if severity != OK else "")


def _blocked(count: int, as_of: dt.datetime | None, limits: Thresholds) -> Check:
    return Check("blocked", "Blocked sessions", limits.grade("blocked_sessions", count),
                 f"{count} session{'s' if count != 1 else ''} waiting on a lock", page="locks", as_of=as_of)


def _saturation(used: int, limit: int, of: str, as_of: dt.datetime | None, limits: Thresholds) -> Check:
    ratio = used / limit if limit else 0.0
    return Check("connections", "Connection saturation", limits.grade("connection_saturation", ratio),
                 f"{used} of {limit} {of} ({ratio:.0%})", page="connections", as_of=as_of)


def _cache_hit(ratio: float | None, as_of: dt.datetime | None, limits: Thresholds) -> Check:
    if ratio is None:
        return Check("cache_hit", "Cache hit ratio", UNKNOWN, "no block read yet", as_of=as_of)
    severity = limits.grade("cache_hit_ratio", ratio)
    return Check("cache_hit", "Cache hit ratio", severity, f"{ratio:.2%} of blocks found in shared buffers",
                 hint="since the statistics were reset; shared_buffers may be too small for the working set"
                 if severity != OK else "", as_of=as_of)


# -- the history checks ---------------------------------------------------------------------------------

def wraparound(inputs: HealthInputs, limits: Thresholds = DEFAULT) -> Check:
    database = inputs.database
    if database is None or database["xid_age"] is None:
        return Check("wraparound", "Wraparound age", UNKNOWN, "not collected yet (database collector)",
                     page="maintenance")
    ages = (("XID", int(database["xid_age"]), inputs.freeze_max_age, "autovacuum_freeze_max_age"),
            ("MXID", int(database["mxid_age"] or 0), inputs.multixact_freeze_max_age,
             "autovacuum_multixact_freeze_max_age"))
    severity, parts = OK, []
    for label, age, limit, setting in ages:
        severity = max(severity, grade_wraparound(age, limit, limits), key=RANK.__getitem__)
        parts.append(f"{label} age {age:,} ({age / limit:.0%} of {setting})")
    details = tuple(
        Detail(t.name, f"XID age {t.xid_age:,} ({t.xid_age / inputs.freeze_max_age:.0%}), "
                       f"MXID age {t.mxid_age:,} ({t.mxid_age / inputs.multixact_freeze_max_age:.0%})")
        for t in inputs.oldest_tables
    )
    hint = ""
    if severity != OK:
        hint = (f"a forced anti-wraparound vacuum is due; see that it runs and finishes (the server stops "
                f"at {XID_LIMIT:,}): look for long transactions, stale replication slots or prepared "
                "transactions holding it back")
    return Check("wraparound", "Wraparound age", severity, "; ".join(parts), details=details, hint=hint,
                 page="maintenance", as_of=database["captured_at"])


def sequence_overflow(inputs: HealthInputs, limits: Thresholds = DEFAULT) -> Check:
    watch = limits.bound("sequence_used_percent", WARNING)
    if inputs.sequences_at is None:
        return Check("sequences", "Sequence overflow", UNKNOWN, "not collected yet (sequences collector, daily)")
    # The selector reads from its ``sequence_watch`` (the lowest warning among the targets it reads).
    watched = [s for s in inputs.sequences if _sequence_grade(s, limits) != OK]
    if not watched:
        return Check("sequences", "Sequence overflow", OK,
                     f"every sequence below {watch:.0f}% of its range", as_of=inputs.sequences_at)
    details = []
    for s in watched:
        pct = float(s["percent_used"])
        feeds = f", feeds {s['column']} ({s.get('column_type') or '?'})" if s.get("column") else ""
        details.append(Detail(f"{s['schema']}.{s['name']}",
                              f"{pct:.1f}% used ({int(s['last_value']):,} of {int(s['max_value']):,}){feeds}",
                              severity=_sequence_grade(s, limits)))
    severity = max((d.severity for d in details), key=RANK.__getitem__)
    full = details[0]
    return Check("sequences", "Sequence overflow", severity,
                 f"{len(details)} sequence{'s' if len(details) != 1 else ''} at {watch:.0f}% or more; "
                 f"fullest {full.label}", details=tuple(details), as_of=inputs.sequences_at,
                 hint="move the column (and the sequence) to bigint before the range runs out")


def _sequence_grade(sequence: dict[str, Any], limits: Thresholds) -> str:
    return grade_sequence(float(sequence["percent_used"]), bool(sequence.get("cycle")), limits)


def invalid_indexes(inputs: HealthInputs) -> Check:
    if inputs.tables_at is None:
        return Check("invalid_indexes", "Invalid indexes", UNKNOWN, "not collected yet (relations collector)")
    if not inputs.invalid_indexes:
        return Check("invalid_indexes", "Invalid indexes", OK, "no invalid index", as_of=inputs.tables_at)
    count = len(inputs.invalid_indexes)
    return Check("invalid_indexes", "Invalid indexes", WARNING,
                 f"{count} invalid index{'es' if count != 1 else ''}: {', '.join(inputs.invalid_indexes[:5])}",
                 details=tuple(Detail(name, "not used by queries, still maintained on every write")
                               for name in inputs.invalid_indexes),
                 hint="left by a failed CREATE INDEX CONCURRENTLY: REINDEX INDEX CONCURRENTLY, or drop it",
                 as_of=inputs.tables_at)


def replication_lag(inputs: HealthInputs, limits: Thresholds = DEFAULT) -> Check:
    sample = inputs.replication
    if sample is None:
        return Check("replication", "Replication lag", UNKNOWN, "not collected yet (replication collector)")
    details: list[Detail] = []
    if sample["in_recovery"]:
        delay = sample["replay_delay_seconds"]
        if delay is not None:
            details.append(Detail("this standby", f"replay {format_duration(float(delay))} behind the primary",
                                  hint="an idle primary makes this grow too",
                                  severity=limits.grade("replication_lag_seconds", float(delay))))
    for replica in sample["replicas"] or []:
        name = replica.get("application_name") or replica.get("client_addr") or f"pid {replica.get('pid')}"
        lag_s, lag_b = replica.get("replay_lag_seconds"), replica.get("replay_lag_bytes")
        severity = max(limits.grade("replication_lag_seconds", float(lag_s or 0)),
                       limits.grade("replication_lag_bytes", float(lag_b or 0)), key=RANK.__getitem__)
        if replica.get("state") not in (None, "streaming"):
            severity = max(severity, WARNING, key=RANK.__getitem__)
        details.append(Detail(name, f"{replica.get('state')}, replay {format_duration(float(lag_s or 0))} / "
                                    f"{filesizeformat(lag_b or 0)} behind", severity=severity))
    for slot in sample["slots"] or []:
        retained = float(slot.get("retained_bytes") or 0)
        severity = OK
        if slot.get("wal_status") == "lost":
            severity = CRITICAL
        elif slot.get("wal_status") == "unreserved":
            severity = WARNING
        elif not slot.get("active"):
            severity = limits.grade("slot_retained_bytes", retained)
        details.append(Detail(f"slot {slot.get('slot_name')}",
                              f"{'active' if slot.get('active') else 'inactive'}, retains "
                              f"{filesizeformat(retained)} of WAL ({slot.get('wal_status') or 'unknown'})",
                              hint="an unused slot keeps WAL (and old rows) forever: drop it"
                              if severity != OK and not slot.get("active") else "", severity=severity))
    if not details:
        return Check("replication", "Replication lag", OK, "no replica, standby role or slot",
                     page="replication", as_of=sample["captured_at"])
    severity = max((d.severity for d in details), key=RANK.__getitem__)
    bad = [d for d in details if RANK[d.severity] >= RANK[WARNING]]
    summary = (f"{len(bad)} of {len(details)} behind or at risk: {bad[0].label}" if bad
               else f"{len(details)} replica(s) / slot(s) within limits")
    return Check("replication", "Replication lag", severity, summary, details=tuple(details), page="replication",
                 as_of=sample["captured_at"])


def archiver(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    sample = inputs.replication
    if sample is None:
        return Check("archiver", "WAL archiving", UNKNOWN, "not collected yet (replication collector)")
    failed_at, archived_at = sample["last_failed_at"], sample["last_archived_at"]
    failed = int(sample["failed_count"] or 0)
    when = sample["captured_at"]
    if failed_at is not None and (archived_at is None or failed_at > archived_at):
        return Check("archiver", "WAL archiving", CRITICAL,
                     f"archiving fails: {sample['last_failed_wal']} failed at {failed_at:%Y-%m-%d %H:%M:%S} "
                     f"({failed:,} failures since the statistics reset)", as_of=when, page="replication",
                     hint="WAL piles up in pg_wal until archive_command succeeds: check its log lines")
    recent = dt.timedelta(seconds=limits.bound("archive_failure_recent_seconds", WARNING))
    if failed_at is not None and at - failed_at <= recent:
        return Check("archiver", "WAL archiving", WARNING,
                     f"recovered; {sample['last_failed_wal']} failed at {failed_at:%Y-%m-%d %H:%M:%S}",
                     as_of=when, page="replication")
    if not int(sample["archived_count"] or 0) and not failed:
        return Check("archiver", "WAL archiving", OK, "nothing archived (archiving not in use)", as_of=when)
    return Check("archiver", "WAL archiving", OK,
                 f"last archived at {archived_at:%Y-%m-%d %H:%M:%S}" if archived_at else "no failure", as_of=when,
                 page="replication")


def collectors(statuses: list[CollectorStatus], at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    ran = [s for s in statuses if s.status != "never"]
    if not ran:
        return Check("collectors", "Collectors", UNKNOWN, "no collector has run yet")
    failing = [s for s in ran if not s.ok]
    details = tuple(Detail(s.collector, f"{s.status}: {s.reason}" if s.reason else s.status, hint=s.hint,
                           severity=WARNING if not s.ok else INFO if s.status == "partial" else OK)
                    for s in ran if s.status != "ok")
    successes = [s.last_success_at for s in ran if s.last_success_at]
    latest = max(successes) if successes else None
    if failing:
        severity = CRITICAL if len(failing) == len(ran) else WARNING
        summary = (f"{len(failing)} of {len(ran)} failing: "
                   + ", ".join(f"{s.collector} ({s.status})" for s in failing))
    elif latest is None or at - latest > dt.timedelta(seconds=limits.bound("collection_stale_seconds", WARNING)):
        severity, summary = WARNING, (f"no collection since {latest:%Y-%m-%d %H:%M}" if latest
                                      else "no collection succeeded yet")
    elif details:
        severity, summary = INFO, f"all {len(ran)} ran; {len(details)} with partial data"
    else:
        severity, summary = OK, f"all {len(ran)} collecting"
    return Check("collectors", "Collectors", severity, summary, details=details, as_of=latest)


def summary_of(checks: list[Check]) -> dict[str, Any]:
    """Counts per severity and the worst, for a compact line ("2 critical, 1 warning")."""
    counts = {s: sum(1 for c in checks if c.severity == s) for s in (CRITICAL, WARNING, INFO, OK, UNKNOWN)}
    return {"worst": worst(checks), "counts": counts,
            "line": " · ".join(f"{n} {s}" for s, n in counts.items() if n),
            "problems": [c for c in checks if c.rank >= RANK[WARNING]]}

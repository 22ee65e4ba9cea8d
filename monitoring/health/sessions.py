"""The "now" checks — long-running queries, sessions idle in transaction, sessions waiting on a lock,
connection saturation, cache hit ratio — from the target now (``monitoring.live.now.Now``) or, for the
fleet page and an unreachable target, from the newest activity and database samples.

Blind spots: without ``pg_read_all_stats`` the sessions of other roles show no state, query or wait
event, so none of the session counts can include them — an ok from what is visible would be a guess,
and becomes unknown with the GRANT that lets us see. A cache hit ratio over a handful of block reads
(just after a statistics reset) says nothing yet: unknown too.
"""

from __future__ import annotations

import datetime as dt

from dbconsole.formatting import format_duration
from dbconsole.thresholds import OK, UNKNOWN, Thresholds
from dbconsole.verdicts import from_grade
from monitoring.health.check import Check, bound_of, plural
from monitoring.health.feeds import Blind, degrade, feed_blind, not_collected, role_of
from monitoring.history.selectors.health import HealthInputs
from monitoring.live.now import Now

# How old the newest activity sample may be to stand in for "now".
ACTIVITY_FRESH = dt.timedelta(minutes=10)
# Fewer block requests than this since the statistics were reset make no ratio worth grading.
CACHE_MIN_BLOCKS = 1_000

TITLES = {
    "long_queries": "Long-running queries", "idle_in_transaction": "Idle in transaction",
    "blocked": "Blocked sessions", "connections": "Connection saturation", "cache_hit": "Cache hit ratio",
}
PAGES = {"long_queries": "activity", "idle_in_transaction": "activity", "blocked": "locks",
         "connections": "connections", "cache_hit": "overview#chart-overview-cache-hit"}


def hidden_blind(hidden: int, role: str) -> Blind | None:
    if not hidden:
        return None
    return Blind(f"{plural(hidden, 'session')} of other roles not visible to {role}",
                 f"GRANT pg_read_all_stats TO {role};", stale=False)


def live_checks(now: Now, inputs: HealthInputs, limits: Thresholds) -> list[Check]:
    hidden = hidden_blind(now.hidden_sessions, role_of(inputs))
    longest = now.longest_query.total_seconds() if now.longest_query else 0.0
    return [
        degrade(long_queries(longest, None, limits), hidden),
        degrade(idle_in_transaction(now.idle_in_transaction, None, None, limits), hidden),
        degrade(blocked(now.waiting_on_locks, None, limits), hidden),
        saturation(now.connections, now.hidden_sessions, now.max_connections, "max_connections", None, limits,
                   hidden),
        cache_hit(now.cache_hit_ratio, now.cache_blocks, now.stats_reset, None, limits),
    ]


def activity_checks(inputs: HealthInputs, at: dt.datetime, limits: Thresholds) -> list[Check]:
    """The "now" checks from the newest activity and database samples, while they are recent; unknown
    (never missing) when there is no recent sample."""
    out = []
    sample = inputs.activity
    blind = feed_blind(inputs, "activity", at, limits, partial_blinds=True)
    if sample is None or at - sample["captured_at"] > ACTIVITY_FRESH:
        why = (f"no activity sample since {format_duration((at - sample['captured_at']).total_seconds())}"
               if sample is not None else "not collected yet")
        fix = not_collected(inputs, "activity") if sample is None else "see the activity collector"
        out += [degrade(Check(key, TITLES[key], UNKNOWN, why, fix=fix, page=PAGES[key]), blind)
                for key in ("long_queries", "idle_in_transaction", "blocked", "connections")]
    else:
        when = sample["captured_at"]
        idle = int(sample["idle_in_transaction"] or 0)
        out += [
            degrade(long_queries(float(sample["longest_query_seconds"] or 0), when, limits), blind),
            degrade(idle_in_transaction(idle, float(sample["longest_idle_tx_seconds"] or 0), when, limits), blind),
            degrade(blocked(int(sample["waiting_lock"] or 0), when, limits), blind),
            degrade(saturation(int(sample["clients"]), 0,
                               int(sample["max_connections"]) - int(sample["reserved_connections"]),
                               "usable connections", when, limits, None), blind),
        ]
    database = inputs.database
    if database is None:
        out.append(degrade(Check("cache_hit", TITLES["cache_hit"], UNKNOWN, "not collected yet",
                                 fix=not_collected(inputs, "database"), page=PAGES["cache_hit"]),
                           feed_blind(inputs, "database", at, limits)))
    else:
        hit, read = int(database["blks_hit"] or 0), int(database["blks_read"] or 0)
        check = cache_hit(hit / (hit + read) if hit + read else None, hit + read, database.get("stats_reset"),
                          database["captured_at"], limits)
        out.append(degrade(check, feed_blind(inputs, "database", at, limits)))
    return out


def long_queries(seconds: float, as_of: dt.datetime | None, limits: Thresholds) -> Check:
    status = from_grade(limits.grade("long_query_seconds", seconds))
    summary = f"longest running query: {format_duration(seconds)}" if seconds else "no query running"
    return Check("long_queries", TITLES["long_queries"], status, summary, value=seconds,
                 threshold=bound_of(limits, "long_query_seconds", status), page="activity", as_of=as_of,
                 fix="" if status == OK else "look at it on the Activity page: cancel it, or find why it is slow")


def idle_in_transaction(count: int, longest: float | None, as_of: dt.datetime | None,
                        limits: Thresholds) -> Check:
    """Live: graded by the number of sessions; from history: by how long the longest has been idle."""
    if longest is None:
        key, value = "idle_in_transaction_sessions", float(count)
        status = from_grade(limits.grade(key, value))
        summary = f"{plural(count, 'session')} idle in transaction"
    else:
        key, value = "idle_in_transaction_seconds", longest
        status = from_grade(limits.grade(key, longest)) if count else OK
        summary = f"{plural(count, 'session')} idle in transaction" + (
            f", the longest for {format_duration(longest)}" if count else "")
    return Check("idle_in_transaction", TITLES["idle_in_transaction"], status, summary, value=value,
                 threshold=bound_of(limits, key, status), page="activity", as_of=as_of,
                 note="they hold locks and keep vacuum from cleaning up until the application commits"
                 if count else "",
                 fix="" if status == OK else "have the application commit or roll back; set "
                                             "idle_in_transaction_session_timeout")


def blocked(count: int, as_of: dt.datetime | None, limits: Thresholds) -> Check:
    status = from_grade(limits.grade("blocked_sessions", count))
    return Check("blocked", TITLES["blocked"], status, f"{plural(count, 'session')} waiting on a lock",
                 value=float(count), threshold=bound_of(limits, "blocked_sessions", status), page="locks",
                 as_of=as_of, fix="" if status == OK else "find the root blocker on the Locks page")


def saturation(used: int, hidden: int, limit: int, of: str, as_of: dt.datetime | None, limits: Thresholds,
               blind: Blind | None) -> Check:
    """Sessions we cannot see may be clients too: graded as if they were, which is exact enough when it
    changes nothing; when it would change the grade, the grade is unknown."""
    ratio = used / limit if limit else 0.0
    status = from_grade(limits.grade("connection_saturation", ratio))
    summary = f"{used} of {limit} {of} ({ratio:.0%})"
    check = Check("connections", TITLES["connections"], status, summary, value=ratio,
                  threshold=bound_of(limits, "connection_saturation", status), page="connections", as_of=as_of,
                  fix="" if status == OK else "find who holds the connections on the Connections page; a pooler "
                                              "(PgBouncer) keeps them few")
    at_most = (used + hidden) / limit if limit else 0.0
    if hidden and from_grade(limits.grade("connection_saturation", at_most)) != status:
        return degrade(check, blind)
    return check


def cache_hit(ratio: float | None, blocks: int | None, stats_reset: dt.datetime | None,
              as_of: dt.datetime | None, limits: Thresholds) -> Check:
    since = f" since the statistics reset at {stats_reset:%Y-%m-%d %H:%M}" if stats_reset else ""
    if ratio is None or blocks is None or blocks < CACHE_MIN_BLOCKS:
        return Check("cache_hit", TITLES["cache_hit"], UNKNOWN,
                     f"{blocks or 0:,} block reads{since}: too few to judge", as_of=as_of, page=PAGES["cache_hit"],
                     threshold=bound_of(limits, "cache_hit_ratio", UNKNOWN),
                     fix=f"nothing to change: graded once the database has served {CACHE_MIN_BLOCKS:,} block reads")
    status = from_grade(limits.grade("cache_hit_ratio", ratio))
    return Check("cache_hit", TITLES["cache_hit"], status, f"{ratio:.2%} of blocks found in shared buffers",
                 value=ratio, threshold=bound_of(limits, "cache_hit_ratio", status), as_of=as_of,
                 page=PAGES["cache_hit"],
                 note=f"over {blocks:,} block reads{since}",
                 fix="" if status == OK else "shared_buffers may be too small for the working set: see the "
                                             "advisor's memory settings")

"""Health checks: what an on-call engineer should look at first, each a four-state verdict
(``dbconsole.verdicts``: ok / warning / critical / unknown) — ``check.Check``.

Two sources feed the same checks:

* the target now (``monitoring.live.now.Now``): long-running queries, sessions idle in transaction,
  sessions waiting on locks, connection saturation, cache hit ratio — on the overview (``sessions``);
* the history store (``selectors.health.HealthInputs``): wraparound age, sequence overflow, invalid
  indexes (``stored``), replication lag and archiving (``replication``), the collectors themselves
  (``collection``) — and, for the fleet page (which never connects to targets) or an unreachable
  target, the "now" checks again from the newest activity sample.

What we cannot see is ``unknown``, never ok: a privilege the monitoring role lacks (other roles'
sessions, sequences), a collector that fails or stopped (``feeds``), too little evidence. Every unknown
names what lets us see (the exact GRANT, the setting, the collector to start).

Every threshold comes from ``dbconsole.thresholds`` (the target's overrides applied: pass
``thresholds_for(target)`` as ``limits``), the one table the advisor's and the alert rules read too.
Threshold grades of ``info`` become ``ok`` here (``verdicts.from_grade``); the one check that used to say
``info`` — collectors with partial data — now says ``unknown``: part of the data is hidden from us.
"""

from __future__ import annotations

import datetime as dt

from dbconsole.thresholds import CRITICAL, DEFAULT, UNKNOWN, Thresholds
from monitoring.health.check import Bound, Check, Detail, by_status, summary_of, worst
from monitoring.health.collection import collectors
from monitoring.health.feeds import BLIND_STATUSES, role_of
from monitoring.health.replication import archiver, replication_lag
from monitoring.health.sessions import activity_checks, live_checks
from monitoring.health.stored import invalid_indexes, sequence_overflow, wraparound
from monitoring.history.selectors.health import HealthInputs
from monitoring.live.now import Now
from monitoring.targets.connect import TargetError

__all__ = [
    "Bound", "Check", "Detail", "activity_checks", "archiver", "by_status", "collectors", "fleet_checks",
    "history_checks", "invalid_indexes", "live_checks", "overview_checks", "replication_lag", "sequence_overflow",
    "summary_of", "worst", "wraparound",
]


def overview_checks(now: Now | None, error: TargetError | None, inputs: HealthInputs,
                    at: dt.datetime, limits: Thresholds = DEFAULT) -> list[Check]:
    """Live checks when the target answered, else its error and the same checks from the newest sample."""
    if now is not None:
        checks = live_checks(now, inputs, limits)
    else:
        checks = []
        if error is not None:
            checks.append(reachable(error, inputs))
        checks += activity_checks(inputs, at, limits)
    return by_status([*checks, *history_checks(inputs, at, limits)])


def reachable(error: TargetError, inputs: HealthInputs) -> Check:
    """A target that refuses *us* (password, grants) is one we cannot see; one that does not answer at
    all is down."""
    status = UNKNOWN if error.status in BLIND_STATUSES else CRITICAL
    fix = error.hint or (f"GRANT CONNECT ON DATABASE … TO {role_of(inputs)};" if status == UNKNOWN
                         else "check that the server is up and reachable")
    return Check("reachable", "Target reachable", status, f"{error.status}: {error.message}", fix=fix, page="fleet")


def fleet_checks(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> list[Check]:
    """History only: the fleet page never connects to a target."""
    return by_status([*activity_checks(inputs, at, limits), *history_checks(inputs, at, limits)])


def history_checks(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> list[Check]:
    return [
        wraparound(inputs, at, limits),
        sequence_overflow(inputs, at, limits),
        invalid_indexes(inputs, at, limits),
        replication_lag(inputs, at, limits),
        archiver(inputs, at, limits),
        collectors(inputs, at, limits),
    ]

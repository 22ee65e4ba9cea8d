"""The collectors check: is the target being watched, and can we see everything we collect?

Per collector, from its latest run (``CollectorStatus``):

* ``ok`` — ok;
* ``partial`` — unknown: it stored what it could, but part of its data is hidden from us (a privilege,
  an extension); the hint it recorded is the fix;
* a failure that means we cannot look (credentials, grants, extensions: ``feeds.BLIND_STATUSES``) —
  unknown, with its hint;
* any other failure (the target does not answer, a timeout, a bug of ours) — warning; critical when
  every collector fails and the target does not answer at all.

On top: no collector even tried for ``collection_stale_seconds`` — collection stopped (the worker or
its scheduler is down): warning (unknown when the target's collection was disabled on purpose), and
every check reading history turns unknown (``feeds``).
"""

from __future__ import annotations

import datetime as dt

from dbconsole.formatting import format_duration
from dbconsole.thresholds import CRITICAL, DEFAULT, OK, UNKNOWN, WARNING, Thresholds
from dbconsole.verdicts import worst
from monitoring.health.check import Check, Detail, bound_of
from monitoring.health.feeds import BLIND_STATUSES, DOWN_STATUSES, start_collection
from monitoring.history.selectors.health import HealthInputs
from monitoring.models import CollectorStatus


def status_of_run(status: CollectorStatus) -> str:
    if status.status == "ok":
        return OK
    if status.status == "partial" or status.status in BLIND_STATUSES:
        return UNKNOWN
    return WARNING


def collectors(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    ran = [s for s in inputs.statuses if s.status != "never"]
    stale = bound_of(limits, "collection_stale_seconds", WARNING)
    if not ran:
        return Check("collectors", "Collectors", UNKNOWN, "no collector has run yet", threshold=stale,
                     fix=start_collection(inputs), page="fleet")
    details = tuple(Detail(s.collector, f"{s.status}: {s.reason}" if s.reason else s.status,
                           fix=s.hint or ("the worker log has the details" if status_of_run(s) != OK else ""),
                           status=status_of_run(s))
                    for s in ran if s.status != "ok")
    failing = [s for s in ran if not s.ok]
    attempts = [s.last_attempt_at for s in ran if s.last_attempt_at]
    newest = max(attempts) if attempts else None
    successes = [s.last_success_at for s in ran if s.last_success_at]
    latest = max(successes) if successes else None
    quiet = (at - newest).total_seconds() if newest else None
    status = worst((d.status for d in details), default=OK)
    if failing and len(failing) == len(ran) and all(s.status in DOWN_STATUSES for s in failing):
        status = CRITICAL
    if failing:
        summary = f"{len(failing)} of {len(ran)} failing: " + ", ".join(f"{s.collector} ({s.status})" for s in failing)
    elif details:
        summary = f"all {len(ran)} ran; {len(details)} cannot read everything: " + ", ".join(
            d.label for d in details)
    else:
        summary = f"all {len(ran)} collecting"
    fix = "; ".join(dict.fromkeys(f"{d.label}: {d.fix}" for d in details if d.fix))
    if quiet is not None and quiet > stale.value:
        # Stopped by accident is a warning; disabled on purpose is only blindness.
        status = worst((status, WARNING if inputs.enabled else UNKNOWN))
        stopped = "collection disabled" if not inputs.enabled else "no collection"
        summary = f"{stopped} for {format_duration(quiet)} — " + summary
        restart = start_collection(inputs) if inputs.enabled else "enable its collection on the Manage targets page"
        fix = "; ".join(filter(None, (restart, fix)))
    return Check("collectors", "Collectors", status, summary, value=quiet, threshold=stale,
                 fix="" if status == OK else fix, details=details, as_of=latest, page="fleet")

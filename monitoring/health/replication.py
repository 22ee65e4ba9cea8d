"""Replication lag (replicas, this standby, replication slots) and WAL archiving, from the newest
replication sample.

A replica whose lag the monitoring role may not read (``pg_stat_replication`` hides the positions of
other roles' senders without ``pg_read_all_stats``) is unknown, never "0 bytes behind".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.defaultfilters import filesizeformat

from dbconsole.formatting import format_duration
from dbconsole.thresholds import CRITICAL, DEFAULT, OK, UNKNOWN, WARNING, Thresholds
from dbconsole.verdicts import ORDER, from_grade, worst
from monitoring.health.check import Check, Detail, bound_of, plural
from monitoring.health.feeds import degrade, feed_blind, not_collected, role_of
from monitoring.history.selectors.health import HealthInputs


def replication_lag(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    blind = feed_blind(inputs, "replication", at, limits)
    sample = inputs.replication
    if sample is None:
        return degrade(Check("replication", "Replication lag", UNKNOWN, "not collected yet", page="replication",
                             fix=not_collected(inputs, "replication")), blind)
    details: list[Detail] = []
    lags: list[float] = []
    if sample["in_recovery"]:
        delay = sample["replay_delay_seconds"]
        if delay is not None:
            lags.append(float(delay))
            details.append(Detail("this standby", f"replay {format_duration(float(delay))} behind the primary",
                                  fix="an idle primary makes this grow too",
                                  status=from_grade(limits.grade("replication_lag_seconds", float(delay)))))
    for replica in sample["replicas"] or []:
        details.append(_replica(replica, inputs, limits, lags))
    for slot in sample["slots"] or []:
        details.append(_slot(slot, limits))
    when = sample["captured_at"]
    if not details:
        return degrade(Check("replication", "Replication lag", OK, "no replica, standby role or slot",
                             value=0.0, threshold=bound_of(limits, "replication_lag_seconds", OK),
                             page="replication", as_of=when), blind)
    status = worst(d.status for d in details)
    bad = [d for d in details if ORDER[d.status] >= ORDER[WARNING]]
    blind_ones = [d for d in details if d.status == UNKNOWN]
    if bad:
        summary = f"{len(bad)} of {len(details)} behind or at risk: {bad[0].label}"
    elif blind_ones:
        summary = f"{len(blind_ones)} of {len(details)} not visible: {blind_ones[0].label}"
    else:
        summary = f"{plural(len(details), 'replica or slot', 'replicas and slots')} within limits"
    fix = "; ".join(dict.fromkeys(d.fix for d in details if d.fix and d.status != OK))
    return degrade(Check("replication", "Replication lag", status, summary, value=max(lags, default=None),
                         threshold=bound_of(limits, "replication_lag_seconds", status),
                         fix=fix or ("" if status == OK else "see the Replication page"),
                         details=tuple(details), page="replication", as_of=when), blind)


def _replica(replica: dict[str, Any], inputs: HealthInputs, limits: Thresholds, lags: list[float]) -> Detail:
    name = replica.get("application_name") or replica.get("client_addr") or f"pid {replica.get('pid')}"
    lag_s, lag_b = replica.get("replay_lag_seconds"), replica.get("replay_lag_bytes")
    if lag_b is None and replica.get("state") is None:
        role = role_of(inputs)
        return Detail(name, f"its position is not visible to {role}", status=UNKNOWN,
                      fix=f"GRANT pg_read_all_stats TO {role};")
    lags.append(float(lag_s or 0))
    status = worst((from_grade(limits.grade("replication_lag_seconds", float(lag_s or 0))),
                    from_grade(limits.grade("replication_lag_bytes", float(lag_b or 0)))))
    if replica.get("state") not in (None, "streaming"):
        status = worst((status, WARNING))
    return Detail(name, f"{replica.get('state')}, replay {format_duration(float(lag_s or 0))} / "
                        f"{filesizeformat(lag_b or 0)} behind", status=status,
                  fix="" if status == OK else "see why the replica falls behind (network, I/O, long queries on it)")


def _slot(slot: dict[str, Any], limits: Thresholds) -> Detail:
    retained = float(slot.get("retained_bytes") or 0)
    status = OK
    if slot.get("wal_status") == "lost":
        status = CRITICAL
    elif slot.get("wal_status") == "unreserved":
        status = WARNING
    elif not slot.get("active"):
        status = from_grade(limits.grade("slot_retained_bytes", retained))
    return Detail(f"slot {slot.get('slot_name')}",
                  f"{'active' if slot.get('active') else 'inactive'}, retains "
                  f"{filesizeformat(retained)} of WAL ({slot.get('wal_status') or 'status not reported'})",
                  fix="an unused slot keeps WAL (and old rows) forever: drop it"
                  if status != OK and not slot.get("active") else "", status=status)


def archiver(inputs: HealthInputs, at: dt.datetime, limits: Thresholds = DEFAULT) -> Check:
    blind = feed_blind(inputs, "replication", at, limits)
    sample = inputs.replication
    if sample is None:
        return degrade(Check("archiver", "WAL archiving", UNKNOWN, "not collected yet", page="replication",
                             fix=not_collected(inputs, "replication")), blind)
    failed_at, archived_at = sample["last_failed_at"], sample["last_archived_at"]
    failed = int(sample["failed_count"] or 0)
    when = sample["captured_at"]
    recent = bound_of(limits, "archive_failure_recent_seconds", WARNING)
    if failed_at is not None and (archived_at is None or failed_at > archived_at):
        return degrade(Check(
            "archiver", "WAL archiving", CRITICAL,
            f"archiving fails: {sample['last_failed_wal']} failed at {failed_at:%Y-%m-%d %H:%M:%S} "
            f"({failed:,} failures since the statistics reset)", as_of=when, page="replication",
            fix="WAL piles up in pg_wal until archive_command succeeds: check its log lines"), blind)
    if failed_at is not None and (at - failed_at).total_seconds() <= recent.value:
        return degrade(Check(
            "archiver", "WAL archiving", WARNING,
            f"recovered; {sample['last_failed_wal']} failed at {failed_at:%Y-%m-%d %H:%M:%S}",
            value=(at - failed_at).total_seconds(), threshold=recent, as_of=when, page="replication",
            fix="find why archive_command failed in the server log, so it does not again"), blind)
    if not int(sample["archived_count"] or 0) and not failed:
        return degrade(Check("archiver", "WAL archiving", OK, "nothing archived (archiving not in use)", as_of=when,
                             page="replication"), blind)
    return degrade(Check("archiver", "WAL archiving", OK,
                         f"last archived at {archived_at:%Y-%m-%d %H:%M:%S}" if archived_at else "no failure",
                         as_of=when, page="replication"), blind)

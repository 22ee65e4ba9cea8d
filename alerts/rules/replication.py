"""Replication and WAL archiving, from the replication collection (every minute): replicas behind,
inactive slots retaining WAL, archive_command failing, the last archive too old."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import filesizeformat

from alerts.rules.base import Finding, Rule, Verdict, grade_finding, register
from alerts.rules.context import Context
from dbconsole.formatting import format_duration
from dbconsole.thresholds import CRITICAL, WARNING, worst


def _sample(ctx: Context) -> dict[str, Any] | None:
    return ctx.health.replication


@register
class ReplicationLag(Rule):
    key = "replication_lag"
    title = "Replication lag"
    doc = ("A replica replays behind the primary by ``replication_lag_seconds`` or ``replication_lag_bytes``, "
           "or this standby's replay delay passes ``replication_lag_seconds``; a replica not streaming warns.")
    runbook = ("Replication page: is the replica's network, disk or a long query on it (hot_standby_feedback, "
               "recovery conflicts) the bottleneck? Failover to it now would lose that much.")
    severity = CRITICAL
    threshold = "replication_lag_seconds"
    sources = ("replication",)
    for_s = 120
    page = "replication"

    def evaluate(self, ctx: Context) -> Verdict:
        sample = _sample(ctx)
        if sample is None:
            return Verdict.unknown("no replication sample stored yet")
        findings = []
        delay = sample.get("replay_delay_seconds")
        if sample.get("in_recovery") and delay is not None:
            severity = grade_finding(ctx.thresholds.grade("replication_lag_seconds", float(delay)))
            if severity:
                findings.append(Finding(severity, f"this standby replays {format_duration(float(delay))} behind",
                                        instance="standby", value=float(delay), labels={"replica": "standby"}))
        for replica in sample.get("replicas") or []:
            name = str(replica.get("application_name") or replica.get("client_addr") or f"pid {replica.get('pid')}")
            lag_s, lag_b = float(replica.get("replay_lag_seconds") or 0), float(replica.get("replay_lag_bytes") or 0)
            grade = worst(ctx.thresholds.grade("replication_lag_seconds", lag_s),
                          ctx.thresholds.grade("replication_lag_bytes", lag_b))
            if replica.get("state") not in (None, "streaming"):
                grade = worst(grade, WARNING)
            severity = grade_finding(grade)
            if severity:
                findings.append(Finding(
                    severity, f"replica {name} is {replica.get('state')}, {format_duration(lag_s)} / "
                              f"{filesizeformat(lag_b)} behind", instance=name, value=lag_s, labels={"replica": name}))
        return Verdict.of(findings, "every replica within limits (or none)")


@register
class SlotRetainingWal(Rule):
    key = "slot_retaining_wal"
    title = "Inactive replication slot retaining WAL"
    doc = ("An inactive replication slot keeps more than ``slot_retained_bytes`` of WAL (a lost slot is "
           "critical): pg_wal grows until the disk fills, and old rows cannot be vacuumed.")
    runbook = "Is its consumer coming back? If not: SELECT pg_drop_replication_slot('name');"
    severity = CRITICAL
    threshold = "slot_retained_bytes"
    sources = ("replication",)
    for_s = 300
    page = "replication"

    def evaluate(self, ctx: Context) -> Verdict:
        sample = _sample(ctx)
        if sample is None:
            return Verdict.unknown("no replication sample stored yet")
        findings = []
        for slot in sample.get("slots") or []:
            name = str(slot.get("slot_name"))
            retained = float(slot.get("retained_bytes") or 0)
            if slot.get("wal_status") == "lost":
                severity: str | None = CRITICAL
            elif slot.get("active"):
                continue
            else:
                severity = grade_finding(ctx.thresholds.grade(self.threshold, retained))
            if severity:
                findings.append(Finding(severity, f"slot {name} is inactive and retains {filesizeformat(retained)} "
                                                  f"of WAL ({slot.get('wal_status') or 'status unknown'})",
                                        instance=name, value=retained, labels={"slot": name}))
        return Verdict.of(findings, "no inactive slot retaining WAL")


@register
class ArchiverFailing(Rule):
    key = "archiver_failing"
    title = "WAL archiving failing"
    doc = ("archive_command fails: the newest failure is more recent than the newest success. WAL piles up "
           "in pg_wal and point-in-time recovery stops at the last archived segment.")
    runbook = "Read the server log lines of archive_command; check the archive's disk, credentials and network."
    severity = CRITICAL
    sources = ("replication",)
    for_s = 120
    page = "replication"

    def evaluate(self, ctx: Context) -> Verdict:
        sample = _sample(ctx)
        if sample is None:
            return Verdict.unknown("no replication sample stored yet")
        failed_at, archived_at = sample.get("last_failed_at"), sample.get("last_archived_at")
        if failed_at is not None and (archived_at is None or failed_at > archived_at):
            return Verdict.of([Finding(CRITICAL, f"archiving fails: {sample.get('last_failed_wal')} failed at "
                                                 f"{failed_at:%Y-%m-%d %H:%M:%S} UTC",
                                       description=f"{int(sample.get('failed_count') or 0):,} failures since the "
                                                   "statistics reset")], "")
        return Verdict("ok", "no archiving failure pending")


@register
class ArchiveTooOld(Rule):
    key = "archive_too_old"
    title = "Last WAL archive too old"
    doc = ("Archiving is in use but the newest archived segment is older than ``archive_age_seconds``: "
           "point-in-time recovery would lose everything since. Meaningful with archive_timeout set (an idle "
           "server switches segments only that often).")
    runbook = "Is archive_command stuck (no failure, no success)? Is archive_mode still on? Check archive_timeout."
    severity = CRITICAL
    threshold = "archive_age_seconds"
    sources = ("replication",)
    page = "replication"

    def evaluate(self, ctx: Context) -> Verdict:
        sample = _sample(ctx)
        if sample is None:
            return Verdict.unknown("no replication sample stored yet")
        archived_at = sample.get("last_archived_at")
        if archived_at is None or not int(sample.get("archived_count") or 0):
            return Verdict("ok", "archiving not in use")
        age = (ctx.now - archived_at).total_seconds()
        severity = grade_finding(ctx.thresholds.grade(self.threshold, age))
        summary = f"last WAL archived {format_duration(age)} ago ({sample.get('last_archived_wal') or '?'})"
        if severity is None:
            return Verdict("ok", summary)
        return Verdict.of([Finding(severity, summary, value=age)], "")

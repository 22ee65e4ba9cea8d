"""Can we see the target at all: the target down (unreachable or refusing us), a collector failing,
a collector stale. These read only the collector statuses, every cycle."""

from __future__ import annotations

from alerts.rules.base import Finding, Rule, Verdict, register
from alerts.rules.context import CONNECTION_FAILURES, Context
from dbconsole.formatting import format_duration
from dbconsole.thresholds import CRITICAL, WARNING

# Two failed attempts in a row (any collectors) before "down": one refused connection can be a restart's
# blink; the other 10-s collector, or the collector's own quick retry (2-3 s later), confirms it at once.
DOWN_AFTER_FAILURES = 2


@register
class TargetDown(Rule):
    key = "target_down"
    title = "Target down"
    doc = ("The newest collection attempts cannot connect: the server is unreachable, refuses our role "
           "(authentication, pg_hba.conf), the database is missing or the server is full. Every other alert "
           "of the target is held back (inhibited) while this one fires.")
    runbook = ("Is the server up (pg_isready, the service manager)? A failover or a restart in progress? For "
               "auth_failed, check the stored password and pg_hba.conf; for too_many_connections, see who holds "
               "the connections (pool sizes) and raise max_connections or reserve a slot for monitoring.")
    severity = CRITICAL
    for_s = 0
    page = "overview"

    def evaluate(self, ctx: Context) -> Verdict:
        attempted = [s for s in ctx.statuses.values() if s.last_attempt_at is not None]
        if not attempted:
            return Verdict.unknown("no collection has been attempted yet")
        newest = max(attempted, key=lambda s: s.last_attempt_at)   # type: ignore[arg-type,return-value]
        if newest.ok or newest.status not in CONNECTION_FAILURES:
            return Verdict("ok", f"answered at {newest.last_attempt_at:%H:%M:%S} UTC ({newest.collector})")
        # Failed attempts since the last success of any collector: activity and locks both run every 10 s,
        # so the second failed attempt usually comes a moment after the first (or the collector's retry).
        last_success = max((s.last_success_at for s in attempted if s.last_success_at), default=None)
        failed = sum(s.consecutive_failures for s in attempted if s.status in CONNECTION_FAILURES
                     and s.last_attempt_at is not None
                     and (last_success is None or s.last_attempt_at > last_success))
        if failed < DOWN_AFTER_FAILURES:
            return Verdict("ok", f"one failed attempt ({newest.status}); waiting for another to confirm")
        down_for = (f", last answer {format_duration((ctx.now - last_success).total_seconds())} ago"
                    if last_success else "")
        return Verdict.of([Finding(
            CRITICAL, f"{ctx.target.name} does not answer: {newest.status}{down_for}",
            description=f"{newest.reason}" + (f" — {newest.hint}" if newest.hint else ""),
            labels={}, details={"reason": newest.status},
        )], "")


@register
class CollectorFailing(Rule):
    key = "collector_failing"
    title = "Collector failing"
    doc = ("A collector failed several runs in a row (threshold ``collector_failures``) while the target "
           "answers: a missing privilege or extension, a timeout, a history-store error. Its history has a gap.")
    runbook = "The alert names the collector, its error and the fix (often an exact GRANT or CREATE EXTENSION)."
    severity = WARNING
    threshold = "collector_failures"
    for_s = 120
    page = "overview"

    def evaluate(self, ctx: Context) -> Verdict:
        if not _ran(ctx):
            return Verdict.unknown("no collection has run yet")
        findings = []
        for status in ctx.statuses.values():
            if status.ok or status.status == "never" or status.status in CONNECTION_FAILURES:
                continue
            severity = ctx.thresholds.grade(self.threshold, status.consecutive_failures)
            if severity in (WARNING, CRITICAL):
                fix = ctx.fix_for(status)
                findings.append(Finding(
                    severity, f"the {status.collector} collector failed {status.consecutive_failures} runs in a "
                              f"row: {status.status}", instance=status.collector,
                    description=status.reason + (f" — fix: {fix}" if fix else ""),
                    value=float(status.consecutive_failures), labels={"collector": status.collector},
                    details={"fix": fix}))
        return Verdict.of(findings, "no collector failing")


@register
class CollectorStale(Rule):
    key = "collector_stale"
    title = "Collector stale"
    doc = ("A collector has not succeeded for ``collector_stale_intervals`` of its intervals (at least a "
           "minute) although nothing reports a failure: the worker, beat or its queue is not running, or runs "
           "are piling up behind slow ones.")
    runbook = ("Check that a Celery worker consumes every queue (dispatch, collect_fast, collect, collect_slow, "
               "maintenance, advisor, alerts) and that beat runs; look for a queue backlog in Redis.")
    severity = WARNING
    threshold = "collector_stale_intervals"
    for_s = 0
    page = "overview"

    def evaluate(self, ctx: Context) -> Verdict:
        if not ctx.target.enabled:
            return Verdict("ok", "collection is switched off for this target")
        if not _ran(ctx):
            return Verdict.unknown("no collection has run yet")
        findings = []
        for status in ctx.statuses.values():
            if status.last_success_at is None or not status.ok:
                continue   # never ran or failing: the failing rule and target_down speak for it
            age = ctx.now - status.last_success_at
            if age > ctx.stale_after(status.collector):
                findings.append(Finding(
                    WARNING, f"no {status.collector} collection for {format_duration(age.total_seconds())}",
                    instance=status.collector, value=age.total_seconds() / ctx.interval(status.collector),
                    labels={"collector": status.collector},
                    description=f"last success {status.last_success_at:%Y-%m-%d %H:%M:%S} UTC; every "
                                f"{ctx.interval(status.collector)} s expected"))
        return Verdict.of(findings, "every collector on schedule")


def _ran(ctx: Context) -> bool:
    return any(s.status != "never" for s in ctx.statuses.values())

"""Sessions, from the 10-second activity and locks collections: lock chains, long queries and
transactions, sessions idle in a transaction, connection saturation."""

from __future__ import annotations

from typing import Any

from alerts.rules.base import Finding, Rule, Verdict, grade_finding, register
from alerts.rules.context import Context, OpenIncident
from dbconsole.formatting import format_duration
from dbconsole.thresholds import CRITICAL

QUERY_CHARS = 500        # of a query quoted in an annotation
CHAIN_LINES = 12         # sessions of a wait chain spelled out in an annotation


@register
class LockWait(Rule):
    key = "lock_wait"
    title = "Sessions waiting on a lock chain"
    doc = ("A session has waited on a lock longer than ``lock_wait_seconds`` (20 s: the demo's 45-s chain "
           "fires). One alert per chain, named after its root blocker: the annotations give the root's pid, "
           "user, application, state and query, the whole wait chain, and a link to the incident's replay.")
    runbook = ("Open the replay: is the root blocker idle in transaction (an application that forgot to commit) "
               "or running a long statement or DDL? Ask its owner; as an operator, cancel its query or terminate "
               "its backend from the Activity page (audited). Then fix the code path that holds the lock.")
    severity = CRITICAL
    threshold = "lock_wait_seconds"
    sources = ("locks",)
    page = "locks"

    def evaluate(self, ctx: Context) -> Verdict:
        findings = []
        for seen in ctx.open_incidents:
            nodes = _walk(seen.tree)
            waited = max((float(n.get("wait_seconds") or 0) for n in nodes[1:]), default=0.0)
            severity = grade_finding(ctx.thresholds.grade(self.threshold, waited))
            if severity is None:
                continue
            findings.append(_chain_finding(ctx, seen, nodes, waited, severity))
        bound = format_duration(ctx.thresholds.bound(self.threshold, "warning"))
        return Verdict.of(findings, f"no session waited {bound} on a lock in the newest collection")


def _chain_finding(ctx: Context, seen: OpenIncident, nodes: list[dict[str, Any]], waited: float,
                   severity: str) -> Finding:
    root, incident = nodes[0], seen.incident
    query = (root.get("query") or incident.root_query or "")[:QUERY_CHARS]
    user, app = root.get("usename") or incident.root_usename, root.get("application_name") or incident.root_application
    replay = ctx.url("lock-incident", incident.pk)
    chain = "\n".join(_chain_line(n) for n in nodes[:CHAIN_LINES])
    if len(nodes) > CHAIN_LINES:
        chain += f"\n… and {len(nodes) - CHAIN_LINES} more"
    return Finding(
        severity,
        f"{len(nodes) - 1} session(s) waiting up to {format_duration(waited)} behind pid {root['pid']} "
        f"({user or '?'}, {app or 'no application_name'})",
        instance=str(root["pid"]),
        description=f"root blocker pid {root['pid']}, user {user or '?'}, application {app or '-'}, "
                    f"{root.get('state') or 'state unknown'}; its query: {query or '(not visible)'}\n"
                    f"wait chain:\n{chain}",
        value=waited, labels={"root_pid": str(root["pid"])}, link=replay,
        details={"root_pid": str(root["pid"]), "root_user": user or "", "root_application": app or "",
                 "root_query": query, "wait_chain": chain, "incident_url": replay,
                 "relations": ", ".join(incident.relations)},
    )


def _walk(tree: dict[str, Any]) -> list[dict[str, Any]]:
    out, stack = [], [tree]
    while stack:
        node = stack.pop(0)
        out.append(node)
        stack[0:0] = list(node.get("children") or [])
    return out


def _chain_line(node: dict[str, Any]) -> str:
    indent = "  " * int(node.get("depth") or 0)
    who = f"pid {node.get('pid')} {node.get('usename') or '?'}/{node.get('application_name') or '-'}"
    if node.get("wait_seconds") is not None:
        lock = " ".join(x for x in (node.get("mode"), node.get("relation")) if x)
        who += f" waits {format_duration(float(node['wait_seconds']))}" + (f" for {lock}" if lock else "")
    else:
        who += f" holds ({node.get('state') or 'gone'})"
    query = " ".join((node.get("query") or "").split())[:120]
    return f"{indent}{who}" + (f": {query}" if query else "")


def _activity_finding(ctx: Context, rule: Rule, seconds_col: str, pid_col: str, what: str,
                      query: str = "") -> Verdict:
    sample = ctx.activity
    if sample is None:
        return Verdict.unknown("no activity sample stored yet")
    seconds = sample.values.get(seconds_col)
    assert rule.threshold is not None
    if seconds is None:
        return Verdict("ok", f"no {what}")
    severity = grade_finding(ctx.thresholds.grade(rule.threshold, float(seconds)))
    if severity is None:
        return Verdict("ok", f"the longest {what}: {format_duration(float(seconds))}")
    pid = sample.values.get(pid_col)
    return Verdict.of([Finding(
        severity, f"{what} running for {format_duration(float(seconds))} (pid {pid})",
        description=f"pid {pid}" + (f": {query[:QUERY_CHARS]}" if query else ""), value=float(seconds),
        instance="", link=ctx.url(rule.page), details={"pid": str(pid)})], "")


@register
class LongQuery(Rule):
    key = "long_query"
    title = "Long-running query"
    doc = "The longest running query has run longer than ``long_query_seconds`` (newest activity sample)."
    runbook = ("Look at it on the Activity page: a report, a runaway join, a migration? EXPLAIN it; cancel it "
               "if it harms others; consider a statement_timeout for its role.")
    severity = CRITICAL
    threshold = "long_query_seconds"
    sources = ("activity",)
    page = "activity"

    def evaluate(self, ctx: Context) -> Verdict:
        query = ctx.activity.longest_query if ctx.activity else ""
        return _activity_finding(ctx, self, "longest_query_seconds", "longest_query_pid", "a query", query)


@register
class LongTransaction(Rule):
    key = "long_transaction"
    title = "Long-running transaction"
    doc = ("The oldest open transaction is older than ``long_transaction_seconds``: it holds back vacuum "
           "(dead rows pile up) and may hold locks.")
    runbook = "Find it on the Activity page (sorted by transaction age); ask its owner to commit, or terminate it."
    severity = CRITICAL
    threshold = "long_transaction_seconds"
    sources = ("activity",)
    page = "activity"

    def evaluate(self, ctx: Context) -> Verdict:
        return _activity_finding(ctx, self, "longest_xact_seconds", "longest_xact_pid", "a transaction")


@register
class IdleInTransaction(Rule):
    key = "idle_in_transaction"
    title = "Session idle in transaction"
    doc = ("A session has sat idle inside an open transaction longer than ``idle_in_transaction_seconds``: "
           "it holds its locks and holds back vacuum until the application commits.")
    runbook = ("Find the application on the Activity page; fix the code path that leaves transactions open; set "
               "idle_in_transaction_session_timeout for its role.")
    severity = CRITICAL
    threshold = "idle_in_transaction_seconds"
    sources = ("activity",)
    page = "activity"

    def evaluate(self, ctx: Context) -> Verdict:
        sample = ctx.activity
        if sample is None:
            return Verdict.unknown("no activity sample stored yet")
        idle = int(sample.values.get("idle_in_transaction") or 0)
        seconds = sample.values.get("longest_idle_tx_seconds")
        if not idle or seconds is None:
            return Verdict("ok", "no session idle in transaction")
        severity = grade_finding(ctx.thresholds.grade(self.threshold, float(seconds)))
        if severity is None:
            return Verdict("ok", f"{idle} idle in transaction, the longest for {format_duration(float(seconds))}")
        return Verdict.of([Finding(severity, f"{idle} session(s) idle in transaction, the longest for "
                                             f"{format_duration(float(seconds))}", value=float(seconds),
                                   link=ctx.url(self.page))], "")


@register
class ConnectionSaturation(Rule):
    key = "connection_saturation"
    title = "Connection saturation"
    doc = ("Client connections over the usable slots (max_connections minus the reserved ones) reach "
           "``connection_saturation``; for two minutes, so a burst does not page.")
    runbook = ("See who holds connections on the Connections page (by application, user, client); fix pool "
               "sizes or leaks; a pooler (PgBouncer) in front; raise max_connections only with the memory for it.")
    severity = CRITICAL
    threshold = "connection_saturation"
    sources = ("activity",)
    for_s = 120
    page = "connections"

    def evaluate(self, ctx: Context) -> Verdict:
        sample = ctx.activity
        if sample is None:
            return Verdict.unknown("no activity sample stored yet")
        usable = int(sample.values["max_connections"]) - int(sample.values["reserved_connections"])
        clients = int(sample.values["clients"])
        if usable <= 0:
            return Verdict.unknown("max_connections minus the reserved connections is not positive")
        ratio = clients / usable
        severity = grade_finding(ctx.thresholds.grade(self.threshold, ratio))
        summary = f"{clients} of {usable} usable connections ({ratio:.0%})"
        if severity is None:
            return Verdict("ok", summary)
        return Verdict.of([Finding(severity, summary, value=ratio, link=ctx.url(self.page))], "")

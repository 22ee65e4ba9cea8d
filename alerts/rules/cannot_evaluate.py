"""Cannot evaluate: what blinds other rules, as its own low-severity alert.

An unknown verdict never fires its rule's alert (no alert on unknown data). When someone can fix what
blinds it — a collector failing with a missing privilege or extension, a collector that stopped running
— this rule raises one ``info`` alert per cause, naming the rules it blinds, why, and the fix (the exact
GRANT). Causes nobody can act on (a target not collected yet, history too short for a baseline) stay
unknown on the pages and notify nobody; a target that is down has its own alert.
"""

from __future__ import annotations

from alerts.rules.base import Finding, Rule, Verdict, register
from alerts.rules.context import Context
from dbconsole.thresholds import INFO, UNKNOWN


@register
class CannotEvaluate(Rule):
    key = "cannot_evaluate"
    title = "Cannot evaluate"
    doc = ("Rules that cannot be evaluated for a reason someone can fix: a source collector failing (with the "
           "exact GRANT or CREATE EXTENSION) or stale. One alert per cause, listing the rules it blinds.")
    runbook = "Apply the fix named in the alert; the blinded rules are evaluated again at the next collection."
    severity = INFO
    for_s = 120
    page = "alerts-target"

    def evaluate(self, ctx: Context) -> Verdict:
        causes: dict[str, list[tuple[str, str, str]]] = {}
        for key, verdict in sorted(ctx.verdicts.items()):
            if key != self.key and verdict.status == UNKNOWN and verdict.actionable:
                causes.setdefault(verdict.cause or f"rule:{key}", []).append((key, verdict.reason, verdict.fix))
        findings = []
        for cause, blinded in sorted(causes.items()):
            rules = ", ".join(key for key, _r, _f in blinded)
            reason, fix = blinded[0][1], blinded[0][2]
            findings.append(Finding(
                INFO, f"cannot evaluate {rules}: {reason}", instance=cause, labels={"cause": cause},
                description=reason + (f" — fix: {fix}" if fix else ""), details={"fix": fix, "rules": rules},
                link=ctx.url(self.page)))
        if not findings:
            return Verdict("ok", "every rule can be evaluated (or waits for data nobody needs to fix)")
        return Verdict.of(findings, "")

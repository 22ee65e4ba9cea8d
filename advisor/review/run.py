"""One advisor run on one target: every rule, then the lifecycle, then the run's record.

Each rule ends in one of four states: ``ok`` (nothing worth a warning), ``warning``, ``critical``, or
``unknown`` — it could not see all of its evidence (``RuleSkipped``, an unreachable target, an error,
or ``ctx.blind`` notes), which becomes one "cannot evaluate" finding naming the fix (``review.blind``).

Nothing is resolved because a run did not find it. For every recommendation a rule that ran did not
find again, the rule says whether its condition is *verifiably* gone (``Rule.resolution``: the index
exists, the table was vacuumed, the setting changed — the latter only under comparable conditions);
the lifecycle resolves exactly those. A rule that was skipped, failed or left out resolves nothing.

The run never changes the target: it reads the history store, and the catalog and HypoPG through one
guarded read-only connection.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.utils import timezone

from advisor.models import AdvisorRun, Recommendation
from advisor.models.kinds import CANNOT_EVALUATE
from advisor.review.blind import cannot_evaluate
from advisor.review.lifecycle import LifecycleResult, RunScope, apply_findings
from advisor.rules import load_all
from advisor.rules.base import REGISTRY, Rule
from advisor.rules.context import RuleContext
from advisor.rules.findings import BlindSpot, Finding, RuleSkipped
from advisor.rules.options import AdvisorOptions
from dbconsole import audit
from monitoring.models import Target
from monitoring.targets.connect import TargetError, classify

log = logging.getLogger(__name__)



@dataclass
class RunOutcome:
    run: AdvisorRun
    findings: list[Finding] = field(default_factory=list)
    lifecycle: LifecycleResult = field(default_factory=LifecycleResult)

    @property
    def recommendations(self) -> list[Recommendation]:
        return self.lifecycle.current


def rules_in_order(names: tuple[str, ...] | None = None) -> list[Rule]:
    load_all()
    chosen = [cls() for name, cls in REGISTRY.items() if names is None or name in names]
    return sorted(chosen, key=lambda r: (r.order, r.name))


def rule_state(found: list[Finding], blind: bool) -> str:
    """The rule's verdict: a known problem wins over blindness (a critical finding stays critical even
    if part of the evidence was unseen); blindness wins over "ok"."""
    severities = {f.severity for f in found}
    if "critical" in severities:
        return "critical"
    if "warning" in severities:
        return "warning"
    return "unknown" if blind else "ok"


def run_advisor(target: Target, *, options: AdvisorOptions | None = None, trigger: str = "task") -> RunOutcome:
    """Run every rule on ``target`` and update its recommendations; returns what happened."""
    options = options or AdvisorOptions()
    if options.rules is not None:
        load_all()
        unknown = set(options.rules) - set(REGISTRY)
        if unknown:
            raise ValueError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    now = timezone.now()
    run = AdvisorRun.objects.create(target=target, started_at=now, trigger=trigger, options=options.as_dict())
    outcome = RunOutcome(run=run)
    pairs: list[tuple[str, Finding]] = []
    scope = RunScope()
    report: list[dict[str, Any]] = []
    with RuleContext(target, options, now) as ctx:
        for rule in rules_in_order(options.rules):
            entry, found, blind = _evaluate(ctx, rule)
            if entry["status"] == "ok":
                _scope(ctx, rule, found, scope)
                ctx.ran.add(rule.name)
                ctx.findings.extend(found)
                pairs.extend((rule.category, f) for f in found)
            if blind:
                pairs.append((rule.category, cannot_evaluate(rule, blind)))
            elif entry["status"] == "ok" and (CANNOT_EVALUATE, rule.name) in ctx.previous:
                scope.gone[(CANNOT_EVALUATE, rule.name)] = "the rule sees all of its evidence again"
            entry["state"] = rule_state(found, bool(blind))
            entry["blind"] = [{"code": b.code, "message": b.message, "hint": b.hint} for b in blind]
            report.append(entry)
        _mark_cumulative(ctx, [f for _c, f in pairs])
        index_advice = ctx.notes.get("index_advice", {})
        workload = ctx.notes.get("workload", {})
    outcome.findings = [f for _c, f in pairs]
    outcome.lifecycle = apply_findings(target, run, pairs, scope, now)
    errors = sum(e["status"] == "error" for e in report)
    run.status = "ok" if not errors else "failed" if errors == len(report) else "partial"
    run.rules = report
    run.index_advice = index_advice
    run.workload = workload
    run.finished_at = timezone.now()
    run.created, run.reopened = outcome.lifecycle.created, outcome.lifecycle.reopened
    run.resolved, run.updated = outcome.lifecycle.resolved, outcome.lifecycle.updated
    run.save()
    if outcome.lifecycle.changed:
        audit.record("advisor.run", target=target, run=run.pk, trigger=trigger, created=run.created,
                     reopened=run.reopened, resolved=run.resolved)
    return outcome


def _evaluate(ctx: RuleContext, rule: Rule) -> tuple[dict[str, Any], list[Finding], list[BlindSpot]]:
    """Run one rule: its report entry, its findings and what it could not see."""
    started = time.monotonic()
    entry: dict[str, Any] = {"name": rule.name, "title": rule.title, "category": rule.category}
    ctx.blind_spots = []
    found: list[Finding] = []
    try:
        found = rule.evaluate(ctx)
    except RuleSkipped as exc:
        entry.update(status="skipped", message=exc.message, hint=exc.hint)
    except TargetError as exc:
        entry.update(status="skipped", message=f"target: {exc.message}", hint=exc.hint)
    except psycopg.Error as exc:
        error = classify(exc)
        entry.update(status="error", message=f"{error.status}: {error.message}", hint=error.hint)
    except Exception as exc:  # one broken rule must not stop the others
        log.exception("advisor rule %s failed on %s", rule.name, ctx.target.name)
        entry.update(status="error", message=f"{type(exc).__name__}: {exc}",
                     hint="this is a dbconsole bug; the log has the traceback")
    else:
        entry.update(status="ok", findings=len(found))
    blind = list(ctx.blind_spots)
    if entry["status"] != "ok":
        blind.insert(0, BlindSpot(code=entry["status"], message=entry["message"], hint=entry.get("hint", "")))
    entry["ms"] = round((time.monotonic() - started) * 1000, 1)
    return entry, found, blind


def _scope(ctx: RuleContext, rule: Rule, found: list[Finding], scope: RunScope) -> None:
    """Record the conditions ``rule`` ran under, and which of its recommendations are verifiably gone."""
    conditions = rule.conditions(ctx, ctx.options, ctx.ran)
    standard = conditions == rule.standard_conditions(ctx)
    for kind in rule.kinds:
        scope.conditions[kind] = conditions
        if standard:
            scope.standard.add(kind)
    keys = {(f.kind, f.object_key) for f in found}
    for key, rec in ctx.previous.items():
        if rec.kind in rule.kinds and key not in keys:
            reason = rule.resolution(ctx, rec, comparable=scope.comparable(rec))
            if reason:
                scope.gone[key] = reason


def _mark_cumulative(ctx: RuleContext, findings: list[Finding]) -> None:
    """Findings citing statements whose totals include the first collection's cumulative counters say
    so: their numbers cover everything since the stats reset, not only the window."""
    cumulative = ctx.history.cumulative()
    if cumulative is None:
        return
    for finding in findings:
        cited = [s for s in finding.evidence.get("statements", []) if s.get("seq") in cumulative.seqs]
        if not cited:
            continue
        for statement in cited:
            statement["since_stats_reset"] = True
        finding.evidence.setdefault("caveats", []).append(
            f"Evidence from the first collection: the counters of {len(cited)} statement(s) are pg_stat_statements' "
            f"cumulative ones {cumulative.label}, not only this window's.")

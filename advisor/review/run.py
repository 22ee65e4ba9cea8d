"""One advisor run on one target: every rule, then the lifecycle, then the run's record.

A rule that raises ``RuleSkipped`` (no history yet, no machine facts, a missing privilege) or fails is
recorded with its reason and resolves nothing; the others go on. The run never changes the target: it
reads the history store, and the catalog and HypoPG through one guarded read-only connection.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.utils import timezone

from advisor.models import AdvisorRun, Recommendation
from advisor.review.lifecycle import LifecycleResult, apply_findings
from advisor.rules import load_all
from advisor.rules.base import REGISTRY, Rule
from advisor.rules.context import RuleContext
from advisor.rules.findings import Finding, RuleSkipped
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
    checked: set[str] = set()
    report: list[dict[str, Any]] = []
    with RuleContext(target, options, now) as ctx:
        for rule in rules_in_order(options.rules):
            started = time.monotonic()
            entry: dict[str, Any] = {"name": rule.name, "title": rule.title, "category": rule.category}
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
                log.exception("advisor rule %s failed on %s", rule.name, target.name)
                entry.update(status="error", message=f"{type(exc).__name__}: {exc}",
                             hint="this is a dbconsole bug; the log has the traceback")
            else:
                entry.update(status="ok", findings=len(found))
                checked.update(rule.kinds)
                ctx.findings.extend(found)
                pairs.extend((rule.category, f) for f in found)
            entry["ms"] = round((time.monotonic() - started) * 1000, 1)
            report.append(entry)
        index_advice = ctx.notes.get("index_advice", {})
    outcome.findings = [f for _c, f in pairs]
    outcome.lifecycle = apply_findings(target, run, pairs, checked, now)
    errors = sum(e["status"] == "error" for e in report)
    run.status = "ok" if not errors else "failed" if errors == len(report) else "partial"
    run.rules = report
    run.index_advice = index_advice
    run.finished_at = timezone.now()
    run.created, run.reopened = outcome.lifecycle.created, outcome.lifecycle.reopened
    run.resolved, run.updated = outcome.lifecycle.resolved, outcome.lifecycle.updated
    run.save()
    if outcome.lifecycle.changed:
        audit.record("advisor.run", target=target, run=run.pk, trigger=trigger, created=run.created,
                     reopened=run.reopened, resolved=run.resolved)
    return outcome

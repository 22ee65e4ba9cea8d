"""One evaluation of one target: every rule graded from history, alerts moved, markers written,
notifications decided — in one transaction, serialised per target.

A rule is graded again only when one of its source collectors has run since the last cycle (or its
settings or the target's thresholds changed); otherwise its previous verdict stands and only time moves
its alerts on (a pending alert reaching its ``for``). Before grading, each source is checked: never
run, failing or stale → ``unknown`` with the reason and the fix, and the rule is not called at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from alerts.evaluation import markers, routing, states
from alerts.evaluation.settings import Effective, effective
from alerts.models import Notification, TargetEvaluation
from alerts.rules import registry
from alerts.rules.base import Rule, Verdict
from alerts.rules.cannot_evaluate import CannotEvaluate
from alerts.rules.context import Context
from monitoring.models import CollectorStatus, Target

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    target_id: int
    ms: float = 0.0
    rules_run: int = 0
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    fired: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


def evaluate_target(target_id: int, now: dt.datetime | None = None) -> Outcome | None:
    """Evaluate ``target_id`` now; None when the target is gone."""
    started = time.monotonic()
    now = now or timezone.now()
    target = Target.objects.filter(pk=target_id).first()
    if target is None:
        return None
    rules = registry()
    with transaction.atomic():
        # Row lock: a second evaluation of the same target waits for this one (never interleaves).
        previous = TargetEvaluation.objects.select_for_update().filter(target=target).first()
        if previous is None:
            TargetEvaluation.objects.get_or_create(target=target, defaults={"at": now})
            previous = TargetEvaluation.objects.select_for_update().get(target=target)
        statuses = {s.collector: s for s in CollectorStatus.objects.filter(target=target)}
        settings = effective(target, rules)
        ctx = Context(target=target, now=now, statuses=statuses,
                      params={k: s.params for k, s in settings.items() if s.params})
        stamps = {c: s.last_attempt_at.isoformat() for c, s in statuses.items() if s.last_attempt_at}
        outcome = Outcome(target_id=target.pk)
        has_previous = bool(previous.verdicts)
        for key, rule in rules.items():
            # A target whose collection is switched off is watched by nobody: no verdict, its alerts resolve.
            if key == CannotEvaluate.key or not settings[key].enabled or not target.enabled:
                continue
            verdict = _source_verdict(ctx, rule)
            if verdict is None and has_previous:
                verdict = _reusable(previous, key, rule, stamps, target, settings[key])
            if verdict is None:
                verdict = _grade(ctx, rule)
                outcome.rules_run += 1
            outcome.verdicts[key] = verdict
        ctx.verdicts = outcome.verdicts
        if settings[CannotEvaluate.key].enabled and target.enabled:
            outcome.verdicts[CannotEvaluate.key] = CannotEvaluate().evaluate(ctx)
        changes = states.apply(target, rules, outcome.verdicts, settings, now)
        markers.record(changes)
        outcome.fired = [a.pk for a in changes.fired]
        outcome.resolved = [a.pk for a in changes.resolved]
        outcome.notifications = routing.flush(target, now)
        outcome.ms = (time.monotonic() - started) * 1000
        previous.at, previous.ms, previous.rules_run = now, outcome.ms, outcome.rules_run
        previous.verdicts = {k: v.as_json() for k, v in outcome.verdicts.items()}
        previous.stamps = stamps
        previous.save()
    return outcome


def _source_verdict(ctx: Context, rule: type[Rule]) -> Verdict | None:
    for collector in rule.sources:
        problem = ctx.source_problem(collector)
        if problem is not None:
            reason, fix, actionable = problem
            return Verdict.unknown(reason, fix, actionable=actionable, cause=f"collector:{collector}")
    return None


def _reusable(previous: TargetEvaluation, key: str, rule: type[Rule], stamps: dict[str, str], target: Target,
              settings: Effective) -> Verdict | None:
    """The previous verdict, when nothing it depends on has changed since it was made."""
    data = previous.verdicts.get(key)
    if not rule.sources or data is None:
        return None
    if any(stamps.get(c) != previous.stamps.get(c) for c in rule.sources):
        return None
    changed = [t for t in (target.updated_at, settings.updated_at) if t is not None]
    if any(t >= previous.at for t in changed):
        return None
    try:
        return Verdict.from_json(data)
    except (TypeError, ValueError):
        return None


def _grade(ctx: Context, rule: type[Rule]) -> Verdict:
    try:
        return rule().evaluate(ctx)
    except Exception as exc:   # one broken rule must not blind the others
        log.exception("alert rule %s failed on %s", rule.key, ctx.target.name)
        return Verdict.unknown(f"the rule failed: {type(exc).__name__}: {exc}",
                               "a dbconsole bug: the worker log has the traceback", actionable=True,
                               cause=f"rule:{rule.key}")

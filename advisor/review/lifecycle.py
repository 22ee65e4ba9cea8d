"""What an advisor run does to recommendations: create, update, resolve, restore — never lose a decision.

Rules return findings; ``apply_findings`` upserts them by ``(target, kind, object_key)`` and moves
statuses on by themselves, within what the run evaluated (``RunScope``):

* a new object → ``open``;
* an existing one found by a run under *comparable* conditions (the same options and earlier rules
  as when it was last found, or the standard conditions of a scheduled run) → its evidence is
  refreshed; a run under other conditions (``advise --budget-mb 10``, ``--rule x``) leaves it exactly
  as it was: it never reopens, never resolves, never rewrites the evidence a decision was made on;
* ``resolved`` and found again (comparably) → back to the status it was resolved from when that was
  a decision still standing (accepted; dismissed for the same evidence; snoozed to a later date),
  ``open`` otherwise;
* ``dismissed`` with a materially different fingerprint (comparably) → ``open``; the decision history
  says what changed;
* ``snoozed`` past its date → ``open`` (whether or not its rule ran);
* not found → ``resolved`` only when the run verified that its condition is gone on the target
  (``RunScope.gone``, from ``Rule.resolution``): the index exists, the table was vacuumed. Anything
  else — a smaller budget, a rule left out or skipped, a sequence it could not read — changes nothing.

Accepted, dismissed and snoozed statuses, the reviewer, the reason and the comments live in the
recommendation's decision history, which no run deletes. Everything happens in one transaction with
the target's recommendations locked, so a reviewer's decision made during a run is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from advisor.models import AdvisorRun, Decision, Recommendation, Severity, Status
from advisor.models.kinds import CANNOT_EVALUATE
from advisor.models.recommendation import ADVISOR_ACTOR
from advisor.review.fingerprint import fingerprint, material_changes, material_of
from advisor.rules.findings import Finding
from monitoring.models import Target

UPDATED_FIELDS = [
    "object_label", "table", "category", "severity", "severity_rank", "status", "title", "summary", "evidence",
    "material", "fingerprint", "benefit", "cost", "benefit_score", "changes", "verified", "last_seen_at",
    "status_changed_at", "resolved_at", "snoozed_until", "dismiss_reason", "dismissed_fingerprint", "last_run",
    "conditions", "resolved_from",
]


@dataclass
class RunScope:
    """What one run evaluated: per kind, the conditions its rule ran under (kinds of rules that were
    skipped, failed or left out are absent), which kinds ran under the standard conditions, and the
    recommendations whose condition the run verified to be gone (``(kind, object_key)`` → why)."""

    conditions: dict[str, dict[str, Any]] = field(default_factory=dict)
    standard: set[str] = field(default_factory=set)
    gone: dict[tuple[str, str], str] = field(default_factory=dict)

    def comparable(self, rec: Recommendation) -> bool:
        """May this run change ``rec``? Only if its rule ran, under the conditions ``rec`` was found
        under or the standard ones. "Cannot evaluate" findings are about the run itself: always."""
        if rec.kind == CANNOT_EVALUATE:
            return True
        if rec.kind not in self.conditions:
            return False
        return rec.kind in self.standard or not rec.conditions or rec.conditions == self.conditions[rec.kind]


@dataclass
class LifecycleResult:
    created: int = 0
    reopened: int = 0
    resolved: int = 0
    updated: int = 0
    untouched: int = 0   # found, but under conditions not comparable with its own: left as it was
    # The recommendations behind this run's findings, in the order of the findings.
    current: list[Recommendation] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.reopened or self.resolved)


def apply_findings(target: Target, run: AdvisorRun | None, findings: Iterable[tuple[str, Finding]],
                   scope: RunScope, now: dt.datetime) -> LifecycleResult:
    """Upsert ``findings`` (``(category, finding)`` pairs) and move statuses on; see the module doc."""
    result = LifecycleResult()
    decisions: list[Decision] = []
    with transaction.atomic():
        existing = {
            (r.kind, r.object_key): r
            for r in Recommendation.objects.select_for_update().filter(target=target)
        }
        seen: set[tuple[str, str]] = set()
        fresh: list[Recommendation] = []
        touched: list[Recommendation] = []
        for category, finding in findings:
            key = (finding.kind, finding.object_key)
            if key in seen:
                raise ValueError(f"two findings for {key}: a rule's object_key must be unique")
            seen.add(key)
            rec = existing.get(key)
            if rec is None:
                rec = Recommendation(target=target, kind=finding.kind, object_key=finding.object_key,
                                     status=Status.OPEN, first_seen_at=now, status_changed_at=now)
                _fill(rec, category, finding, run, now)
                rec.conditions = scope.conditions.get(finding.kind, {})
                fresh.append(rec)
            elif not scope.comparable(rec):
                result.untouched += 1
                decision = _snooze_ended(rec, now)
                if decision is not None:
                    decisions.append(decision)
                    result.reopened += 1
                    touched.append(rec)
            else:
                before = dict(rec.material)
                _fill(rec, category, finding, run, now)
                rec.conditions = scope.conditions.get(finding.kind, rec.conditions)
                decision = _revisit(rec, before, now)
                if decision is not None:
                    decisions.append(decision)
                    result.reopened += decision.to_status == Status.OPEN
                else:
                    result.updated += 1
                touched.append(rec)
            result.current.append(rec)
        for key, rec in existing.items():
            if key in seen:
                continue
            if key in scope.gone and rec.status != Status.RESOLVED:
                decisions.append(_resolve(rec, scope.gone[key], now))
                result.resolved += 1
                touched.append(rec)
            else:
                decision = _snooze_ended(rec, now)
                if decision is not None:
                    decisions.append(decision)
                    result.reopened += 1
                    touched.append(rec)
        Recommendation.objects.bulk_create(fresh)
        if touched:
            Recommendation.objects.bulk_update(touched, UPDATED_FIELDS)
        decisions.extend(
            Decision(recommendation=rec, at=now, actor_name=ADVISOR_ACTOR, action="created", to_status=Status.OPEN,
                     comment="found by the advisor")
            for rec in fresh
        )
        Decision.objects.bulk_create(decisions)
    result.created = len(fresh)
    return result


def _fill(rec: Recommendation, category: str, finding: Finding, run: AdvisorRun | None, now: dt.datetime) -> None:
    material = material_of(finding.material, finding.severity)
    rec.object_label = finding.object_label[:300]
    rec.table = finding.table[:130]
    rec.category = category
    rec.severity = finding.severity
    rec.severity_rank = Severity.rank_of(finding.severity)
    rec.title = finding.title[:300]
    rec.summary = finding.summary
    rec.evidence = finding.evidence
    rec.material = material
    rec.fingerprint = fingerprint(material)
    rec.benefit = finding.benefit
    rec.cost = finding.cost
    rec.benefit_score = finding.benefit_score
    rec.changes = finding.changes
    rec.verified = finding.verified
    rec.last_seen_at = now
    rec.last_run = run


def _revisit(rec: Recommendation, material_before: dict[str, object], now: dt.datetime) -> Decision | None:
    """The status move of an existing recommendation found again (comparably), if any."""
    if rec.status == Status.RESOLVED:
        return _come_back(rec, now)
    if rec.status == Status.DISMISSED and rec.dismissed_fingerprint != rec.fingerprint:
        changes = material_changes(material_before, rec.material)
        _clear_dismissal(rec)
        return _move(rec, Status.OPEN, "reopened", now,
                     comment="the evidence changed materially since it was dismissed",
                     details={"changes": changes})
    return _snooze_ended(rec, now)


def _come_back(rec: Recommendation, now: dt.datetime) -> Decision:
    """A resolved recommendation found again: the decision it had when it was resolved holds if it
    still can — accepted stays accepted, a dismissal holds for the same evidence, a snooze until its
    date; otherwise (it was open or applied, or the evidence changed) it is open again."""
    was = rec.resolved_from
    rec.resolved_at = None
    rec.resolved_from = ""
    if was == Status.DISMISSED and rec.dismiss_reason and rec.dismissed_fingerprint == rec.fingerprint:
        return _move(rec, Status.DISMISSED, "detected_again", now,
                     comment="detected again with the evidence it was dismissed for: stays dismissed")
    if was == Status.ACCEPTED:
        return _move(rec, Status.ACCEPTED, "restored", now, comment="detected again: it stays accepted")
    if was == Status.SNOOZED and rec.snoozed_until is not None and rec.snoozed_until > now:
        return _move(rec, Status.SNOOZED, "restored", now,
                     comment=f"detected again: stays snoozed until {rec.snoozed_until:%Y-%m-%d %H:%M}")
    _clear_dismissal(rec)
    rec.snoozed_until = None
    comment = "detected again after the change was applied" if was == Status.APPLIED else "detected again"
    return _move(rec, Status.OPEN, "reopened", now, comment=comment)


def _snooze_ended(rec: Recommendation, now: dt.datetime) -> Decision | None:
    if rec.status == Status.SNOOZED and rec.snoozed_until is not None and rec.snoozed_until <= now:
        until = rec.snoozed_until
        rec.snoozed_until = None
        return _move(rec, Status.OPEN, "snooze_ended", now, comment=f"snoozed until {until:%Y-%m-%d %H:%M}")
    return None


def _resolve(rec: Recommendation, reason: str, now: dt.datetime) -> Decision:
    """Resolved because its condition was verified gone (``reason``); the status it had is kept in
    ``resolved_from`` — with the dismissal and the snooze date — to be restored if it comes back."""
    rec.resolved_from = rec.status
    rec.resolved_at = now
    return _move(rec, Status.RESOLVED, "resolved", now, comment=f"the condition is gone: {reason}",
                 details={"reason": reason})


def _clear_dismissal(rec: Recommendation) -> None:
    rec.dismiss_reason = ""
    rec.dismissed_fingerprint = ""


def _move(rec: Recommendation, to: str, action: str, now: dt.datetime, *, comment: str = "",
          details: dict[str, object] | None = None) -> Decision:
    decision = Decision(recommendation=rec, at=now, actor_name=ADVISOR_ACTOR, action=action,
                        from_status=rec.status, to_status=to, comment=comment, details=details or {})
    rec.status = to
    rec.status_changed_at = now
    return decision

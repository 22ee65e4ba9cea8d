"""What an advisor run does to recommendations: create, update, resolve, reopen — never duplicate.

Rules return findings; ``apply_findings`` upserts them by ``(target, kind, object_key)`` and moves
statuses on by themselves:

* a new object → ``open``;
* a ``resolved`` one found again → ``open`` — or back to ``dismissed`` when it had been dismissed and
  its evidence is still the one the dismissal was about (a condition that flaps does not undo a
  decision);
* ``dismissed`` with a different fingerprint → ``open``, the decision history says what changed;
* ``snoozed`` past its date → ``open`` (whether or not its rule ran);
* not found by a rule that *ran* (``checked_kinds``) → ``resolved``: the index now exists, the table
  was vacuumed. A rule that was skipped or failed resolves nothing.

Everything happens in one transaction with the target's recommendations locked, so a reviewer's
decision made during a run is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from advisor.models import AdvisorRun, Decision, Recommendation, Severity, Status
from advisor.models.recommendation import ADVISOR_ACTOR
from advisor.review.fingerprint import fingerprint, material_changes, material_of
from advisor.rules.findings import Finding
from monitoring.models import Target

UPDATED_FIELDS = [
    "object_label", "table", "category", "severity", "severity_rank", "status", "title", "summary", "evidence",
    "material", "fingerprint", "benefit", "cost", "benefit_score", "changes", "verified", "last_seen_at",
    "status_changed_at", "resolved_at", "snoozed_until", "dismiss_reason", "dismissed_fingerprint", "last_run",
]


@dataclass
class LifecycleResult:
    created: int = 0
    reopened: int = 0
    resolved: int = 0
    updated: int = 0
    # The recommendations behind this run's findings, in the order of the findings.
    current: list[Recommendation] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.reopened or self.resolved)


def apply_findings(target: Target, run: AdvisorRun | None, findings: Iterable[tuple[str, Finding]],
                   checked_kinds: set[str], now: dt.datetime) -> LifecycleResult:
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
                fresh.append(rec)
            else:
                before = dict(rec.material)
                _fill(rec, category, finding, run, now)
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
            if rec.kind in checked_kinds and rec.status != Status.RESOLVED:
                decisions.append(_resolve(rec, now))
                result.resolved += 1
                touched.append(rec)
            elif rec.status == Status.SNOOZED and rec.snoozed_until is not None and rec.snoozed_until <= now:
                decisions.append(_move(rec, Status.OPEN, "snooze_ended", now,
                                       comment=f"snoozed until {rec.snoozed_until:%Y-%m-%d %H:%M}"))
                rec.snoozed_until = None
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
    """The status move of an existing recommendation found again, if any."""
    if rec.status == Status.RESOLVED:
        if rec.dismiss_reason and rec.dismissed_fingerprint == rec.fingerprint:
            rec.resolved_at = None
            return _move(rec, Status.DISMISSED, "detected_again", now,
                         comment="detected again with the evidence it was dismissed for: stays dismissed")
        _clear_dismissal(rec)
        rec.resolved_at = None
        return _move(rec, Status.OPEN, "reopened", now, comment="detected again")
    if rec.status == Status.DISMISSED and rec.dismissed_fingerprint != rec.fingerprint:
        changes = material_changes(material_before, rec.material)
        _clear_dismissal(rec)
        return _move(rec, Status.OPEN, "reopened", now,
                     comment="the evidence changed materially since it was dismissed",
                     details={"changes": changes})
    if rec.status == Status.SNOOZED and rec.snoozed_until is not None and rec.snoozed_until <= now:
        until = rec.snoozed_until
        rec.snoozed_until = None
        return _move(rec, Status.OPEN, "snooze_ended", now, comment=f"snoozed until {until:%Y-%m-%d %H:%M}")
    return None


def _resolve(rec: Recommendation, now: dt.datetime) -> Decision:
    if rec.status != Status.DISMISSED:
        _clear_dismissal(rec)  # a dismissal is kept through resolution only for a dismissed one
    rec.snoozed_until = None
    rec.resolved_at = now
    return _move(rec, Status.RESOLVED, "resolved", now, comment="the condition is no longer detected")


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

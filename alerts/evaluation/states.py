"""Alerts moved through their states by one evaluation's verdicts, Prometheus-style:

* a finding not yet alerting starts a ``pending`` episode (``started_at``); once it has held for the
  rule's ``for``, the episode is ``firing`` (``fired_at``) — at once when ``for`` is 0;
* a finding no longer found: a pending episode ends quietly (``inactive``); a firing one resolves once
  the condition has been gone for the rule's ``keep_firing_for`` (hysteresis), and immediately for a rule
  switched off;
* an ``unknown`` verdict changes nothing: what we cannot see neither fires nor resolves anything;
* flapping guard: an alert that starts firing for the ``ALERTS_FLAP_EPISODES``-th time within ``FLAP_WINDOW``
  is marked flapping, and its episode keeps firing until it has been quiet for the whole window —
  one notification instead of a storm, and the alert says it flaps;
* inhibition: while the target's ``target_down`` fires, its other open alerts are ``inhibited`` (kept,
  shown, not notified): everything is unknown or failing then for one reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from alerts.evaluation.fingerprint import fingerprint, labels_of
from alerts.evaluation.settings import Effective
from alerts.models import Alert, AlertState
from alerts.models.alert import OPEN_STATES
from alerts.rules.base import Finding, Rule, Verdict
from dbconsole.thresholds import UNKNOWN
from monitoring.models import Target

FLAP_WINDOW = dt.timedelta(minutes=15)
DOWN_RULE = "target_down"


@dataclass
class Changes:
    fired: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)


def apply(target: Target, rules: dict[str, type[Rule]], verdicts: dict[str, Verdict],
          effective: dict[str, Effective], now: dt.datetime) -> Changes:
    """Update the target's alerts from this cycle's verdicts; the caller holds the transaction and the
    per-target lock (``TargetEvaluation`` row), so two evaluations never interleave."""
    open_alerts = {a.fingerprint: a for a in Alert.objects.filter(target=target, state__in=OPEN_STATES)}
    changes = Changes()
    seen: set[str] = set()
    for key, verdict in verdicts.items():
        if verdict.status == UNKNOWN:
            seen.update(fp for fp, a in open_alerts.items() if a.rule == key)
            continue
        rule = rules[key]
        for finding in verdict.findings:
            labels = labels_of(rule, target, finding)
            fp = fingerprint(labels)
            seen.add(fp)
            alert = open_alerts.get(fp)
            if alert is None:
                alert = Alert(target=target, rule=key, fingerprint=fp, started_at=now, last_seen_at=now,
                              state=AlertState.PENDING)
                open_alerts[fp] = alert
            _update(alert, rule, finding, labels, now)
            due = now - alert.started_at >= dt.timedelta(seconds=effective[key].for_s)
            if alert.state == AlertState.PENDING and due:
                alert.state, alert.fired_at = AlertState.FIRING, now
                alert.flapping = _flapping(fp, now)
                changes.fired.append(alert)
            alert.save()
    for fp, alert in open_alerts.items():
        if fp in seen:
            continue
        rule_settings = effective.get(alert.rule)
        switched_off = alert.rule not in verdicts
        if alert.state == AlertState.PENDING or switched_off:
            alert.state = AlertState.INACTIVE if alert.state == AlertState.PENDING else AlertState.RESOLVED
            alert.resolved_at = now
            if alert.state == AlertState.RESOLVED:
                changes.resolved.append(alert)
            alert.save()
            continue
        keep = dt.timedelta(seconds=rule_settings.keep_firing_s if rule_settings else 0)
        if alert.flapping:
            keep = max(keep, FLAP_WINDOW)
        alert.cleared_at = alert.cleared_at or now
        if now - alert.cleared_at >= keep:
            alert.state, alert.resolved_at = AlertState.RESOLVED, now
            changes.resolved.append(alert)
        alert.save()
    down = any(a.rule == DOWN_RULE and a.state == AlertState.FIRING for a in open_alerts.values())
    Alert.objects.filter(target=target, state__in=OPEN_STATES).exclude(rule=DOWN_RULE).exclude(
        inhibited=down).update(inhibited=down)
    return changes


def _update(alert: Alert, rule: type[Rule], finding: Finding, labels: dict[str, str], now: dt.datetime) -> None:
    alert.severity = finding.severity
    alert.instance = finding.instance[:300]
    alert.labels = {**labels, "severity": finding.severity}
    alert.annotations = annotations_of(rule, finding)
    alert.value = finding.value
    # Every alert links to the page that explains it: the finding's own, else the rule's page of the target.
    alert.link = (finding.link or reverse(rule.page, args=[alert.labels["target"]]))[:500]
    alert.last_seen_at = now
    alert.cleared_at = None


def annotations_of(rule: type[Rule], finding: Finding) -> dict[str, str]:
    out: dict[str, Any] = {
        "summary": finding.summary,
        "description": finding.description or finding.summary,
        "runbook": rule.runbook,
        "runbook_url": f"{settings.EXTERNAL_URL}/alerts/rules/#{rule.key}",
        "title": rule.title,
    }
    out.update({k: str(v) for k, v in finding.details.items() if v not in (None, "")})
    return out


def _flapping(fp: str, now: dt.datetime) -> bool:
    if not settings.ALERTS_FLAP_EPISODES:
        return False
    earlier = Alert.objects.filter(fingerprint=fp, fired_at__gte=now - FLAP_WINDOW).exclude(
        state__in=OPEN_STATES).count()
    return earlier + 1 >= settings.ALERTS_FLAP_EPISODES

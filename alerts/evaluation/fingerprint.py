"""Alert identity: labels and the fingerprint hashed from them.

The fingerprint hashes ``alertname``, ``target`` and the finding's own labels — not the severity: an
alert that escalates from warning to critical is the same alert (the same PagerDuty incident, updated),
and it keeps its fingerprint from firing to resolved and across later episodes.
"""

from __future__ import annotations

import hashlib
import json

from alerts.rules.base import Finding, Rule
from monitoring.models import Target


def labels_of(rule: type[Rule] | Rule, target: Target, finding: Finding) -> dict[str, str]:
    labels = {"alertname": rule.key, "target": target.name, **{k: str(v) for k, v in finding.labels.items()}}
    if target.tags:
        labels["tags"] = ",".join(sorted(target.tags))
    return labels


def fingerprint(labels: dict[str, str]) -> str:
    identity = {k: v for k, v in labels.items() if k not in {"severity", "tags"}}
    blob = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(blob.encode(), digest_size=8).hexdigest()

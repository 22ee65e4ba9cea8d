"""The JSON schema of the Alertmanager webhook payload (version 4) the generic webhook must satisfy —
written from Alertmanager's documented webhook format, so a receiver built for Alertmanager accepts ours."""

from __future__ import annotations

from typing import Any

import jsonschema

RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}

ALERT = {
    "type": "object",
    "required": ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"],
    "properties": {
        "status": {"enum": ["firing", "resolved"]},
        "labels": {**STRINGS, "required": ["alertname", "severity", "target"]},
        "annotations": {**STRINGS, "required": ["summary", "description", "runbook", "runbook_url"]},
        "startsAt": {"type": "string", "pattern": RFC3339},
        "endsAt": {"type": "string", "pattern": RFC3339},
        "generatorURL": {"type": "string", "pattern": "^https?://"},
        "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    },
}
PAYLOAD = {
    "type": "object",
    "required": ["version", "groupKey", "status", "receiver", "groupLabels", "commonLabels", "commonAnnotations",
                 "externalURL", "alerts"],
    "properties": {
        "version": {"const": "4"},
        "groupKey": {"type": "string", "minLength": 1},
        "truncatedAlerts": {"type": "integer", "minimum": 0},
        "status": {"enum": ["firing", "resolved"]},
        "receiver": {"type": "string", "minLength": 1},
        "groupLabels": STRINGS,
        "commonLabels": STRINGS,
        "commonAnnotations": STRINGS,
        "externalURL": {"type": "string", "pattern": "^https?://"},
        "alerts": {"type": "array", "minItems": 1, "items": ALERT},
    },
}


def validate(payload: Any) -> None:
    jsonschema.validate(payload, PAYLOAD)
    for alert in payload["alerts"]:
        if alert["status"] == "firing":
            assert alert["endsAt"] == "0001-01-01T00:00:00Z", alert
        else:
            assert alert["endsAt"] >= alert["startsAt"], alert

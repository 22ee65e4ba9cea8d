"""The fingerprint of a recommendation's material evidence, and what changed between two of them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def material_of(material: Mapping[str, Any], severity: str) -> dict[str, Any]:
    """The material a fingerprint covers: the rule's own, plus the severity (a warning turning critical
    is always worth a second look)."""
    return {**material, "severity": severity}


def fingerprint(material: Mapping[str, Any]) -> str:
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def material_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """``key: old → new`` for every key that differs, for the decision history."""
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            lines.append(f"{key}: {_show(old)} → {_show(new)}")
    return lines


def _show(value: Any) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:117] + "…"

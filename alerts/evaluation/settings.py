"""Each rule's effective settings on one target: its defaults, the fleet-wide row, the target's row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from alerts.models import RuleSetting
from alerts.rules.base import Rule
from monitoring.models import Target


@dataclass(frozen=True)
class Effective:
    enabled: bool
    for_s: int
    keep_firing_s: int
    params: dict[str, Any] = field(default_factory=dict)
    updated_at: dt.datetime | None = None


def effective(target: Target, rules: dict[str, type[Rule]]) -> dict[str, Effective]:
    """One query: the fleet-wide rows (target NULL) overridden field by field by the target's own."""
    rows = list(RuleSetting.objects.filter(Q(target__isnull=True) | Q(target=target)).order_by("target_id"))
    fleet = {r.rule: r for r in rows if r.target_id is None}
    mine = {r.rule: r for r in rows if r.target_id is not None}
    out = {}
    for key, rule in rules.items():
        layers = [r for r in (fleet.get(key), mine.get(key)) if r is not None]
        enabled, for_s, keep_s, updated = True, rule.for_s, rule.keep_firing_s, None
        params: dict[str, Any] = {}
        for row in layers:
            enabled = row.enabled
            for_s = row.for_s if row.for_s is not None else for_s
            keep_s = row.keep_firing_s if row.keep_firing_s is not None else keep_s
            params = {**params, **(row.params or {})}
            updated = max(updated, row.updated_at) if updated else row.updated_at
        out[key] = Effective(enabled=enabled, for_s=for_s, keep_firing_s=keep_s, params=params, updated_at=updated)
    return out

"""What a rule returns: findings, ``RuleSkipped`` when it could not check its condition at all, and
``BlindSpot`` notes (``ctx.blind``) for the part of its evidence it could not see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# "unknown" is the severity of the one finding per rule that says what the rule could not see
# (kind ``cannot_evaluate``): the runner builds it from ``RuleSkipped`` and ``BlindSpot`` notes.
SEVERITIES = ("info", "unknown", "warning", "critical")


class RuleSkipped(Exception):
    """The rule could not check its condition (no history yet, a missing privilege, no machine facts).

    Its recommendations are left exactly as they were: a condition that was not checked did not
    disappear. ``hint`` tells the user how to let the rule run.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class BlindSpot:
    """Part of a rule's evidence it could not see, and what would let it see.

    * ``code`` — stable across runs (``too_early``, ``unreadable``, ``skipped`` …): the fingerprint of
      the "cannot evaluate" finding covers the codes, not the wording, so a dismissal holds while the
      same thing stays unseen.
    * ``message`` — what is not seen, e.g. ``5 sequence(s) not readable by the monitoring role``.
    * ``hint`` — the grant, setting or action that fixes it.
    * ``objects`` — what is affected (names shown in the evidence), when the rule knows.
    """

    code: str
    message: str
    hint: str = ""
    objects: tuple[str, ...] = ()


@dataclass
class Finding:
    """One thing a rule found, with everything a reviewer needs to decide on it.

    * ``object_key`` — stable identity within the kind (e.g. ``public.orders_status_idx``); the
      recommendation is upserted by it, so it must not contain anything that changes between runs.
    * ``evidence`` — numbers, statements (``queryid``, ``query``, calls, cost before → after…), notes;
      rendered on the detail page and exported as JSON.
    * ``material`` — the part of the evidence a decision depends on. Its hash is the fingerprint that
      keeps a dismissed recommendation dismissed until it changes. The severity is always added.
    * ``changes`` — change specs (see ``advisor.rules.changes``) a migration draft is built from;
      empty for advice that is not a migration (configuration, wraparound).
    """

    kind: str
    object_key: str
    object_label: str
    severity: str
    title: str
    summary: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    material: dict[str, Any] = field(default_factory=dict)
    benefit: str = ""
    cost: str = ""
    benefit_score: float | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    verified: bool | None = None
    table: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

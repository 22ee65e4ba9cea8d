"""The base class every rule derives from, and what a rule returns.

A rule is one concern (missing indexes, unused indexes, table bloat, shared_buffers, …) in its own
module. It reads what it needs through the ``RuleContext`` — the history store through
``ctx.history``, the target's catalog through ``ctx.catalog`` only for structural facts the history
store does not keep — and returns ``Finding`` objects. The runner turns findings into recommendations
(upserted by ``(target, kind, object_key)``) and resolves the recommendations of a rule that ran and
no longer finds their object.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from advisor.rules.context import RuleContext

SEVERITIES = ("info", "warning", "critical")


class RuleSkipped(Exception):
    """The rule could not check its condition (no history yet, a missing privilege, no machine facts).

    Its recommendations are left exactly as they were: a condition that was not checked did not
    disappear. ``hint`` tells the user how to let the rule run.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Finding:
    """One thing a rule found, with everything a reviewer needs to decide on it.

    * ``object_key`` — stable identity within the kind (e.g. ``public.orders_status_idx``); the
      recommendation is upserted by it, so it must not contain anything that changes between runs.
    * ``evidence`` — numbers, statements (``queryid``, ``query``, calls, cost before → after…), notes;
      rendered on the detail page and exported as JSON.
    * ``material`` — the part of the evidence a decision depends on. Its hash is the fingerprint that
      keeps a dismissed recommendation dismissed until it changes. The severity is always added.
    * ``changes`` — change specs (see ``advisor.review.changes``) a migration draft is built from;
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


class Rule(ABC):
    """Documented hooks:

    * ``name`` — the rule's id (module name), shown in run summaries.
    * ``kinds`` — recommendation kinds it produces; resolution after a successful run is limited to
      these kinds, so a rule never resolves another rule's recommendations.
    * ``category`` — ``indexes``, ``maintenance`` or ``configuration``.
    * ``title`` — a short human name for the run summary.
    * ``order`` — evaluation order (lower first); later rules may read ``ctx.findings`` (e.g. the
      foreign-key rule does not repeat an index the missing-index rule already proposes).
    * ``evaluate(ctx)`` — return findings, or raise ``RuleSkipped`` when the condition cannot be
      checked. Any other exception is recorded as the rule's error and the run goes on.
    """

    name: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]
    category: ClassVar[str]
    title: ClassVar[str]
    order: ClassVar[int] = 100

    @abstractmethod
    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        """Check the rule's condition on ``ctx.target``."""


REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    if cls.name in REGISTRY:
        raise ValueError(f"two rules named {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


def kind_titles() -> Mapping[str, str]:
    """Human names of every kind, for filters and headings."""
    from advisor.rules import KIND_TITLES

    return KIND_TITLES

"""The base class every rule derives from, and the registry of rules.

A rule is one concern (missing indexes, unused indexes, table bloat, shared_buffers, …) in its own
module. It reads what it needs through the ``RuleContext`` — the history store through
``ctx.history``, the target's catalog through ``ctx.catalog`` only for structural facts the history
store does not keep — and returns ``Finding`` objects (:mod:`advisor.rules.findings`). The runner
turns findings into recommendations (upserted by ``(target, kind, object_key)``) and resolves the
recommendations of a rule that ran and no longer finds their object.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from advisor.rules.context import RuleContext
from advisor.rules.findings import Finding


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


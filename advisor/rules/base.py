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
from typing import Any, ClassVar

from advisor.models import Recommendation
from advisor.rules.context import RuleContext
from advisor.rules.findings import Finding
from advisor.rules.options import AdvisorOptions
from advisor.rules.verify import gone_reason


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
      checked. Any other exception is recorded as the rule's error and the run goes on. Evidence it
      could see only in part is reported with ``ctx.blind(…)`` (the run turns both into one "unknown"
      finding naming the fix: never silently nothing).
    * ``option_fields`` — the ``AdvisorOptions`` its result depends on, and ``depends_on`` — the rules
      whose findings it reads. Together (``conditions``) they say whether two runs are comparable: a
      run under other conditions (``advise --budget-mb``, ``--rule``) never resolves or reopens what
      this rule found, unless it runs under the standard conditions of a scheduled run.
    * ``absence_is_proof`` — True when the rule looks at every object afresh each run, so an object it
      no longer finds under comparable conditions is verifiably fine (a setting changed, a table was
      vacuumed). False (the default) when absence proves nothing (the index engine's choice depends on
      its budget): then only ``resolution`` can resolve.
    * ``resolution(ctx, rec, comparable=…)`` — why a recommendation the run did not find is verifiably
      gone on the target, or None. The default checks what every rule shares (:mod:`advisor.rules.verify`:
      the index exists, the index or the table is gone), then ``absence_is_proof``.
    """

    name: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]
    category: ClassVar[str]
    title: ClassVar[str]
    order: ClassVar[int] = 100
    option_fields: ClassVar[tuple[str, ...]] = ("window",)
    depends_on: ClassVar[tuple[str, ...]] = ()
    absence_is_proof: ClassVar[bool] = False

    @abstractmethod
    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        """Check the rule's condition on ``ctx.target``."""

    def conditions(self, ctx: RuleContext, options: AdvisorOptions, ran: set[str]) -> dict[str, Any]:
        """What this rule's result depends on in a run with ``options`` after the rules in ``ran``."""
        values = options.as_dict()
        found: dict[str, Any] = {name: values.get(name) for name in self.option_fields}
        if self.depends_on:
            found["with"] = sorted(set(self.depends_on) & ran)
        return found

    def standard_conditions(self, ctx: RuleContext) -> dict[str, Any]:
        """The conditions of a scheduled run: default options, every rule it depends on evaluated."""
        return self.conditions(ctx, ctx.standard_options, set(self.depends_on))

    def resolution(self, ctx: RuleContext, rec: Recommendation, *, comparable: bool) -> str | None:
        """Why ``rec`` (of this rule's kinds, not found by this run) is verifiably gone, or None."""
        reason = gone_reason(ctx.history, rec, comparable=comparable)
        if reason:
            return reason
        if self.absence_is_proof and comparable:
            return "no longer detected under the same conditions"
        return None


REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    if cls.name in REGISTRY:
        raise ValueError(f"two rules named {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


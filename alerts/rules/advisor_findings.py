"""New critical advisor findings: the advisor's own rules (advisor.models.Recommendation) turned into
an alert, so a critical finding reaches the on-call engineer instead of waiting for a reviewer."""

from __future__ import annotations

from advisor.models import Recommendation
from advisor.models.recommendation import Status
from alerts.rules.base import Finding, Rule, Verdict, register
from alerts.rules.context import Context


@register
class AdvisorCritical(Rule):
    key = "advisor_critical"
    title = "Critical advisor finding"
    doc = ("An open advisor recommendation of severity critical (a sequence about to overflow, wraparound, an "
           "invalid index …). It fires when the advisor finds it and resolves once a reviewer accepts, "
           "dismisses or snoozes it, or the advisor sees it gone.")
    runbook = "Open the recommendation (linked): its evidence, the fix and a migration draft are there."
    severity = "critical"
    page = "advisor"

    def evaluate(self, ctx: Context) -> Verdict:
        found = list(Recommendation.objects.filter(target=ctx.target, severity="critical", status=Status.OPEN)
                     .order_by("-first_seen_at")[:50])
        return Verdict.of([Finding(
            "critical", f"advisor: {r.title}", instance=str(r.pk), labels={"recommendation": str(r.pk)},
            description=r.summary[:600], link=ctx.url("advisor-detail", r.pk),
            details={"kind": r.kind, "object": r.object_label}) for r in found], "no open critical recommendation")

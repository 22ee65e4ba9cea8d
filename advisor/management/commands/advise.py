"""manage.py advise --target NAME — run the advisor now and print its recommendations.

``--format text`` (default) for people, ``json`` for tools, ``sql`` for the recommended
``CREATE INDEX`` statements only, one per line (nothing else on stdout, so they can be piped): the
indexes the net-benefit engine proposes and foreign-key indexes with evidence — never a safety-only
finding. ``--fail-on warning|critical`` exits with status 2 when a recommendation still needing
attention (open or accepted) is at least that severe — for CI.

Index advice: ``--profile`` (write-optimised, balanced, read-optimised) sets the exchange rates of the
net benefit; ``--budget-mb`` (MB of 10^6 bytes, checked against the engine's btree size estimate) and
``--max-per-table`` are optional caps.
An "unknown" (a rule that could not see its evidence) counts as a warning: a gate must not pass
while blind.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.drafts import UnsafeDraft
from advisor.drafts.verify import parse_statement
from advisor.models import Recommendation, Severity, Status
from advisor.models.kinds import kind_title
from advisor.models.recommendation import ACTIVE_STATUSES
from advisor.review.run import RunOutcome, run_advisor
from advisor.rules.options import MB, AdvisorOptions
from advisor.selection import profile_name
from monitoring.models import Target

EXIT_FINDINGS = 2
INDEX_KINDS = ("missing_index", "fk_without_index")


class Command(BaseCommand):
    help = ("Run the advisor on a target (from its history store; HypoPG what-if on the target when available), "
            "update its recommendations and print them. Exits 2 when --fail-on is reached.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", required=True, help="target name")
        parser.add_argument("--profile", default=None,
                            choices=["write-optimised", "balanced", "read-optimised", "write-optimized",
                                     "read-optimized"],
                            help="exchange rates of the index advice's net benefit (default: "
                                 "DBCONSOLE_ADVISOR_PROFILE, balanced)")
        parser.add_argument("--budget-mb", type=int, default=None,
                            help="optional cap on the new indexes' total size in MB of 10^6 bytes, checked against "
                                 "the estimated btree sizes (default: no budget, every index that pays for itself)")
        parser.add_argument("--max-per-table", type=int, default=None,
                            help="optional cap on the new indexes per table (default: none)")
        parser.add_argument("--format", choices=["text", "sql", "json"], default="text")
        parser.add_argument("--fail-on", choices=["warning", "critical"], default=None,
                            help="exit with status 2 when an open or accepted recommendation is at least this severe")
        parser.add_argument("--rule", action="append", dest="rules", default=None,
                            help="run only this rule (repeatable); others keep their recommendations")

    def handle(self, *args: Any, **opts: Any) -> None:
        target = Target.objects.filter(name=opts["target"]).first()
        if target is None:
            raise CommandError(f"no target named {opts['target']!r} (manage.py targets list)")
        if opts["budget_mb"] is not None and opts["budget_mb"] <= 0:
            raise CommandError("--budget-mb must be positive")
        if opts["max_per_table"] is not None and opts["max_per_table"] <= 0:
            raise CommandError("--max-per-table must be positive")
        caps: dict[str, Any] = {}
        if opts["profile"]:
            caps["profile"] = profile_name(opts["profile"])
        if opts["max_per_table"] is not None:
            caps["max_per_table"] = opts["max_per_table"]
        options = AdvisorOptions(
            budget_bytes=opts["budget_mb"] * MB if opts["budget_mb"] is not None else None,
            rules=tuple(opts["rules"]) if opts["rules"] else None, **caps,
        )
        try:
            outcome = run_advisor(target, options=options, trigger="cli")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        current = [r for r in outcome.recommendations]
        if opts["format"] == "sql":
            self._sql(current)
        elif opts["format"] == "json":
            self.stdout.write(json.dumps(_as_json(outcome), indent=2, default=str))
        else:
            self._text(target, outcome)
        threshold = opts["fail_on"]
        if threshold:
            rank = Severity.rank_of(threshold)
            failing = [r for r in current if r.status in ACTIVE_STATUSES and r.severity_rank >= rank]
            if failing:
                raise CommandError(f"{len(failing)} open or accepted recommendation(s) at or above {threshold}",
                                   returncode=EXIT_FINDINGS)

    def _sql(self, recs: list[Recommendation]) -> None:
        for rec in recs:
            if rec.evidence.get("safety_only"):
                continue  # not proposed by the net-benefit default: listed in text and JSON only
            if rec.kind in INDEX_KINDS and rec.status not in (Status.DISMISSED, Status.SNOOZED):
                statement = rec.evidence.get("create_sql")
                if statement:
                    try:  # output meant for psql: one CREATE INDEX per line, or nothing
                        parse_statement(statement, "advise --format sql", frozenset({"IndexStmt"}))
                    except UnsafeDraft as exc:
                        self.stderr.write(f"recommendation {rec.pk}: {exc}")
                        continue
                    self.stdout.write(statement.rstrip(";") + ";")

    def _text(self, target: Target, outcome: RunOutcome) -> None:
        run = outcome.run
        w = self.stdout.write
        w(f"advisor on {target.name}: run {run.pk} {run.status} in {run.duration_s or 0:.1f} s — "
          f"{run.created} new, {run.reopened} reopened, {run.resolved} resolved")
        advice = run.index_advice
        if advice:
            w(_advice_line(advice))
        workload = run.workload
        if workload:
            since = " (cumulative since stats reset: first collection)" if workload.get("since_stats_reset") else ""
            w(f"workload: {workload['considered']} statement(s) considered, {workload['planned']} planned, "
              f"{workload['skipped']} skipped{since}")
            for reason in workload.get("reasons", []):
                w(f"  skipped {reason['count']}: {reason['reason']}")
        for rule in run.unseen:
            spots = rule.get("blind") or [{"message": rule.get("message", ""), "hint": rule.get("hint", "")}]
            for spot in spots:
                hint = f" (fix: {spot['hint']})" if spot.get("hint") else ""
                w(f"  rule {rule['name']} unknown: {spot.get('message', '')}{hint}")
        recs = outcome.recommendations
        if not recs:
            w("no recommendations")
            return
        w("")
        for rec in recs:
            label = " [unverified]" if rec.verified is False else ""
            w(f"[{rec.severity}] {kind_title(rec.kind)}{label}: {rec.title} ({rec.status})")
            if rec.benefit:
                w(f"    benefit: {rec.benefit}")
            if rec.cost:
                w(f"    cost: {rec.cost}")
            statement = rec.evidence.get("create_sql")
            if statement:
                w(f"    {statement}")


def _advice_line(advice: dict[str, Any]) -> str:
    budget = advice.get("budget_bytes")
    caps = (f"budget {budget / MB:,.0f} MB (10^6 bytes, estimated btree sizes)" if budget else "no budget")
    if advice.get("max_per_table"):
        caps += f", at most {advice['max_per_table']} new per table"
    head = (f"index advice: checked with HypoPG ({advice.get('hypopg_calls')} calls, "
            f"{advice.get('runtime_s', 0):.1f} s)" if advice.get("verified")
            else f"index advice: UNVERIFIED — {advice.get('reason', '')}")
    text = f"{head}; profile {advice.get('profile', 'balanced')}, {caps}"
    if advice.get("timed_out"):
        text += (f"; the {advice.get('time_limit_s', 0):.0f} s time limit cut the search short "
                 f"(in the {advice.get('stopped_in') or 'search'}): the best set found so far is shown")
    return text


def _as_json(outcome: RunOutcome) -> dict[str, Any]:
    run = outcome.run
    return {
        "target": run.target.name,
        "run": {"id": run.pk, "status": run.status, "started_at": run.started_at, "finished_at": run.finished_at,
                "rules": run.rules, "index_advice": run.index_advice, "workload": run.workload,
                "created": run.created,
                "reopened": run.reopened, "resolved": run.resolved},
        "recommendations": [
            {"id": r.pk, "kind": r.kind, "object": r.object_label, "object_key": r.object_key, "table": r.table,
             "severity": r.severity, "status": r.status, "title": r.title, "summary": r.summary,
             "benefit": r.benefit, "cost": r.cost, "verified": r.verified, "evidence": r.evidence,
             "changes": r.changes, "first_seen_at": r.first_seen_at, "last_seen_at": r.last_seen_at}
            for r in outcome.recommendations
        ],
    }

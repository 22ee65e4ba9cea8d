"""The workload the index advice considered: which statements went in, which were left out and why.

The missing-index rule turns the window's statements into the engine's input here, and reports back
what happened to every one of them: *considered* (every statement that ran in the window), *planned*
(what the engine worked with) and *skipped*, with the reason for each skip — dbconsole's own
statements (recognised by their marker, :mod:`pgsql.own_statements`, never by role: a database
monitored with the application's own role still gets advice), statements whose text the history
store lacks, and the engine's own reasons (not a SELECT, unparsable, another database, …). The report
is stored on the run (``AdvisorRun.workload``) and shown on the advisor page and by ``advise``.

Statements hidden from the monitoring role (no ``pg_read_all_stats``) are not in the history store at
all; the statements collector says how many, and the rule reports them as part of its evidence it
could not see (an "unknown" naming the grant).

When the window includes the target's first statements collection, the statements it held carry
pg_stat_statements' cumulative counters since the stats reset (advice from the first collection); the
report says so (``since_stats_reset``), and the runner marks the findings citing those statements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from advisor.rules.context import RuleContext
from monitoring.history.selectors.statements import StatementTotals
from pgsql.own_statements import is_own_statement
from pgsql.workload.statements import SkippedStatement, WorkloadStatement

OWN = "dbconsole's own statement (collectors, EXPLAIN, the advisor)"
NO_TEXT = "no text in the history store (evicted from pg_stat_statements before it was collected)"
EXAMPLES_PER_REASON = 5
PREVIEW = 200


@dataclass
class WorkloadReport:
    considered: int = 0
    queryids: set[int] = field(default_factory=set)                      # of the statements considered
    skipped: list[tuple[int, str, str]] = field(default_factory=list)   # (queryid, query, reason)
    # The first collection's cumulative counters are part of the evidence (see history.cumulative()).
    since_stats_reset: dict[str, Any] | None = None

    def skip(self, queryid: int, query: str, reason: str) -> None:
        self.skipped.append((queryid, query, reason))

    def with_engine(self, skipped: Iterable[SkippedStatement]) -> WorkloadReport:
        """Add the engine's own skips (statements it could not parse, plan or use) of the statements
        considered; statements the rule derived itself (foreign-key checks) are not the window's."""
        for s in skipped:
            if s.queryid in self.queryids:
                self.skip(s.queryid, s.query, s.reason)
        return self

    def as_dict(self) -> dict[str, Any]:
        queryids = {q for q, _t, _r in self.skipped}
        reasons = Counter(r for _q, _t, r in self.skipped)
        examples: dict[str, list[dict[str, Any]]] = {}
        for queryid, query, reason in self.skipped:
            shown = examples.setdefault(reason, [])
            if len(shown) < EXAMPLES_PER_REASON:
                shown.append({"queryid": queryid, "query": query[:PREVIEW]})
        return {
            "since_stats_reset": self.since_stats_reset,
            "considered": self.considered,
            "planned": max(self.considered - len(queryids), 0),
            "skipped": len(queryids),
            "reasons": [{"reason": reason, "count": count, "examples": examples[reason]}
                        for reason, count in reasons.most_common()],
        }


def select_workload(ctx: RuleContext, totals: list[StatementTotals]) -> tuple[list[WorkloadStatement],
                                                                               WorkloadReport]:
    """The engine's input from the window's statements, and the report of what was left out.

    Also reports, as evidence the rule could not see, statements the monitoring role may not see."""
    report = WorkloadReport()
    workload: list[WorkloadStatement] = []
    for s in totals:
        if s.calls <= 0:
            continue
        report.considered += 1
        if not s.preview:
            report.skip(s.queryid, "", NO_TEXT)
        elif is_own_statement(s.preview):
            report.skip(s.queryid, s.preview, OWN)
        else:
            workload.append(WorkloadStatement(queryid=s.queryid, query=s.preview, calls=s.calls, rows=s.rows,
                                              total_exec_time_ms=s.exec_ms, dbname=s.datname or None))
        report.queryids.add(s.queryid)
    cumulative = ctx.history.cumulative()
    flagged = sum(1 for s in totals if s.since_stats_reset and s.calls > 0)
    if cumulative is not None and flagged:
        report.since_stats_reset = {"since": cumulative.since.isoformat(), "since_what": cumulative.since_what,
                                    "at": cumulative.at.isoformat(), "statements": flagged}
    status = ctx.history.collector_status("statements")
    if status is not None and status.status == "partial" and "hidden" in status.reason:
        ctx.blind("hidden_statements", status.reason, status.hint)
    return workload, report

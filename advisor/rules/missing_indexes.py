"""Missing indexes for the workload — a *set* chosen by the index engine, not query by query.

Input: every statement the history store saw over the window (normalized text, calls, rows and time
as deltas), the tables' writes over the same window, and the lookups foreign keys make the server run
for the parents deleted in it. The engine (``advisor.selection``) asks HypoPG on the target what each
candidate set would cost and keeps every index whose read savings outweigh its write and storage cost
at the profile's exchange rates (a budget and a per-table maximum are optional caps); without HypoPG
it falls back to a heuristic from the statements' access patterns, and every recommendation says so
("unverified": no costs).

Severity weighs the statements an index serves by their share of the database's statement time.
"""

from __future__ import annotations

from typing import Any

from pglast import ast, parse_sql

from advisor.rules.base import Rule, register
from advisor.rules.changes import create_index
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_bytes, fmt_count, fmt_pct
from advisor.rules.findings import Finding, RuleSkipped
from advisor.rules.workload import select_workload
from advisor.selection import IndexAdvice, IndexChoice, TableWrites, recommend_indexes
from advisor.selection.foreign_keys import fk_check_statement, recorded_lookup
from dbconsole.thresholds import INFO, WARNING
from pgsql.workload import WorkloadStatement

SKIPPED_SHOWN = 20


def split_table(qualified: str) -> tuple[str, str]:
    """``"Shop"."Orders"`` → ``("Shop", "Orders")``, the way PostgreSQL reads the name."""
    stmt = parse_sql(f"SELECT 1 FROM {qualified}")[0].stmt
    assert isinstance(stmt, ast.SelectStmt) and stmt.fromClause
    rangevar = stmt.fromClause[0]
    assert isinstance(rangevar, ast.RangeVar)
    return rangevar.schemaname or "public", str(rangevar.relname)


def index_key(choice: IndexChoice) -> str:
    """What makes two advice runs' indexes the same recommendation: table, keys (with a non-default
    operator class), INCLUDE, predicate."""
    opclasses = dict(choice.opclasses)
    keys = ([f"({choice.expression})"] if choice.expression else []) + [
        f"{c} {opclasses[c]}" if c in opclasses else c for c in choice.columns]
    key = f"{choice.table} ({', '.join(keys)})"
    if choice.include:
        key += f" INCLUDE ({', '.join(choice.include)})"
    if choice.where:
        key += f" WHERE {choice.where}"
    return key


def advice_summary(advice: IndexAdvice) -> dict[str, Any]:
    """What the run records about the index advice: the conditions it ran under (profile, caps, window)
    as well as its outcome, so runs under different conditions can be told apart."""
    return {
        "verified": advice.verified, "reason": advice.reason, "weighting": advice.weighting,
        "profile": advice.profile, "rates": advice.rates, "window_s": advice.window_s,
        "budget_bytes": advice.budget_bytes, "max_per_table": advice.max_per_table,
        "size_measure": advice.size_measure, "used_bytes": advice.used_bytes, "baseline_cost": advice.baseline_cost,
        "final_cost": advice.final_cost, "relative_cost_pct": advice.relative_cost_pct,
        "hypopg_calls": advice.hypopg_calls, "explain_calls": advice.explain_calls, "runtime_s": advice.runtime_s,
        "timed_out": advice.timed_out, "stopped_in": advice.stopped_in, "time_limit_s": advice.time_limit_s,
        "chosen": len(advice.choices), "statements_planned": advice.statements_planned,
        "candidates": advice.candidates, "skipped_count": len(advice.skipped),
        "skipped": [{"queryid": s.queryid, "query": s.query[:200], "reason": s.reason}
                    for s in advice.skipped[:SKIPPED_SHOWN]],
    }


def window_seconds(ctx: RuleContext) -> float | None:
    """How long the window's write counters really cover (None before a table was sampled twice)."""
    covered = max((d.seconds for _, d in ctx.history.tables_with_deltas()), default=0.0)
    return covered if covered > 0 else None


def foreign_key_checks(ctx: RuleContext, workload: list[WorkloadStatement]) -> list[WorkloadStatement]:
    """The child lookups the window's parent deletes made the server run, for foreign keys without an
    index — unless pg_stat_statements recorded them itself (``track = all``)."""
    out = []
    for fk in ctx.catalog.foreign_keys():
        if fk.indexed or recorded_lookup(workload, fk.schema, fk.table, fk.columns):
            continue
        parent = ctx.history.table_by_name(fk.ref_schema, fk.ref_table)
        deltas = ctx.history.table_deltas(parent.seq) if parent is not None else None
        if deltas is None or deltas.n_tup_del <= 0:
            continue
        out.append(fk_check_statement(constraint=fk.name, schema=fk.schema, table=fk.table, columns=fk.columns,
                                      ref_table=fk.ref_table, parent_rows=deltas.n_tup_del,
                                      dbname=ctx.target.dbname))
    return out


@register
class MissingIndexes(Rule):
    name = "missing_indexes"
    kinds = ("missing_index",)
    category = "indexes"
    title = "Missing indexes (workload)"
    order = 10
    option_fields = ("window", "profile", "budget_bytes", "budget_share", "min_budget_bytes", "max_per_table",
                     "engine_time_limit_s")

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        totals = ctx.history.statements()
        if not totals:
            raise RuleSkipped("no statements in the history window yet", ctx.history.collect_hint("statements"))
        # dbconsole's own statements are recognised by their marker, not by role (advisor.rules.workload).
        workload, report = select_workload(ctx, totals)
        workload.extend(foreign_key_checks(ctx, workload))
        by_queryid = {s.queryid: s for s in totals}
        all_ms = sum(s.total_exec_time_ms for s in workload if s.origin is None) or 0.0   # the application's
        database = ctx.history.database()
        budget = ctx.options.budget_for(database.size_bytes if database is not None else None)
        writes: dict[str | int, TableWrites] = {
            f"{t.schema}.{t.name}": TableWrites(n_tup_ins=d.n_tup_ins, n_tup_upd=d.n_tup_upd, n_tup_del=d.n_tup_del,
                                                n_tup_hot_upd=d.n_tup_hot_upd,
                                                vacuums=d.vacuum_count + d.autovacuum_count)
            for t, d in ctx.history.tables_with_deltas()
        }
        advice = recommend_indexes(ctx.connection(), workload, budget_bytes=budget, write_load=writes,
                                   profile=ctx.options.profile, window_s=window_seconds(ctx),
                                   max_per_table=ctx.options.max_per_table,
                                   time_limit_s=ctx.options.engine_time_limit_s)
        ctx.notes["index_advice"] = advice_summary(advice)
        ctx.notes["workload"] = report.with_engine(advice.skipped).as_dict()
        return [self._finding(ctx, advice, choice, by_queryid, all_ms) for choice in advice.choices]

    def _finding(self, ctx: RuleContext, advice: IndexAdvice, choice: IndexChoice, by_queryid: dict[int, Any],
                 all_ms: float) -> Finding:
        schema, table = split_table(choice.table)
        helped_ms = sum(by_queryid[h.queryid].exec_ms for h in choice.helps if h.queryid in by_queryid)
        share = helped_ms / all_ms if all_ms else 0.0
        create = choice.create_sql.rstrip(";") + ";"
        ev = Evidence()
        ev.fact("Table", f"{schema}.{table}")
        ev.fact("Statements it serves", len(choice.helps))
        ev.fact("Their share of statement time", share, fmt_pct(share, 1),
                hint="of all statements' execution time in the history window")
        upkeep_evidence(ev, advice, choice)
        for h in choice.helps:
            stats = by_queryid.get(h.queryid)
            ev.statement(queryid=h.queryid, seq=stats.seq if stats else None, query=h.query,
                         calls=stats.calls if stats else h.calls,
                         total_ms=stats.exec_ms if stats else None, mean_ms=stats.mean_ms if stats else None,
                         cost_before=h.cost_before, cost_after=h.cost_after, reduction_pct=h.reduction_pct,
                         origin=h.origin)
        if choice.why:
            ev.note(choice.why)
        for estimate in choice.estimates:
            ev.note(estimate)
        if not advice.verified:
            ev.caveat(f"Unverified: {advice.reason}. Check it with EXPLAIN before building it, or install HypoPG "
                      "on the target to get costs before and after.")
        ev.caveat("Index usage on replicas is not seen here unless the replicas are targets too: queries that "
                  "run only there are not part of this workload.")
        ev.sql("Suggested index", create)
        ev.set("create_sql", create)
        ev.ids(schema=schema, table=table, columns=list(choice.columns), expression=choice.expression,
               where=choice.where, include=list(choice.include), queryids=[h.queryid for h in choice.helps])
        ev.chart("statements-time", "Time of the statements it serves")
        # Warning when the statements it serves take this share of all statement time (missing_index_time_share).
        severity = WARNING if ctx.thresholds.grade("missing_index_time_share", share) == WARNING else INFO
        reductions = [h.reduction_pct for h in choice.helps if h.reduction_pct is not None]
        if advice.verified and reductions:
            best = max(reductions)
            benefit = (f"cuts the planner cost of {len(choice.helps)} statement(s) by up to {best:.0f}%; they take "
                       f"{fmt_pct(share, 1)} of statement time")
        else:
            benefit = (f"serves {len(choice.helps)} statement(s) taking {fmt_pct(share, 1)} of statement time "
                       "(unverified: no cost estimate without HypoPG)")
        opclasses = dict(choice.opclasses)
        keys = ", ".join(([f"({choice.expression})"] if choice.expression else [])
                         + [f"{c} {opclasses[c]}" if c in opclasses else c for c in choice.columns])
        return Finding(
            kind="missing_index", object_key=index_key(choice), object_label=f"{schema}.{table} ({keys})",
            severity=severity, title=f"Add an index on {table} ({keys})",
            summary=(f"{len(choice.helps)} statement(s) would use an index on {schema}.{table} ({keys}). "
                     + ("Checked with HypoPG: " + benefit + "." if advice.verified else
                        "Suggested from the statements' access patterns without HypoPG, so without cost estimates.")),
            evidence=ev.to_dict(), material={"index": index_key(choice), "verified": advice.verified},
            benefit=benefit,
            cost=(f"{fmt_bytes(choice.size_bytes)} on disk (estimated); {_entries_text(choice)}"
                  f"{_hot_text(choice)}; built with CREATE INDEX CONCURRENTLY (no blocking)"),
            benefit_score=(choice.benefit if advice.verified else helped_ms), verified=advice.verified,
            table=f"{schema}.{table}",
            changes=[create_index(schema, table, columns=choice.columns, expression=choice.expression,
                                  include=choice.include, where=choice.where, name=choice.name,
                                  opclasses=dict(choice.opclasses))],
        )


def upkeep_evidence(ev: Evidence, advice: IndexAdvice, choice: IndexChoice) -> None:
    """Size, writes, lost HOT updates and the net benefit, with the rates they were weighed at."""
    size_text = fmt_bytes(choice.size_bytes) + (" (rough estimate)" if choice.size_estimated else "")
    hint = choice.size_source
    if choice.hypopg_size_bytes:
        hint += f"; HypoPG says {fmt_bytes(choice.hypopg_size_bytes)}, without btree deduplication"
    ev.fact("Size", choice.size_bytes, size_text, hint=hint)
    per_hour = choice.entries_per_hour
    ev.fact("Index entries written", per_hour if per_hour is not None else choice.entries,
            f"{fmt_count(per_hour)} per hour" if per_hour is not None else f"{fmt_count(choice.entries)} in the window",
            hint="inserts and non-HOT updates of the table over the window, and the updates it would make non-HOT")
    if choice.hot_lost is None:
        ev.fact("HOT updates it would end", None, "unknown",
                hint="the table has HOT updates but no UPDATE statement in the workload says which columns they set")
    else:
        lost = choice.hot_lost_per_hour
        ev.fact("HOT updates it would end", lost if lost is not None else choice.hot_lost,
                f"{fmt_count(lost)} per hour" if lost is not None else f"{fmt_count(choice.hot_lost)} in the window",
                hint="updates that set a column of this index stop being HOT: they write into every index")
    if advice.verified and choice.benefit is not None:
        ev.fact("Read cost it saves", choice.benefit, f"{choice.benefit:,.0f}",
                hint="planner cost units over the window, calls-weighted, given the other recommended indexes")
    ev.fact("Write cost", choice.write_overhead, f"{choice.write_overhead:,.0f}",
            hint=f"same units, at the {advice.profile} profile's rates (advisor/selection/costs.py)")
    ev.fact("Storage cost", choice.storage_cost, f"{choice.storage_cost:,.0f}",
            hint=f"same units: its pages kept over the window and read by VACUUM, at the {advice.profile} "
                 "profile's rates")
    if choice.net_benefit is not None:
        ev.fact("Net benefit", choice.net_benefit, f"{choice.net_benefit:,.0f}",
                hint="read cost saved minus write and storage cost: only indexes with a positive one are proposed")


def _entries_text(choice: IndexChoice) -> str:
    if choice.entries_per_hour is not None:
        return f"{fmt_count(choice.entries_per_hour)} index entries written per hour"
    return f"{fmt_count(choice.entries)} index entries written in the window"


def _hot_text(choice: IndexChoice) -> str:
    if choice.hot_lost is None:
        return "; HOT updates it would end: unknown"
    if choice.hot_lost > 0:
        lost = choice.hot_lost_per_hour
        return f"; ends {fmt_count(lost if lost is not None else choice.hot_lost)} HOT updates" + (
            " per hour" if lost is not None else " in the window")
    return ""

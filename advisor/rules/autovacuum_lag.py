"""Tables whose dead tuples outrun autovacuum → per-table autovacuum settings.

Autovacuum vacuums a table once its dead tuples pass ``threshold + scale_factor * reltuples``
(20 % of the table by default): fine for small tables, far too late for a big, hot one, whose dead
rows then bloat it and slow every scan. And a table with ``autovacuum_enabled = false`` is never
vacuumed at all. From the history store: dead and live tuples now, the window's updates and deletes
and autovacuum runs; from the catalog: the table's own storage parameters.

The suggested scale factor makes autovacuum start after about ten minutes' worth of the table's
updates and deletes (between 0.5 % and 10 % of it), with a small fixed threshold.
"""

from __future__ import annotations

from typing import Any

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.changes import autovacuum
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_count, fmt_pct, fmt_time
from advisor.rules.facts import TableDeltas, TableInfo
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import OK, WARNING, least

TARGET_MINUTES = 10


def _false(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("false", "off", "0", "no")


@register
class AutovacuumLag(Rule):
    name = "autovacuum_lag"
    kinds = ("autovacuum_lag",)
    category = "maintenance"
    title = "Dead tuples outrunning autovacuum"
    order = 60
    absence_is_proof = True  # dead tuples and storage parameters are read afresh: vacuumed or tuned

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        settings = ctx.history.settings()
        tables = ctx.history.tables_with_deltas()
        if ctx.history.relations_collected_at() is None:
            raise RuleSkipped("no relations collection yet", ctx.history.collect_hint("relations"))
        if not settings:
            raise RuleSkipped("no settings collection yet", ctx.history.collect_hint("settings"))
        reloptions = ctx.catalog.reloptions()
        base_threshold = pg.number(settings, "autovacuum_vacuum_threshold") or 50
        base_scale = pg.number(settings, "autovacuum_vacuum_scale_factor") or 0.2
        findings = []
        for table, deltas in tables:
            options = reloptions.get(table.qualified, {})
            dead, live = table.n_dead_tup or 0, table.n_live_tup or 0
            ratio = dead / (dead + live) if dead + live else 0.0
            # Worth a look when both the dead tuples and their share reach info (autovacuum_lag_* thresholds).
            if _grade(ctx, dead, ratio) == OK:
                continue
            threshold = float(options.get("autovacuum_vacuum_threshold", base_threshold))
            scale = float(options.get("autovacuum_vacuum_scale_factor", base_scale))
            trigger = threshold + scale * max(table.reltuples or 0, 0)
            disabled = _false(options.get("autovacuum_enabled"))
            if not disabled and dead <= 2 * trigger:
                continue  # autovacuum will come by itself soon
            if not disabled and deltas.autovacuum_count and table.last_autovacuum is not None \
                    and table.last_autovacuum >= ctx.now - ctx.options.window:
                lagging = "running but not keeping up"
            else:
                lagging = "not running" if not disabled else "disabled for this table"
            findings.append(self._finding(ctx, table, deltas, options, dead, live, ratio, trigger, disabled, lagging))
        return findings

    def _finding(self, ctx: RuleContext, table: TableInfo, deltas: TableDeltas, options: dict[str, str], dead: int,
                 live: int, ratio: float, trigger: float, disabled: bool, lagging: str) -> Finding:
        hours = max(deltas.seconds / 3600, 1 / 60)
        churn_per_hour = (deltas.n_tup_upd + deltas.n_tup_del) / hours
        rows = max(table.reltuples or live, 1)
        wanted_scale = min(max(churn_per_hour * TARGET_MINUTES / 60 / rows, 0.005), 0.1)
        suggested: dict[str, Any] = {"autovacuum_vacuum_scale_factor": round(wanted_scale, 3),
                                     "autovacuum_vacuum_threshold": 1000}
        if disabled:
            suggested = {"autovacuum_enabled": "true", **suggested}
        elif lagging == "running but not keeping up":
            suggested["autovacuum_vacuum_cost_limit"] = 2000
        ev = Evidence()
        ev.fact("Table", table.qualified)
        ev.fact("Dead tuples", dead, fmt_count(dead))
        ev.fact("Dead share", ratio, fmt_pct(ratio, 1))
        ev.fact("Autovacuum starts at", trigger,
                f"{fmt_count(trigger)} dead tuples" if not disabled else "never (disabled)")
        ev.fact("Updates + deletes per hour", churn_per_hour, fmt_count(churn_per_hour), hint="over the window")
        ev.fact("Autovacuum runs in the window", deltas.autovacuum_count, fmt_count(deltas.autovacuum_count))
        ev.fact("Last autovacuum", table.last_autovacuum, fmt_time(table.last_autovacuum))
        ev.fact("Current storage parameters", options, ", ".join(f"{k}={v}" for k, v in options.items()) or "none")
        if disabled:
            ev.note("autovacuum_enabled = false on this table: nothing removes its dead tuples, and (apart from "
                    "anti-wraparound vacuums) it is never frozen either.")
        elif lagging == "running but not keeping up":
            ev.note("Autovacuum runs on it but dead tuples stay high: it is throttled by the cost limit, or a long "
                    "transaction or replication slot holds back what it may remove (see the wraparound and timeout "
                    "advice).")
        else:
            ev.note(f"With the current settings autovacuum waits for {fmt_count(trigger)} dead tuples; the suggested "
                    f"ones start it after about {TARGET_MINUTES} minutes of this table's updates and deletes.")
        ev.ids(table_seq=table.seq)
        ev.chart("table-tuples", "Live and dead tuples")
        return Finding(
            kind="autovacuum_lag", object_key=table.qualified, object_label=table.qualified,
            severity=WARNING if disabled else _grade(ctx, dead, ratio),
            title=f"Autovacuum is {lagging} on {table.name}",
            summary=f"{table.qualified} holds {fmt_count(dead)} dead tuples ({fmt_pct(ratio, 0)} of its rows); "
                    f"autovacuum is {lagging}. Per-table settings make it vacuum this table sooner.",
            evidence=ev.to_dict(), material={"disabled": disabled, "lagging": lagging},
            benefit="dead tuples removed before they bloat the table and its indexes",
            cost="ALTER TABLE … SET (…): a brief SHARE UPDATE EXCLUSIVE lock; then more frequent, smaller vacuums",
            benefit_score=float(dead), table=table.qualified,
            changes=[autovacuum(table.schema, table.name, suggested)],
        )


def _grade(ctx: RuleContext, dead: int, ratio: float) -> str:
    """The level both the dead tuples and their share of the table reach."""
    return least(ctx.thresholds.grade("autovacuum_lag_dead_tuples", dead),
                 ctx.thresholds.grade("autovacuum_lag_dead_ratio", ratio))

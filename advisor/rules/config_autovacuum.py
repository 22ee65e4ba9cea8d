"""Autovacuum's capacity: switched off, too throttled, or too few workers for the tables that lag.

Reads the settings from the history store and the tables the autovacuum-lag rule found in this run.
Since PG 12 an autovacuum worker sleeps 2 ms after every ``autovacuum_vacuum_cost_limit`` (default:
vacuum_cost_limit, 200) units of work — roughly 80 MB/s of cached pages, far less of pages it must
read or dirty, shared by all workers. Raising the limit lets each run finish sooner. More workers
help only when many tables need vacuuming at once, and need CPUs (from the machine facts).
"""

from __future__ import annotations

from advisor.rules import pgsettings as pg
from advisor.rules.base import Rule, register
from advisor.rules.context import RuleContext
from advisor.rules.evidence import Evidence, fmt_count
from advisor.rules.findings import Finding, RuleSkipped
from dbconsole.thresholds import OK


@register
class ConfigAutovacuum(Rule):
    name = "config_autovacuum"
    kinds = ("config_autovacuum",)
    category = "configuration"
    title = "Autovacuum capacity"
    order = 240  # after autovacuum_lag (60), whose findings it counts
    absence_is_proof = True
    depends_on = ("autovacuum_lag",)

    def evaluate(self, ctx: RuleContext) -> list[Finding]:
        settings = ctx.history.settings()
        if not settings:
            raise RuleSkipped("no settings collection yet", ctx.history.collect_hint("settings"))
        major = ctx.target.server_major
        findings = []
        if (pg.raw(settings, "autovacuum") or "on") == "off":
            ev = Evidence()
            ev.fact("autovacuum", "off")
            ev.note("Nothing removes dead tuples or refreshes planner statistics unless someone runs VACUUM and "
                    "ANALYZE; anti-wraparound vacuums still start, at the worst moment.")
            ev.sql("Apply it", pg.alter_system({"autovacuum": "on"}, major))
            findings.append(Finding(
                kind="config_autovacuum", object_key="autovacuum", object_label="autovacuum", severity="critical",
                title="Autovacuum is switched off", summary="autovacuum = off for the whole server.",
                evidence=ev.to_dict(), material={}, benefit="dead tuples removed and statistics kept fresh",
                cost="background vacuum I/O", benefit_score=None,
            ))
        lagging = [f for f in ctx.findings if f.kind == "autovacuum_lag" and not f.material.get("disabled")]
        if ctx.thresholds.grade("autovacuum_lagging_tables", len(lagging)) == OK:
            return findings
        limit = pg.number(settings, "autovacuum_vacuum_cost_limit")
        effective = pg.number(settings, "vacuum_cost_limit") if limit is None or limit < 0 else limit
        delay = pg.as_ms(settings, "autovacuum_vacuum_cost_delay")
        workers = int(pg.number(settings, "autovacuum_max_workers") or 3)
        fast = ctx.machine is not None and ctx.machine.storage in ("ssd", "network")
        if effective is not None and effective <= 200:
            wanted = 2000 if fast else 1000
            ev = self._base(lagging, effective, delay, workers)
            ev.fact("Suggested autovacuum_vacuum_cost_limit", wanted, fmt_count(wanted),
                    hint="higher on SSD" if fast else "")
            ev.sql("Apply it", pg.alter_system({"autovacuum_vacuum_cost_limit": str(wanted)}, major))
            findings.append(Finding(
                kind="config_autovacuum", object_key="autovacuum_vacuum_cost_limit",
                object_label="autovacuum_vacuum_cost_limit", severity="info",
                title=f"Let autovacuum work faster: autovacuum_vacuum_cost_limit {effective:.0f} → {wanted}",
                summary=f"{len(lagging)} tables have dead tuples autovacuum does not keep up with, and each worker is "
                        f"throttled at {effective:.0f} cost units per {delay or 2:g} ms.",
                evidence=ev.to_dict(), material={"suggested": wanted},
                benefit="vacuums finish sooner, dead tuples go before they bloat", cost="more background I/O",
                benefit_score=float(len(lagging)),
            ))
        cpus = ctx.machine.cpus if ctx.machine is not None else None
        if len(lagging) > workers and cpus and cpus >= 8 and workers < cpus // 2:
            wanted_workers = min(cpus // 2, 8)
            ev = self._base(lagging, effective, delay, workers)
            ev.fact("CPUs", cpus, str(cpus), hint="from the machine facts")
            ev.note("The cost limit is shared by all workers: raise it together with the number of workers.")
            ev.sql("Apply it", pg.alter_system({"autovacuum_max_workers": str(wanted_workers)}, major))
            findings.append(Finding(
                kind="config_autovacuum", object_key="autovacuum_max_workers", object_label="autovacuum_max_workers",
                severity="info", title=f"More autovacuum workers: {workers} → {wanted_workers}",
                summary=f"{len(lagging)} tables wait for autovacuum at once with {workers} workers on {cpus} CPUs.",
                evidence=ev.to_dict(), material={"suggested": wanted_workers},
                benefit="more tables vacuumed at the same time",
                cost="restart needed before PG 18" if (major or 0) < 18 else "none; takes effect on reload",
                benefit_score=float(len(lagging)),
            ))
        return findings

    def _base(self, lagging: list[Finding], effective: float | None, delay: float | None, workers: int) -> Evidence:
        ev = Evidence()
        ev.fact("Tables outrunning autovacuum", len(lagging), ", ".join(f.object_label for f in lagging[:6]))
        ev.fact("Effective autovacuum_vacuum_cost_limit", effective, f"{effective:.0f}" if effective else "—")
        ev.fact("autovacuum_vacuum_cost_delay", delay, f"{delay:g} ms" if delay is not None else "—")
        ev.fact("autovacuum_max_workers", workers, str(workers))
        return ev
